"""Report jobs whose worker died: the beat sweep re-queues them and a new request never waits on
one. The jobs run in this process (`job_run`); test_worker.py kills real workers."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from portal import services
from portal.celery import app as celery_app
from portal.celery import reliability_config
from portal.models import ArtifactStatus, JobStatus, ReportArtifact, ReportJob
from portal.tasks import run_report_job, sweep_report_jobs
from tests.factories import ReportArtifactFactory, ReportJobFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """Job ids the services send to the broker (recorded, not sent)."""
    sent: list[int] = []
    monkeypatch.setattr(run_report_job, "delay", lambda job_id: sent.append(job_id))
    return sent


@pytest.fixture
def committed(django_capture_on_commit_callbacks, enqueued):
    """Call a service and run what it scheduled on commit, as a real commit would."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call


@pytest.fixture
def sweep(committed):
    return lambda: committed(sweep_report_jobs)


@pytest.fixture
def request_job(committed):
    return lambda **kwargs: committed(services.job_request, kind="selftest", **kwargs)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def long_ago() -> timezone.datetime:
    return timezone.now() - timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS + 60)


def dead_job(*, params: dict, by=None, attempts: int = 1, fingerprint: str = "") -> ReportJob:
    """A job a killed worker left behind: running, silent since long ago, holding its render."""
    job = ReportJobFactory(
        params=params,
        requested_by=by or UserFactory(),
        status=JobStatus.RUNNING,
        attempts=attempts,
        progress=40,
    )
    ReportJob.objects.filter(pk=job.pk).update(
        created_at=long_ago(), started_at=long_ago(), heartbeat_at=long_ago()
    )
    if fingerprint:
        ReportArtifactFactory(fingerprint=fingerprint, job=job, heartbeat_at=long_ago())
    return ReportJob.objects.get(pk=job.pk)


def test_beat_runs_the_sweep_every_minute():
    entry = celery_app.conf.beat_schedule["portal.sweep_report_jobs"]
    assert entry["task"] == "portal.sweep_report_jobs" == sweep_report_jobs.name
    assert entry["schedule"] <= 60
    assert entry["options"]["expires"] < entry["schedule"]  # no pile-up while workers are down
    assert celery_app.conf.beat_schedule_filename.startswith(str(settings.VAR_DIR))


def test_a_job_is_stale_only_after_any_live_attempt_would_have_ended():
    longest_silence = max(settings.CELERY_TASK_TIME_LIMIT, settings.CELERY_RETRY_BACKOFF_MAX)
    assert longest_silence < settings.REPORT_JOB_STALE_SECONDS


def test_every_folder_of_the_embedded_broker_is_under_var(tmp_path):
    conf = type(
        "Conf",
        (),
        {
            "CELERY_BROKER_URL": "filesystem://",
            "CELERY_BROKER_DIR": settings.CELERY_BROKER_DIR,
            "CELERY_TASK_TIME_LIMIT": 8,
            "CELERY_TASK_SOFT_TIME_LIMIT": 7,
            "CELERY_VISIBILITY_TIMEOUT": 10,
            "CELERY_RETRY_BACKOFF_MAX": 5,
            "CELERY_UNACKED_RESTORE_INTERVAL": 1,
            "CELERY_UNACKED_RESTORE_THROTTLE": 1,
            "TIME_ZONE": "Asia/Tokyo",
        },
    )
    options = reliability_config(conf)["broker_transport_options"]
    folders = {k: v for k, v in options.items() if k.endswith("folder") or "folder_" in k}
    assert set(folders) == {
        "data_folder_in",
        "data_folder_out",
        "processed_folder",
        "control_folder",
    }
    for value in folders.values():
        assert value.startswith(str(settings.VAR_DIR) + "/"), value


def test_a_stale_job_setting_below_the_time_limit_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    conf = type(
        "Conf",
        (),
        {
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "CELERY_TASK_TIME_LIMIT": 600,
            "CELERY_TASK_SOFT_TIME_LIMIT": 540,
            "CELERY_VISIBILITY_TIMEOUT": 900,
            "CELERY_RETRY_BACKOFF_MAX": 300,
            "CELERY_UNACKED_RESTORE_INTERVAL": 1,
            "CELERY_UNACKED_RESTORE_THROTTLE": 1,
            "REPORT_JOB_STALE_SECONDS": 120,
            "TIME_ZONE": "Asia/Tokyo",
        },
    )
    with pytest.raises(ImproperlyConfigured, match="REPORT_JOB_STALE_SECONDS"):
        reliability_config(conf)


def test_the_sweep_requeues_a_dead_job_and_frees_its_render(sweep, enqueued):
    stuck = dead_job(params={"share": "a"}, fingerprint="fp-a")
    outcome = sweep()
    assert outcome == {"requeued": [stuck.pk], "failed": []}
    assert enqueued == [stuck.pk]
    again = ReportJob.objects.get(pk=stuck.pk)
    assert (again.status, again.progress) == (JobStatus.QUEUED, 0)
    assert not ReportArtifact.objects.exists()  # the next render of the same file starts afresh
    # A second sweep right after leaves the re-queued job alone: it is waiting for a worker now.
    assert sweep() == {"requeued": [], "failed": []}
    assert enqueued == [stuck.pk]


def test_the_sweep_leaves_live_and_finished_jobs_alone(sweep, enqueued):
    live = ReportJobFactory(
        status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now(), progress=30
    )
    waiting = ReportJobFactory(status=JobStatus.QUEUED)
    finished = dead_job(params={})
    ReportJob.objects.filter(pk=finished.pk).update(status=JobStatus.DONE)
    ReportArtifactFactory(fingerprint="fp-live", job=live, heartbeat_at=timezone.now())
    assert sweep() == {"requeued": [], "failed": []}
    assert enqueued == []
    assert {j.pk: j.status for j in ReportJob.objects.all()} == {
        live.pk: JobStatus.RUNNING,
        waiting.pk: JobStatus.QUEUED,
        finished.pk: JobStatus.DONE,
    }
    assert ReportArtifact.objects.get().job_id == live.pk


def test_a_job_that_kept_dying_fails_with_a_reason_instead_of_looping(sweep, enqueued):
    stuck = dead_job(params={}, attempts=settings.CELERY_MAX_RETRIES + 1)
    assert sweep() == {"requeued": [], "failed": [stuck.pk]}
    failed = ReportJob.objects.get(pk=stuck.pk)
    assert failed.status == JobStatus.FAILED
    assert "処理が途絶えた" in failed.error
    assert enqueued == []


def test_the_sweep_frees_a_render_left_by_a_failed_job(sweep, enqueued):
    gone = dead_job(params={})
    ReportJob.objects.filter(pk=gone.pk).update(status=JobStatus.FAILED)
    ReportArtifactFactory(fingerprint="fp-orphan", job=gone, heartbeat_at=timezone.now())
    sweep()
    assert not ReportArtifact.objects.exists()


def test_asking_again_while_the_first_job_is_alive_returns_the_waiting_job(request_job, enqueued):
    user = UserFactory()
    first = request_job(params={"seconds": 1}, by=user)
    ReportJob.objects.filter(pk=first.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now()
    )
    again = request_job(params={"seconds": 1}, by=user)
    assert again.pk == first.pk


def test_a_new_request_while_a_stale_job_exists_gets_a_new_render(request_job, enqueued, media):
    user = UserFactory()
    params = {"share": "same-report"}
    stuck = dead_job(params=params, by=user, fingerprint=_fingerprint_of(params))

    fresh = request_job(params=params, by=user)

    assert fresh.pk != stuck.pk
    assert enqueued == [fresh.pk]
    old = ReportJob.objects.get(pk=stuck.pk)
    assert old.status == JobStatus.FAILED and "もう一度依頼" in old.error
    done = services.job_run(job_id=fresh.pk)
    assert done is not None and done.status == JobStatus.DONE
    assert done.reused is False and done.attempts == 1
    artifact = ReportArtifact.objects.get()
    assert (artifact.job_id, artifact.status) == (fresh.pk, ArtifactStatus.DONE)
    assert f"#{fresh.pk}".encode() in done.file.read()


def test_another_persons_request_is_not_held_up_by_a_dead_render(request_job, enqueued, media):
    params = {"share": "same-report"}
    stuck = dead_job(params=params, fingerprint=_fingerprint_of(params))
    # The dead renderer's artifact heartbeat looks recent (it died seconds after its last
    # progress), yet its job is stale: the new job renders at once instead of waiting.
    ReportArtifact.objects.update(heartbeat_at=timezone.now())

    other = request_job(params=params, by=UserFactory())
    done = services.job_run(job_id=other.pk)

    assert done is not None and done.status == JobStatus.DONE and done.reused is False
    assert ReportArtifact.objects.get().job_id == other.pk
    assert ReportJob.objects.get(pk=stuck.pk).status == JobStatus.RUNNING  # the sweep's to recover


def _fingerprint_of(params: dict) -> str:
    from portal import jobs

    return jobs.fingerprint("selftest", str(params["share"]))


def test_a_job_waiting_for_its_retry_is_not_taken_for_dead(sweep, enqueued):
    # A retry's countdown can last up to the backoff cap without any progress: scheduling it
    # refreshes the heartbeat, so the sweep does not start a second delivery meanwhile.
    waiting = dead_job(params={}, attempts=1)
    run_report_job.on_retry(ConnectionError("outage"), "task-id", (waiting.pk,), {}, None)
    assert ReportJob.objects.get(pk=waiting.pk).heartbeat_at > timezone.now() - timedelta(minutes=1)
    assert sweep() == {"requeued": [], "failed": []}
    assert enqueued == []


def test_beat_also_marks_killed_registry_imports_interrupted():
    from partners.tasks import sweep_import_runs

    entry = celery_app.conf.beat_schedule["partners.sweep_import_runs"]
    assert entry["task"] == sweep_import_runs.name
    assert entry["options"]["expires"] < entry["schedule"] <= settings.IMPORT_RUN_STALE_SECONDS
