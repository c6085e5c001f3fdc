"""Every write of notices: raising them (`notify`, the one entry point), reading, settings, mail."""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notices import scans
from notices.models import Delivery, Notice, NoticeKind, NoticePreference, content_type_of
from notices.selectors import deliveries, unread_cache_key
from portal.celery import enqueue_task
from portal.mail import send_once

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notices.unsubscribe"


def _forget_counts(user_ids: Iterable[int]) -> None:
    """Drop the header counts now and again after commit (a page read in between would cache
    the count from before this transaction)."""
    keys = [unread_cache_key(pk) for pk in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def notify(
    *,
    recipients,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    obj=None,
    key: str,
    mailed_elsewhere: bool = False,
) -> list[Notice]:
    """Give each recipient one notice of this event (none for whoever already has `key`), and,
    after commit, mail those who want this kind at once. The caller chooses recipients and words
    with its own access rules: a notice says only what its recipient may see.

    `mailed_elsewhere`: the event has its own mail (a sub-meeting invitation carries its .ics), so
    the notice is for the notice centre only and is neither mailed nor put in a digest."""
    if kind not in NoticeKind.values:
        raise ValueError(f"unknown notice kind {kind!r}")
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not people:
        return []
    content_type = content_type_of(obj)
    with transaction.atomic():
        had = set(
            Notice.objects.filter(recipient_id__in=people, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [pk for pk in people if pk not in had]
        if not fresh:
            return []
        how = (
            dict.fromkeys(fresh, str(Delivery.OFF)) if mailed_elsewhere else deliveries(fresh, kind)
        )
        Notice.objects.bulk_create(
            [
                Notice(
                    recipient_id=pk,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    url=url[:500],
                    content_type=content_type,
                    object_id=obj.pk if obj is not None else None,
                    key=key[:200],
                    delivery=how[pk],
                )
                for pk in fresh
            ],
            ignore_conflicts=True,  # a concurrent run of the same event made it first
        )
        created = list(
            Notice.objects.filter(recipient_id__in=fresh, key=key[:200], emailed_at__isnull=True)
        )
        to_mail = [n.pk for n in created if n.delivery == Delivery.IMMEDIATE]
        _forget_counts(fresh)
        if to_mail:
            transaction.on_commit(lambda: _enqueue_mail(to_mail))
    return created


def _enqueue_mail(notice_ids: list[int]) -> None:
    for pk in notice_ids:
        enqueue_task("notices.send_notice_mail", pk)


# --- Reading ----------------------------------------------------------------------------------------
def notice_mark_read(*, notice: Notice, by) -> Notice:
    with transaction.atomic():
        updated = Notice.objects.for_user(by).filter(pk=notice.pk, read_at__isnull=True)
        updated.update(read_at=timezone.now())
        _forget_counts([by.pk])
    notice.refresh_from_db(fields=["read_at"])
    return notice


def notices_mark_all_read(*, by) -> int:
    with transaction.atomic():
        count = Notice.objects.for_user(by).unread().update(read_at=timezone.now())
        _forget_counts([by.pk])
    return count


# --- Settings and unsubscribe links -----------------------------------------------------------------
def preferences_update(*, user, values: dict[str, str], by) -> None:
    """Store the user's delivery for every kind given (by: the user, or an unsubscribe link)."""
    with transaction.atomic():
        for kind, delivery in values.items():
            if kind not in NoticeKind.values or delivery not in Delivery.values:
                raise ValueError("unknown kind or delivery")
            NoticePreference.objects.update_or_create(
                user=user, kind=kind, defaults={"delivery": delivery}
            )


def unsubscribe_token(*, user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[object, str] | None:
    """The user and kind a link was signed for, or None for a tampered or unknown one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in NoticeKind.values:
        return None
    user_id = data.get("u")
    if not isinstance(user_id, int):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return (user, data["k"]) if user else None


def unsubscribe(*, token: str) -> tuple[object, str] | None:
    """Turn off mail of one kind for the one user the link was signed for."""
    found = unsubscribe_read(token)
    if found is None:
        return None
    user, kind = found
    preferences_update(user=user, values={kind: Delivery.OFF}, by=user)
    return user, kind


# --- Mail -------------------------------------------------------------------------------------------
def _base_url() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/")


def _absolute(url: str) -> str:
    return f"{_base_url()}{url}" if url.startswith("/") else url


def _message(*, user, subject: str, template: str, context: dict, kind: str | None):
    unsubscribe_url = (
        _absolute(reverse("notices:unsubscribe", args=[unsubscribe_token(user=user, kind=kind)]))
        if kind
        else ""
    )
    context = {
        **context,
        "user": user,
        "window_name": settings.PORTAL_WINDOW_NAME,
        "centre_url": _absolute(reverse("notices:centre")),
        "settings_url": _absolute(reverse("notices:settings")),
        "unsubscribe_url": unsubscribe_url,
    }
    headers = {}
    if unsubscribe_url:
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    message = EmailMultiAlternatives(
        subject=f"【{settings.PORTAL_WINDOW_NAME}】{subject}",
        body=render_to_string(f"notices/email/{template}.txt", context),
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(
        render_to_string(f"notices/email/{template}.html", context), "text/html"
    )
    return message


def notice_mail_send(*, notice_id: int) -> int:
    """Mail one notice, once (`send_once`: a retried or re-delivered task, or a second worker,
    sends nothing more; an SMTP error leaves the stamp unset and the task retries). Only a notice
    delivered immediately to an active user with an address is mailed."""

    def build(notices: list[Notice]) -> list[EmailMultiAlternatives]:
        (notice,) = notices
        return [
            _message(
                user=notice.recipient,
                subject=notice.title,
                template="notice",
                context={"notice": notice, "url": _absolute(notice.url) if notice.url else ""},
                kind=notice.kind,
            )
        ]

    return send_once(
        Notice.objects.select_related("recipient")
        .filter(pk=notice_id, delivery=Delivery.IMMEDIATE, recipient__is_active=True)
        .exclude(recipient__email=""),
        stamp="emailed_at",
        build=build,
    )


def digest_mail_send(*, user_id: int, now: datetime | None = None) -> int:
    """One mail with every digest notice the user has not had in a digest yet (the last day's,
    or more if a morning was missed); the notices are stamped with the send, so never twice."""
    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0

    def build(pending: list[Notice]) -> list[EmailMultiAlternatives]:
        return [
            _message(
                user=user,
                subject=f"本日のお知らせ（{len(pending)}件）",
                template="digest",
                context={
                    "notices": [(n, _absolute(n.url) if n.url else "") for n in pending],
                    "day": timezone.localdate(now),
                },
                kind=None,
            )
        ]

    return send_once(
        Notice.objects.filter(recipient=user, created_at__lte=now)
        .digest_pending()
        .order_by("created_at", "pk"),
        stamp="digested_at",
        build=build,
        at=now,
    )


def digest_recipients(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return sorted(
        set(
            Notice.objects.digest_pending()
            .filter(created_at__lte=now)
            .values_list("recipient_id", flat=True)
        )
    )


# --- The daily scan ---------------------------------------------------------------------------------
def register_scanner(name: str, scanner: scans.Scanner) -> None:
    """Apps add their part of the morning scan here, from their AppConfig.ready()."""
    scans.register(name, scanner)


def reminders_run(*, today: date | None = None) -> dict[str, int]:
    """Run every registered scanner for `today` (each raises notices with notify(); their keys
    name the object and its date, so a second run the same day raises none), then queue the
    digests. Returns the notices made per scanner and the digests queued."""
    today = today or timezone.localdate()
    outcome: dict[str, int] = {}
    for name, scanner in scans.registered():
        try:
            outcome[name] = scanner(today=today)
        except Exception:  # one broken scanner must not keep the others' reminders back
            log.exception("reminder scanner %s failed", name)
            outcome[name] = -1
    users = digest_recipients()
    for user_id in users:
        enqueue_task("notices.send_digest_mail", user_id)
    outcome["digests"] = len(users)
    return outcome


def days_since(moment: datetime | None, today: date) -> int | None:
    return None if moment is None else (today - timezone.localdate(moment)).days


def soon(today: date, days: int) -> date:
    return today + timedelta(days=days)


# --- Report jobs (portal core asks through providers) -----------------------------------------------
def report_job_finished(*, job, **_kwargs) -> None:
    """The requester of a report hears that it is ready, or why it failed."""
    user = job.requested_by
    if user is None:
        return
    done = job.status == "done"
    what = job.title or "帳票"
    notify(
        recipients=[user],
        kind=NoticeKind.REPORT_FINISHED,
        title=f"「{what}」ができました" if done else f"「{what}」を作成できませんでした",
        body="帳票・ダウンロードのページから受け取れます。"
        if done
        else (job.error or "もう一度依頼してください。"),
        url=reverse("reports"),
        obj=job,
        key=f"report-job:{job.pk}:{job.status}",
    )
