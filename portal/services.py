"""Every write of the portal core: inviting users and running report jobs."""

import hashlib
import logging
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal import access, jobs, providers
from portal.celery import enqueue_task
from portal.changes import EditConflict, with_actor  # noqa: F401  (views catch services.EditConflict)
from portal.models import (
    ArtifactStatus,
    JobStatus,
    ReportArtifact,
    ReportJob,
    Role,
    User,
    report_upload_to,
)

log = logging.getLogger(__name__)


# --- Users --------------------------------------------------------------------------------------
def user_invite(
    *,
    email: str,
    full_name: str,
    role: str,
    organization: str = "",
    corporation_number: str = "",
    superuser: bool = False,
    by: User,
    base_url: str,
) -> User:
    """Create an account without a password and e-mail its owner a link to choose one."""
    if not access.can_grant_role(by, role, superuser):
        raise PermissionDenied(
            "ご自分より上の権限の利用者は招待できません（管理者を登録できるのは管理者だけです）。"
        )
    if superuser and role != Role.STAFF:
        raise ValidationError(
            {"role": "管理者にする場合は、役割を「相談窓口職員」にしてください。"}
        )
    if (
        role == Role.MANAGER
        and corporation_number
        and not providers.registry_has(corporation_number)
    ):
        raise ValidationError(
            {
                "corporation_number": "この法人番号の法人は事業者台帳にありません。"
                "台帳に載っている法人の番号か、番号の誤りがないかを確かめてください。"
            }
        )
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
        is_superuser=superuser,
        is_staff=superuser,  # the admin site is for superusers only
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        with_actor(user, by, f"{by.email} が招待")
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
    if not access.can_change_user(by, user):
        raise PermissionDenied("管理者のアカウントを変更できるのは管理者だけです。")
    if user.pk == by.pk and not active:
        raise ValidationError("自分自身のアカウントは無効にできません。")
    user.is_active = active
    with_actor(user, by, f"{by.email} が{'有効化' if active else '無効化'}")
    user.save(update_fields=["is_active"])
    return user


# --- Report jobs --------------------------------------------------------------------------------
def job_request(
    *, kind: str, params: dict | None = None, by: User | None, enqueue: bool = True
) -> ReportJob:
    """Write the job row, then enqueue its task once the row is committed.

    Asking again for what one is already waiting for returns the waiting job (a double click
    makes one job); the kind decides whether this person may have the file at all.
    """
    job_kind = jobs.get_kind(kind)  # unknown kinds fail here, not in the worker
    params = params or {}
    job = ReportJob(kind=kind, params=params, requested_by=by)
    if by is not None and not job_kind.may_download(by, job):
        raise PermissionDenied("このレポートを依頼する権限がありません。")
    with transaction.atomic():
        waiting = (
            ReportJob.objects.filter(
                kind=kind,
                requested_by=by,
                status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
            )
            .order_by("pk")
            .only("pk", "params", "heartbeat_at", "created_at")
        )
        cutoff = _stale_cutoff()
        for other in waiting:
            if other.params != params:
                continue
            if _is_stale(other, cutoff):
                # Its worker is gone: the person gets a new render, not a job that never ends.
                job_fail(job_id=other.pk, reason=STALLED)
                continue
            return ReportJob.objects.get(pk=other.pk)
        job.title = job_kind.describe(params)[:300]
        job.save()
        if enqueue:  # the render_report command runs the task in its own process instead
            transaction.on_commit(partial(enqueue_task, "portal.run_report_job", job.pk))
    return job


def _job_progress(job_id: int, holds_render: list[bool]):
    def report(percent: int) -> None:
        now = timezone.now()
        ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=max(0, min(99, int(percent))), heartbeat_at=now
        )
        # Only the renderer writes the artifact's heartbeat: fewer writes while SQLite is shared.
        if holds_render[0]:
            ReportArtifact.objects.filter(job_id=job_id, status=ArtifactStatus.RENDERING).update(
                heartbeat_at=now
            )

    return report


def job_run(*, job_id: int) -> ReportJob | None:
    """Run one job; a repeated delivery of a finished job changes nothing.

    The claim and the completion each lock the row, so two deliveries at once produce one file.
    A job whose data was already rendered (same fingerprint) reuses that file; two identical jobs
    at once render once (see `_artifact_claim`).
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
    holds_render = [False]  # set once this job renders a fingerprint (see _artifact_claim)
    progress = _job_progress(job.pk, holds_render)
    try:
        draft = kind.prepare(job, progress)
        if draft.title and draft.title != job.title:
            ReportJob.objects.filter(pk=job.pk).update(title=draft.title[:300])
        if draft.fingerprint:
            artifact = _artifact_claim(job=job, draft=draft, progress=progress)
            if artifact.status == ArtifactStatus.DONE:
                return _job_finish_reused(job_id=job.pk, artifact=artifact)
            holds_render[0] = True
        content = draft.build(progress)
    except jobs.JobError as exc:
        return job_fail(job_id=job.pk, reason=str(exc))  # also frees the fingerprint
    except BaseException:
        _artifact_release(job_id=job.pk)
        raise

    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.is_finished:  # another delivery finished first
            return job
        job.content_hash = hashlib.sha256(content).hexdigest()
        _save_file(job, "file", draft.filename, content)
        job.size = len(content)
        if draft.companion is not None:
            _save_file(job, "attachment", draft.companion.filename, draft.companion.content)
            job.attachment_size = len(draft.companion.content)
        job.fingerprint = draft.fingerprint
        _mark_done(job)
        if draft.fingerprint:
            ReportArtifact.objects.filter(fingerprint=draft.fingerprint).update(
                status=ArtifactStatus.DONE,
                job=job,
                file=job.file.name,
                size=job.size,
                attachment=job.attachment.name if job.attachment else "",
                attachment_size=job.attachment_size,
                content_hash=job.content_hash,
                heartbeat_at=timezone.now(),
            )
    return job


def _save_file(job: ReportJob, field: str, filename: str, content: bytes) -> None:
    file = getattr(job, field)
    target = report_upload_to(job, filename)
    if file.storage.exists(target):  # left by a delivery that died before committing
        file.storage.delete(target)
    file.save(filename, ContentFile(content), save=False)


def _artifact_claim(*, job: ReportJob, draft: jobs.Draft, progress) -> ReportArtifact:
    """Return the finished artifact to reuse, or one this job now renders.

    The first job to create the fingerprint's row renders; an identical job arriving meanwhile
    waits for it (the renderer's heartbeat shows it is alive) and then reuses its file. A job takes
    the row over when it is its own (a repeated delivery after a crash), when the renderer has
    gone silent, or when the finished file has disappeared from storage.
    """
    stale_after = timedelta(seconds=settings.REPORT_RENDER_STALE_SECONDS)
    waited = False
    while True:
        with transaction.atomic():
            artifact, created = ReportArtifact.objects.get_or_create(
                fingerprint=draft.fingerprint,
                defaults={"kind": job.kind, "job": job, "heartbeat_at": timezone.now()},
            )
            if created:
                return artifact
            artifact = ReportArtifact.objects.select_for_update().get(pk=artifact.pk)
            busy = False
            if artifact.status == ArtifactStatus.DONE:
                if artifact.file and job.file.storage.exists(artifact.file):
                    return artifact
            elif (
                artifact.job_id != job.pk
                and artifact.heartbeat_at > timezone.now() - stale_after
                and _renders(artifact.job_id)
            ):
                busy = True  # another job is rendering the same file: wait for it
            if not busy:
                artifact.status = ArtifactStatus.RENDERING
                artifact.job = job
                artifact.heartbeat_at = timezone.now()
                artifact.save(update_fields=["status", "job", "heartbeat_at"])
                return artifact
        if not waited:
            progress(5)
            waited = True
        time.sleep(0.5)


def _renders(job_id: int | None) -> bool:
    """The job holding a render is still waiting or running, and not stale."""
    return (
        job_id is not None
        and ReportJob.objects.filter(pk=job_id)
        .exclude(_stale_q(_stale_cutoff()))
        .filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .exists()
    )


def _artifact_release(*, job_id: int) -> None:
    """A render that did not finish frees its fingerprint, so the next request renders anew."""
    ReportArtifact.objects.filter(job_id=job_id, status=ArtifactStatus.RENDERING).delete()


def _job_finish_reused(*, job_id: int, artifact: ReportArtifact) -> ReportJob:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return job
        job.file.name = artifact.file
        job.size = artifact.size
        job.attachment.name = artifact.attachment or None
        job.attachment_size = artifact.attachment_size
        job.content_hash = artifact.content_hash
        job.fingerprint = artifact.fingerprint
        job.reused = True
        _mark_done(job)
    return job


def _mark_done(job: ReportJob) -> None:
    job.status = JobStatus.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    job.error = ""
    job.save()
    transaction.on_commit(lambda: _announce_finished(job))


def _announce_finished(job: ReportJob) -> None:
    """Tell the requester (notices/, above the core, registers the hook)."""
    try:
        providers.collect("report_job_finished", job=job)
    except Exception:  # a notice must never undo or fail a finished job
        log.exception("could not announce report job %s", job.pk)


def job_fail(*, job_id: int, reason: str) -> ReportJob:
    _artifact_release(job_id=job_id)  # also after a hard time limit killed the renderer
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.status == JobStatus.DONE:
            return job
        job.status = JobStatus.FAILED
        job.error = reason
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        transaction.on_commit(lambda: _announce_finished(job))
    return job


STALLED = "作成中に処理が途絶えたため中止しました。お手数ですが、もう一度依頼してください。"


def _stale_cutoff(older_than_seconds: int | None = None):
    seconds = (
        settings.REPORT_JOB_STALE_SECONDS if older_than_seconds is None else older_than_seconds
    )
    return timezone.now() - timedelta(seconds=seconds)


def _stale_q(cutoff) -> Q:
    """Waiting or running, and nobody vouched for it since the cutoff (see REPORT_JOB_STALE_SECONDS)."""
    return Q(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )


def _is_stale(job: ReportJob, cutoff) -> bool:
    return (job.heartbeat_at or job.created_at) < cutoff


def job_heartbeat(*, job_id: int) -> None:
    """The job is alive though it reports no progress (a retry is scheduled)."""
    ReportJob.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        heartbeat_at=timezone.now()
    )


def job_sweep_stale(*, older_than_seconds: int | None = None) -> dict[str, list[int]]:
    """Recover report jobs whose worker died: the periodic sweep (beat) and worker start call it.

    A stale job frees the fingerprint it was rendering, then goes back to the queue, or fails
    with a reason once it has used up its attempts (a job that kills every worker it runs on).
    Renders left behind by finished or stale jobs are freed too. Running twice is harmless:
    the stale condition is checked again under the row lock, a re-queued job counts as fresh
    until the threshold passes again, and `job_run` skips finished jobs.
    """
    cutoff = _stale_cutoff(older_than_seconds)
    max_attempts = settings.CELERY_MAX_RETRIES + 1
    outcome: dict[str, list[int]] = {"requeued": [], "failed": []}
    for job_id in ReportJob.objects.filter(_stale_q(cutoff)).values_list("pk", flat=True):
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().filter(_stale_q(cutoff), pk=job_id).first()
            if job is None:  # finished or picked up meanwhile
                continue
            _artifact_release(job_id=job.pk)
            if job.attempts >= max_attempts:
                job.status = JobStatus.FAILED
                job.error = STALLED
                job.finished_at = timezone.now()
                job.save(update_fields=["status", "error", "finished_at"])
                outcome["failed"].append(job.pk)
                continue
            job.status = JobStatus.QUEUED
            job.progress = 0
            job.heartbeat_at = timezone.now()
            job.save(update_fields=["status", "progress", "heartbeat_at"])
            transaction.on_commit(partial(enqueue_task, "portal.run_report_job", job.pk))
            outcome["requeued"].append(job.pk)
    ReportArtifact.objects.filter(status=ArtifactStatus.RENDERING).filter(
        Q(heartbeat_at__lt=cutoff)
        | Q(job__isnull=True)
        | Q(job__status__in=[JobStatus.DONE, JobStatus.FAILED])
    ).delete()
    return outcome
