"""Staff upload an open-data file in the browser; a Celery worker imports it through the same
service as the command, and the page shows its progress and result."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners import services
from partners.models import Establishment, ImportRun, ImportStatus
from partners.tasks import import_establishments_file
from tests.partners.helpers import row, write
from tests.portal.workers import wait_for

RUNS = reverse("partners:imports")


def upload(client, path, name="jigyosho_110.csv"):
    return client.post(RUNS, {"open_data": SimpleUploadedFile(name, path.read_bytes(), "text/csv")})


def good_and_bad_rows():
    return [
        row(),
        row(**{"事業所番号": "2070100029", "事業所名": "ひかりの家"}),
        row(**{"事業所番号": "2070100037", "定員": "約20"}),
    ]


@pytest.mark.django_db
def test_an_upload_is_recorded_before_its_task_and_imported_by_the_same_service(
    client, staff, tmp_path, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    sent = []
    monkeypatch.setattr(import_establishments_file, "delay", lambda pk: sent.append(pk))
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, write(tmp_path, good_and_bad_rows()))
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:import_detail", args=[run.pk])
    assert sent == [run.pk]
    assert run.status == ImportStatus.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "順番待ち" in page and 'hx-trigger="every 1s"' in page

    import_establishments_file(run.pk)  # what the worker runs
    run.refresh_from_db()
    assert (run.status, run.progress, run.started_by) == (ImportStatus.DONE, 100, staff)
    assert run.summary == "created 2, updated 0, unchanged 0, rejected 1"
    page = client.get(reverse("partners:import_detail", args=[run.pk])).content.decode()
    assert "created 2, updated 0, unchanged 0, rejected 1" in page
    assert "every 1s" not in page  # polling stops once finished
    rejects = client.get(reverse("partners:import_rejects", args=[run.pk]))
    assert "定員" in b"".join(rejects.streaming_content).decode("utf-8-sig")

    import_establishments_file(run.pk)  # a second delivery changes nothing
    assert Establishment.objects.count() == 2
    assert ImportRun.objects.count() == 1


@pytest.mark.django_db
def test_an_unusable_upload_fails_with_a_japanese_reason(
    client, staff, tmp_path, settings, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(import_establishments_file, "delay", lambda pk: None)
    client.force_login(staff)
    bad = tmp_path / "bad.csv"
    bad.write_text("名前,住所\nみどり,長野\n", encoding="utf-8")
    upload(client, bad)
    run = ImportRun.objects.get()
    services.import_run_upload(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    page = client.get(reverse("partners:import_detail", args=[run.pk])).content.decode()
    assert "台帳には何も書き込んでいません" in page
    assert Establishment.objects.count() == 0


@pytest.mark.django_db
def test_only_csv_files_are_accepted(client, staff, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(staff)
    response = client.post(
        RUNS, {"open_data": SimpleUploadedFile("list.xlsx", b"PK...", "application/octet-stream")}
    )
    assert "CSVファイル（.csv）を選んでください" in response.content.decode()
    assert ImportRun.objects.count() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_an_upload_and_the_page_shows_it(
    client,
    staff,
    tmp_path,
    redis_broker,
    start_worker,
    media,
):
    start_worker(redis_broker)
    client.force_login(staff)
    upload(client, write(tmp_path, good_and_bad_rows()))
    run = ImportRun.objects.get()
    wait_for(lambda: ImportRun.objects.get(pk=run.pk).is_finished, 60, "import not finished")
    run.refresh_from_db()
    assert run.summary == "created 2, updated 0, unchanged 0, rejected 1"
    assert Establishment.objects.filter(last_import=run).count() == 2
    page = client.get(reverse("partners:import_detail", args=[run.pk])).content.decode()
    assert "完了" in page


@pytest.mark.django_db
def test_an_upload_whose_worker_was_killed_shows_interrupted_and_a_redelivery_completes_it(
    client, staff, tmp_path, settings, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from partners.tasks import sweep_import_runs

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(import_establishments_file, "delay", lambda pk: None)
    client.force_login(staff)
    upload(client, write(tmp_path, good_and_bad_rows()))
    run = ImportRun.objects.get()
    # A worker took the run and was killed (SIGKILL): its heartbeat stopped an hour ago.
    stale = timezone.now() - timedelta(hours=1)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, heartbeat_at=stale)
    assert sweep_import_runs() == 1
    page = client.get(RUNS).content.decode()
    assert '<span class="badge badge--warn">中断</span>' in page
    assert "同じファイルをもう一度取り込むと、続きから最後まで取り込まれます" in page
    detail = client.get(reverse("partners:import_detail", args=[run.pk])).content.decode()
    assert "中断" in detail and "強制終了" in detail and "every 1s" not in detail

    import_establishments_file(run.pk)  # the broker redelivers the lost task
    run.refresh_from_db()
    assert (run.status, run.progress) == (ImportStatus.DONE, 100)
    assert run.summary == "created 2, updated 0, unchanged 0, rejected 1"


@pytest.mark.django_db
def test_a_redelivery_while_a_live_worker_imports_leaves_the_run_to_it(
    client, staff, tmp_path, settings, monkeypatch
):
    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(import_establishments_file, "delay", lambda pk: None)
    client.force_login(staff)
    upload(client, write(tmp_path, good_and_bad_rows()))
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    import_establishments_file(run.pk)
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.RUNNING
    assert Establishment.objects.count() == 0
