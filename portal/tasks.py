"""Celery tasks of the portal core: they take ids, refetch and call a service."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from celery.signals import worker_ready

from portal import services
from portal.celery import ReliableTask

log = logging.getLogger(__name__)


UNEXPECTED = (
    "予期しないエラーのため作成できませんでした。時間をおいて再度お試しいただくか、"
    "窓口にお問い合わせください。"
)
TIMED_OUT = "制限時間内に作成が終わらなかったため中止しました。条件を絞ってもう一度お試しください。"


def timed_out(exc: BaseException | None) -> bool:
    """The soft limit can surface wrapped (raised inside a database call or a library that
    re-raises), so the whole chain of causes is searched."""
    while exc is not None:
        if isinstance(exc, SoftTimeLimitExceeded | TimeLimitExceeded):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class ReportJobTask(ReliableTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Reached after the bounded retries are spent, at once for a non-transient error, and
        # (in the worker's main process) when the hard time limit killed the pool child.
        services.job_fail(job_id=args[0], reason=TIMED_OUT if timed_out(exc) else UNEXPECTED)

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        # The retry waits up to the backoff cap without progress; the sweep must not take the
        # job for dead meanwhile.
        services.job_heartbeat(job_id=args[0])


@shared_task(name="portal.run_report_job", base=ReportJobTask)
def run_report_job(job_id: int) -> None:
    try:
        services.job_run(job_id=job_id)
    except Exception as exc:
        if not timed_out(exc):
            raise
        services.job_fail(job_id=job_id, reason=TIMED_OUT)


@shared_task(name="portal.sweep_report_jobs")
def sweep_report_jobs(older_than_seconds: int | None = None) -> dict[str, list[int]]:
    """Run every minute by beat (settings.CELERY_BEAT_SCHEDULE): re-queue report jobs whose worker
    died, free what they held. Idempotent, so a late or doubled sweep is harmless."""
    outcome = services.job_sweep_stale(older_than_seconds=older_than_seconds)
    if outcome["requeued"] or outcome["failed"]:
        log.warning("stale report jobs: re-queued %s, failed %s", *outcome.values())
    return outcome


@worker_ready.connect
def _requeue_stale_jobs(**_kwargs) -> None:
    """A broker without acknowledgements (the embedded filesystem one) forgets a dead worker's task;
    the job rows remember it. Beat sweeps every minute too; this one spares the wait at start."""
    try:
        sweep_report_jobs()
    except Exception:  # the worker must start even if the database is not reachable yet
        log.exception("could not look for stale report jobs")
