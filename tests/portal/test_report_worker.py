"""Report renders in real Celery workers (Redis broker): one real case book, and the reliability
cases on the light self-test job, which runs until it is stopped or released, so that no test
guesses how fast the machine renders: a worker killed mid-render, a render that fails, a render
that overruns the time limit, and two identical requests at once."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from portal import services
from portal.models import JobStatus, ReportArtifact, ReportJob
from tests.factories import UserFactory
from tests.portal.workers import BOOK_LIMITS, job, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(transactional_db):
    call_command("load_cases", verbosity=0)


def report_files(media: Path) -> list[Path]:
    return sorted(p for p in (media / "reports").rglob("*") if p.is_file())


def request_book(**params) -> int:
    return services.job_request(kind="casebook", params=params, by=UserFactory()).pk


def request_render(**params) -> int:
    """A self-test job with a fingerprint: it claims and frees a render as a report does."""
    return services.job_request(
        kind="selftest", params={"share": "render", **params}, by=UserFactory()
    ).pk


def test_a_real_case_book_is_rendered_by_a_worker_into_one_pdf(
    cases, book_broker, start_worker, media
):
    worker = start_worker(book_broker, **BOOK_LIMITS)
    job_id = request_book()
    done = wait_for(
        lambda: job(job_id).status == JobStatus.DONE and job(job_id), 280, worker.text()
    )
    assert done.attempts == 1
    files = report_files(media)
    assert [f.name for f in files] == [Path(done.file.name).name]
    assert files[0].read_bytes().startswith(b"%PDF") and files[0].stat().st_size == done.size
    assert ReportArtifact.objects.get().status == "done"


def test_sigkill_of_the_worker_mid_render_delivers_the_render_again_and_it_finishes_once(
    redis_broker, start_worker, media
):
    first = start_worker(redis_broker)
    job_id = request_render(hold_attempts=1)  # the first attempt renders until it is killed
    wait_for(lambda: job(job_id).progress > 0, 60, f"render not started:\n{first.text()}")
    assert ReportArtifact.objects.get().status == "rendering"
    first.kill()
    assert job(job_id).status == JobStatus.RUNNING
    assert report_files(media) == []

    second = start_worker(redis_broker)
    done = wait_for(lambda: job(job_id).status == JobStatus.DONE and job(job_id), 60, second.text())
    assert done.attempts == 2
    files = report_files(media)
    assert [f.name for f in files] == [Path(done.file.name).name]
    assert files[0].stat().st_size == done.size
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


def test_the_time_limit_stops_a_runaway_render(redis_broker, start_worker, media):
    worker = start_worker(redis_broker)  # 7 s soft, 8 s hard limit
    job_id = request_render(hold_attempts=99)  # renders until the limit stops it
    wait_for(lambda: job(job_id).progress > 0, 60, f"render not started:\n{worker.text()}")
    assert ReportArtifact.objects.count() == 1
    failed = wait_for(
        lambda: job(job_id).status == JobStatus.FAILED and job(job_id), 60, worker.text()
    )
    assert "制限時間内に作成が終わらなかった" in failed.error
    assert report_files(media) == []
    assert ReportArtifact.objects.count() == 0  # the next request renders afresh


def test_two_identical_requests_at_once_render_once(tmp_path, redis_broker, start_worker, media):
    start_worker(redis_broker)
    start_worker(redis_broker)
    release = tmp_path / "release"
    first, second = (request_render(until_file=str(release)) for _ in range(2))
    # Both have started: one renders (held until released), the other waits for its file.
    wait_for(
        lambda: all(
            job(j).status == JobStatus.RUNNING and job(j).progress > 0 for j in (first, second)
        ),
        60,
        "both jobs not started",
    )
    assert ReportArtifact.objects.get().status == "rendering"
    release.touch()
    for job_id in (first, second):
        wait_for(lambda j=job_id: job(j).status == JobStatus.DONE, 60, f"job {job_id} not done")
    jobs = ReportJob.objects.filter(pk__in=[first, second])
    assert {j.attempts for j in jobs} == {1}
    assert sorted(j.reused for j in jobs) == [False, True]
    assert len({j.file.name for j in jobs}) == 1
    assert len(report_files(media)) == 1
    assert ReportArtifact.objects.count() == 1
    assert os.path.getsize(report_files(media)[0]) == jobs[0].size
