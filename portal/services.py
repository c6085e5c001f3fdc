"""Every write of the portal core: inviting users and running report jobs."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal import jobs
from portal.models import JobStatus, ReportJob, Role, User, report_upload_to

log = logging.getLogger(__name__)


class EditConflict(Exception):
    """Somebody else saved the same row after this person opened it: the save is refused and the
    page says so, so nothing is overwritten silently (every app's services raise this one)."""


# --- Users --------------------------------------------------------------------------------------
def user_invite(
    *,
    email: str,
    full_name: str,
    role: str,
    organization: str = "",
    corporation_number: str = "",
    by: User,
    base_url: str,
) -> User:
    """Create an account without a password and e-mail its owner a link to choose one."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "このメールアドレスの利用者はすでに登録されています。"})
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        organization=organization,
        corporation_number=corporation_number if role == Role.MANAGER else "",
        invited_by=by,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user._change_reason = f"{by.email} が招待"  # type: ignore[attr-defined]  # simple-history
        user.save()
        transaction.on_commit(lambda: user_send_invitation(user=user, by=by, base_url=base_url))
    return user


def user_invitation_link(*, user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:invite_accept", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def user_send_invitation(*, user: User, by: User, base_url: str) -> None:
    context = {
        "user": user,
        "by": by,
        "link": user_invitation_link(user=user, base_url=base_url),
        "window_name": settings.PORTAL_WINDOW_NAME,
        "prefecture": settings.PORTAL_PREFECTURE,
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    send_mail(
        subject=f"【{settings.PORTAL_PREFECTURE} 協働化支援ポータル】利用者登録のご案内",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def user_set_active(*, user: User, active: bool, by: User) -> User:
    if user.pk == by.pk and not active:
        raise ValidationError("自分自身のアカウントは無効にできません。")
    user.is_active = active
    user._change_reason = f"{by.email} が{'有効化' if active else '無効化'}"  # type: ignore[attr-defined]
    user.save(update_fields=["is_active"])
    return user


# --- Report jobs --------------------------------------------------------------------------------
def job_request(*, kind: str, params: dict | None = None, by: User | None) -> ReportJob:
    """Write the job row, then enqueue its task once the row is committed."""
    from portal.tasks import run_report_job

    jobs.get_kind(kind)  # unknown kinds fail here, not in the worker
    with transaction.atomic():
        job = ReportJob.objects.create(kind=kind, params=params or {}, requested_by=by)
        transaction.on_commit(lambda: run_report_job.delay(job.pk))
    return job


def _job_progress(job_id: int):
    def report(percent: int) -> None:
        ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=max(0, min(99, int(percent))), heartbeat_at=timezone.now()
        )

    return report


def job_run(*, job_id: int) -> ReportJob | None:
    """Run one job; a repeated delivery of a finished job changes nothing.

    The claim and the completion each lock the row, so two deliveries at once produce one file.
    """
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            log.warning("report job %s no longer exists", job_id)
            return None
        if job.is_finished:
            return job
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])

    kind = jobs.get_kind(job.kind)
    try:
        output = kind.render(job, _job_progress(job.pk))
    except jobs.JobError as exc:
        return job_fail(job_id=job.pk, reason=str(exc))

    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.is_finished:  # another delivery finished first
            return job
        job.content_hash = hashlib.sha256(output.content).hexdigest()
        target = report_upload_to(job, output.filename)
        if job.file.storage.exists(target):  # left by a delivery that died before committing
            job.file.storage.delete(target)
        job.file.save(output.filename, ContentFile(output.content), save=False)
        job.size = len(output.content)
        job.status = JobStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.error = ""
        job.save()
    return job


def job_fail(*, job_id: int, reason: str) -> ReportJob:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.status == JobStatus.DONE:
            return job
        job.status = JobStatus.FAILED
        job.error = reason
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
    return job


def job_requeue_stale(*, older_than_seconds: int) -> list[int]:
    """Enqueue again jobs that no worker is working on (after a crash with a broker that forgets).

    Running twice is harmless: `job_run` skips finished jobs and locks the row to finish once.
    """
    from portal.tasks import run_report_job

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = list(
        ReportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .exclude(heartbeat_at__gte=cutoff)
        .filter(created_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    for job_id in stale:
        run_report_job.delay(job_id)
    return stale
