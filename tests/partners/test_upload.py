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
    assert run.summary.startswith("created 2, updated 0, unchanged 0, rejected 1, skipped 0")
    page = client.get(reverse("partners:import_detail", args=[run.pk])).content.decode()
    assert "<dt>新規</dt><dd>2</dd>" in page and "<dt>取り込めなかった行</dt><dd>1</dd>" in page
    assert "created" not in page  # the counts in Japanese only
    assert "every 1s" not in page  # polling stops once finished
    rejects = client.get(reverse("partners:import_rejects", args=[run.pk]))
    assert "定員" in b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert not run.snapshot and run.prefecture == "長野県" and run.as_of is not None

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
    assert "CSVファイル（.csv）かZIPファイル（.zip）を選んでください" in response.content.decode()
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
    assert run.summary.startswith("created 2, updated 0, unchanged 0, rejected 1")
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
    assert run.summary.startswith("created 2, updated 0, unchanged 0, rejected 1")


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


@pytest.mark.django_db
def test_several_files_and_a_zip_make_one_run_with_one_progress_and_a_zip_is_a_snapshot(
    client, staff, tmp_path, settings, monkeypatch
):
    import io
    import zipfile
    from datetime import date

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(import_establishments_file, "delay", lambda pk: None)
    client.force_login(staff)
    first = write(tmp_path, [row()], name="jigyosho_110_all_20260715103000.csv")
    second = write(
        tmp_path,
        [row(事業所番号="2070100029", サービスの種類="通所介護", 緯度="0", 経度="0")],
        name="jigyosho_150_all_20260715103000.csv",
    )
    files = [SimpleUploadedFile(p.name, p.read_bytes(), "text/csv") for p in (first, second)]
    response = client.post(RUNS, {"open_data": files, "snapshot": "auto"})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert (run.file_name, run.snapshot, run.as_of) == (
        "jigyosho_110_all_20260715103000.csv ほか1件", False, date(2026, 6, 30),
    )  # fmt: skip
    import_establishments_file(run.pk)
    run.refresh_from_db()
    assert (run.status, run.created, run.warnings, run.progress) == ("done", 2, 1, 100)
    assert [(s["done"], s["rows"]) for s in run.sources] == [(1, 1), (1, 1)]
    page = client.get(reverse("partners:import_detail", args=[run.pk])).content.decode()
    assert "ファイルごとの進み具合" in page and "<dt>警告" in page
    rejects = b"".join(
        client.get(reverse("partners:import_rejects", args=[run.pk])).streaming_content
    )
    assert "警告" in rejects.decode("utf-8-sig")

    # A whole snapshot as one ZIP, dated by hand: closes what it no longer lists.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("jigyosho_110.csv", first.read_bytes())
        archive.writestr("jigyosho_150.csv", write(tmp_path, [], name="empty.csv").read_bytes())
    zipped = SimpleUploadedFile("snapshot.zip", buffer.getvalue(), "application/zip")
    client.post(RUNS, {"open_data": zipped, "snapshot": "auto", "as_of": "2025-12-31"})
    snapshot = ImportRun.objects.latest("pk")
    assert (snapshot.snapshot, snapshot.as_of) == (True, date(2025, 12, 31))
    import_establishments_file(snapshot.pk)
    snapshot.refresh_from_db()
    assert (snapshot.unchanged, snapshot.closed) == (1, 1)
    assert Establishment.objects.get(number="2070100029").closed_on == date(2025, 12, 31)


@pytest.mark.django_db
def test_the_import_pages_read_a_constant_number_of_queries(
    client, staff, tmp_path, django_assert_num_queries
):
    from partners.services.imports import establishments_import

    for index in range(3):
        establishments_import(
            path=write(tmp_path, [row(事業所番号=f"207010{index:04d}")], name=f"f{index}.csv"),
            by=staff,
        )
    run = ImportRun.objects.latest("pk")
    client.force_login(staff)
    client.get(RUNS)  # the session and caches, once
    with django_assert_num_queries(QUERIES_LIST):
        assert client.get(RUNS).status_code == 200
    with django_assert_num_queries(QUERIES_DETAIL):
        assert client.get(reverse("partners:import_detail", args=[run.pk])).status_code == 200


QUERIES_LIST = 3  # session, user, runs with who started them
QUERIES_DETAIL = 3  # session, user, the run
