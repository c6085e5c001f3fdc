"""Real PDF renders in real Celery workers (Redis broker): a worker killed mid-render, a render that
fails, a render that overruns the time limit, and two identical requests at once."""

import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from portal import services
from portal.models import JobStatus, ReportArtifact, ReportJob
from tests.factories import UserFactory
from tests.portal.test_worker import FAST_LIMITS, broker, job, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# A 29-case book takes 10–20 s on two cores: limits long enough for it, and a visibility timeout
# just above them so that a killed worker's render comes back within a minute.
BOOK_LIMITS = {
    "CELERY_TASK_TIME_LIMIT": "30",
    "CELERY_TASK_SOFT_TIME_LIMIT": "27",
    "CELERY_VISIBILITY_TIMEOUT": "32",
}


@pytest.fixture
def book_broker(redis_broker):
    """The Redis broker, publishing with the book's limits (they travel in each message)."""
    from portal.tasks import run_report_job

    saved = run_report_job.time_limit, run_report_job.soft_time_limit
    with broker(
        redis_broker,
        visibility_timeout=int(BOOK_LIMITS["CELERY_VISIBILITY_TIMEOUT"]),
        unacked_restore_interval=1,
        unacked_restore_throttle=1,
    ):
        run_report_job.time_limit = int(BOOK_LIMITS["CELERY_TASK_TIME_LIMIT"])
        run_report_job.soft_time_limit = int(BOOK_LIMITS["CELERY_TASK_SOFT_TIME_LIMIT"])
        run_report_job._exec_options = None  # Celery caches the limits it publishes with
        yield redis_broker
    run_report_job.time_limit, run_report_job.soft_time_limit = saved
    run_report_job._exec_options = None


@pytest.fixture
def cases(transactional_db):
    call_command("load_cases", verbosity=0)


def report_files(media: Path) -> list[Path]:
    return sorted(p for p in (media / "reports").rglob("*") if p.is_file())


def request_book(**params) -> int:
    return services.job_request(kind="casebook", params=params, by=UserFactory()).pk


def test_sigkill_of_the_worker_mid_render_delivers_the_book_again_and_it_finishes_once(
    cases, book_broker, start_worker, media
):
    first = start_worker(book_broker, **BOOK_LIMITS)
    job_id = request_book()
    wait_for(lambda: job(job_id).progress >= 20, 60, f"render not started:\n{first.text()}")
    time.sleep(1)  # inside WeasyPrint's layout
    first.kill()
    assert job(job_id).status == JobStatus.RUNNING
    assert report_files(media) == []

    second = start_worker(book_broker, **BOOK_LIMITS)
    done = wait_for(
        lambda: job(job_id).status == JobStatus.DONE and job(job_id), 150, second.text()
    )
    assert done.attempts == 2
    files = report_files(media)
    assert [f.name for f in files] == [Path(done.file.name).name]
    assert files[0].read_bytes().startswith(b"%PDF") and files[0].stat().st_size == done.size
    assert ReportArtifact.objects.get().status == "done"


def test_a_render_that_raises_fails_with_its_reason_and_leaves_no_file(
    cases, redis_broker, start_worker, media
):
    worker = start_worker(redis_broker)
    nothing = request_book(q=["該当する事例のない言葉"])
    crash = services.job_request(kind="selftest", params={"crash": True}, by=UserFactory()).pk
    failed = wait_for(
        lambda: job(nothing).status == JobStatus.FAILED and job(nothing), 60, worker.text()
    )
    assert "条件に合う公開事例がありません" in failed.error
    crashed = wait_for(
        lambda: job(crash).status == JobStatus.FAILED and job(crash), 60, worker.text()
    )
    assert "予期しないエラー" in crashed.error
    assert report_files(media) == []
    assert not failed.file and not crashed.file


def test_the_time_limit_stops_a_runaway_render(cases, redis_broker, start_worker, media):
    # The fast limits (7 s soft, 8 s hard) are shorter than a book render.
    worker = start_worker(redis_broker)
    job_id = request_book()
    failed = wait_for(
        lambda: job(job_id).status == JobStatus.FAILED and job(job_id), 60, worker.text()
    )
    assert "制限時間内に作成が終わらなかった" in failed.error
    assert report_files(media) == []
    assert ReportArtifact.objects.count() == 0  # the next request renders afresh
    assert int(FAST_LIMITS["CELERY_TASK_SOFT_TIME_LIMIT"]) < 10


def test_two_identical_requests_at_once_render_once(cases, book_broker, start_worker, media):
    start_worker(book_broker, **BOOK_LIMITS)
    start_worker(book_broker, **BOOK_LIMITS)
    first, second = request_book(form=["loose"]), request_book(form=["loose"])
    for job_id in (first, second):
        wait_for(lambda j=job_id: job(j).status == JobStatus.DONE, 120, f"job {job_id} not done")
    jobs = ReportJob.objects.filter(pk__in=[first, second])
    assert {j.attempts for j in jobs} == {1}
    assert sorted(j.reused for j in jobs) == [False, True]
    assert len({j.file.name for j in jobs}) == 1
    assert len(report_files(media)) == 1
    assert ReportArtifact.objects.count() == 1
    started = sorted(j.started_at for j in jobs)
    assert started[1] - started[0] < (max(j.finished_at for j in jobs) - started[0])  # overlapped
    assert os.path.getsize(report_files(media)[0]) == jobs[0].size
