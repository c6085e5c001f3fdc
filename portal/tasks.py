"""Celery tasks of the portal core: they take ids, refetch and call a service."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings

from portal import services
from portal.celery import ReliableTask

log = logging.getLogger(__name__)


class ReportJobTask(ReliableTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Reached after the bounded retries are spent, or at once for a non-transient error.
        services.job_fail(
            job_id=args[0],
            reason="予期しないエラーのため作成できませんでした。時間をおいて再度お試しいただくか、窓口にお問い合わせください。",
        )


@shared_task(name="portal.run_report_job", base=ReportJobTask)
def run_report_job(job_id: int) -> None:
    try:
        services.job_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        services.job_fail(
            job_id=job_id,
            reason="制限時間内に作成が終わらなかったため中止しました。条件を絞ってもう一度お試しください。",
        )


@worker_ready.connect
def _requeue_stale_jobs(**_kwargs) -> None:
    """A broker without acknowledgements (the embedded filesystem one) forgets a dead worker's task;
    the job rows remember it."""
    try:
        requeued = services.job_requeue_stale(older_than_seconds=settings.CELERY_TASK_TIME_LIMIT)
    except Exception:  # the worker must start even if the database is not reachable yet
        log.exception("could not look for stale report jobs")
        return
    if requeued:
        log.warning("re-enqueued stale report jobs: %s", requeued)
