"""Real Celery workers (separate processes, no eager mode) run report jobs and survive being killed.

The workers, brokers and fixtures are in tests/portal/workers.py.
"""

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal import services
from portal.celery import reliability_config
from portal.models import JobStatus, ReportArtifact
from portal.tasks import run_report_job
from tests.factories import UserFactory
from tests.portal.workers import ROOT, broker, job, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def request_job(**params) -> int:
    user = UserFactory()
    return services.job_request(kind="selftest", params=params, by=user).pk


def files_of(media: Path, job_id: int) -> list[Path]:
    return sorted((media / "reports" / str(job_id)).glob("*"))


def test_worker_runs_a_job_through_redis(redis_broker, start_worker, media):
    start_worker(redis_broker)
    job_id = request_job(seconds=0.5, steps=2)
    done = wait_for(
        lambda: job(job_id).status == JobStatus.DONE and job(job_id), 30, "job not done"
    )
    assert done.progress == 100
    assert done.attempts == 1
    assert [p.name for p in files_of(media, job_id)] == [f"selftest-{job_id}.txt"]
    assert "正常に完了しました" in files_of(media, job_id)[0].read_text(encoding="utf-8")


@contextmanager
def embedded_broker(folder: Path):
    """The embedded filesystem broker in `folder`, as the worker subprocesses see it."""
    config = reliability_config(
        type(
            "Conf",
            (),
            {
                "CELERY_BROKER_URL": "filesystem://",
                "CELERY_BROKER_DIR": folder,
                "CELERY_TASK_TIME_LIMIT": 8,
                "CELERY_TASK_SOFT_TIME_LIMIT": 7,
                "CELERY_VISIBILITY_TIMEOUT": 10,
                "CELERY_RETRY_BACKOFF_MAX": 5,
                "CELERY_UNACKED_RESTORE_INTERVAL": 1,
                "CELERY_UNACKED_RESTORE_THROTTLE": 1,
                "TIME_ZONE": "Asia/Tokyo",
            },
        )
    )
    with broker("filesystem://", **config["broker_transport_options"]):
        yield


@pytest.mark.embedded
def test_worker_runs_a_job_on_the_embedded_filesystem_broker(tmp_path, start_worker, media):
    folder = tmp_path / "broker"
    tracked_before = tracked_changes()
    with embedded_broker(folder):
        worker = start_worker("filesystem://", CELERY_BROKER_DIR=str(folder))
        job_id = request_job(seconds=0.2, steps=1)
        wait_for(lambda: job(job_id).status == JobStatus.DONE, 30, worker.text())
    assert len(files_of(media, job_id)) == 1
    # The broker's exchange tables are written beside its queue, not into the repository.
    assert (folder / "control" / "celery.pidbox.exchange").is_file()
    assert not (ROOT / "control").exists()
    assert tracked_changes() == tracked_before


def tracked_changes() -> str:
    """Files under version control that differ from the last commit ('' outside a git checkout)."""
    result = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


@pytest.mark.embedded
def test_sigkill_on_the_embedded_broker_is_recovered_by_the_sweep_without_a_restart(
    tmp_path, start_worker, media
):
    # The filesystem broker has no acknowledgements: the killed worker's message is gone, and
    # only the job row remembers the work. The surviving worker is never restarted.
    from portal.tasks import sweep_report_jobs

    folder = tmp_path / "broker"
    with embedded_broker(folder):
        workers = [
            start_worker("filesystem://", CELERY_BROKER_DIR=str(folder)),
            start_worker("filesystem://", CELERY_BROKER_DIR=str(folder)),
        ]
        job_id = request_job(hold_attempts=1, share="embedded")  # runs until it is killed
        wait_for(lambda: job(job_id).progress > 0, 60, "task not started")
        running = wait_for(
            lambda: next((w for w in workers if "portal.run_report_job[" in w.text()), None),
            30,
            "no worker logged the task",
        )
        survivor = next(w for w in workers if w is not running)
        running.kill()
        assert job(job_id).status == JobStatus.RUNNING

        # What beat runs every minute; called here with a threshold of zero, no clock to wait for.
        assert sweep_report_jobs(older_than_seconds=0)["requeued"] == [job_id]
        done = wait_for(
            lambda: job(job_id).status == JobStatus.DONE and job(job_id), 60, survivor.text()
        )
    assert done.attempts == 2
    assert len(files_of(media, job_id)) == 1
    assert ReportArtifact.objects.get().status == "done"


def test_a_job_that_raises_is_marked_failed_with_its_reason(redis_broker, start_worker, media):
    start_worker(redis_broker)
    job_id = request_job(seconds=0, fail=True)
    failed = wait_for(lambda: job(job_id).status == JobStatus.FAILED and job(job_id), 30, "no fail")
    assert failed.error == "動作確認のため、わざと失敗させました。"
    assert files_of(media, job_id) == []


def test_a_transient_failure_is_retried_with_backoff_until_it_succeeds(
    redis_broker, start_worker, media
):
    worker = start_worker(redis_broker)
    job_id = request_job(seconds=0, transient_failures=2)
    done = wait_for(lambda: job(job_id).status == JobStatus.DONE and job(job_id), 60, worker.text())
    assert done.attempts == 3
    assert worker.text().count("Retry in") == 2
    assert len(files_of(media, job_id)) == 1


def test_retries_are_bounded_and_then_the_job_fails_with_a_reason(
    redis_broker, start_worker, media
):
    worker = start_worker(redis_broker, CELERY_MAX_RETRIES="1")
    job_id = request_job(seconds=0, transient_failures=5)
    failed = wait_for(
        lambda: job(job_id).status == JobStatus.FAILED and job(job_id), 60, worker.text()
    )
    assert failed.attempts == 2  # the first try and one retry
    assert "予期しないエラー" in failed.error


def test_the_hard_time_limit_stops_a_runaway_job(redis_broker, start_worker, media):
    w = start_worker(redis_broker)
    job_id = request_job(hold_attempts=99)  # runs until the time limit stops it
    failed = wait_for(lambda: job(job_id).status == JobStatus.FAILED and job(job_id), 30, w.text())
    assert "制限時間内に作成が終わらなかった" in failed.error
    assert files_of(media, job_id) == []


def test_sigkill_of_the_whole_worker_mid_task_redelivers_it_and_it_takes_effect_once(
    redis_broker, start_worker, media
):
    first = start_worker(redis_broker)
    job_id = request_job(hold_attempts=1)  # the first attempt runs until it is killed
    wait_for(lambda: job(job_id).progress > 0, 30, f"task not started:\n{first.text()}")
    first.kill()
    killed_at = time.monotonic()
    assert job(job_id).status == JobStatus.RUNNING
    assert files_of(media, job_id) == []

    second = start_worker(redis_broker)
    done = wait_for(lambda: job(job_id).status == JobStatus.DONE and job(job_id), 60, second.text())
    redelivered_after = time.monotonic() - killed_at
    assert done.attempts == 2  # the first delivery died; the message came back once
    assert len(files_of(media, job_id)) == 1
    # Visibility timeout (10 s) plus a restore scan every second, not kombu's default ~100 s.
    assert redelivered_after < 40

    # A further delivery of the same message changes nothing: the job row makes it harmless.
    finished_at = done.finished_at
    run_report_job.delay(job_id)
    wait_for(lambda: second.text().count("succeeded") >= 2, 30, second.text())
    again = job(job_id)
    assert (again.attempts, again.finished_at, again.file.name) == (2, finished_at, done.file.name)
    assert len(files_of(media, job_id)) == 1


def test_sigkill_of_the_pool_child_requeues_the_task_at_once(redis_broker, start_worker, media):
    worker = start_worker(redis_broker)
    job_id = request_job(hold_attempts=1)  # the first attempt runs until it is killed
    wait_for(lambda: job(job_id).progress > 0, 30, worker.text())
    children = subprocess.run(
        ["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert children, "no pool child found"
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    done = wait_for(lambda: job(job_id).status == JobStatus.DONE and job(job_id), 40, worker.text())
    assert done.attempts == 2
    assert len(files_of(media, job_id)) == 1
