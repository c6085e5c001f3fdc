"""Every write of the desk: consultations, their timeline and outcomes, the public form, the
introduction requests of managers and the retention purge. Each runs in one transaction, keeps
history (the acting user on every historical row) and sends mail only after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from desk import reminders
from desk.models import (
    STATUS_MOVES,
    Channel,
    Consultation,
    ConsultationNote,
    IntroductionRequest,
    NoteKind,
    Outcome,
    OutcomeKind,
    RequestStatus,
    Status,
)
from desk.selectors import forget_requests_of
from partners.models import Challenge, Corporation, Introduction
from partners.services import introduction_propose
from portal.celery import enqueue_task
from portal.changes import with_actor
from portal.mail import send_once
from portal.validators import is_valid_corporate_number


def _who(user) -> str:
    return (user.get_full_name() or user.email) if user else "システム"


def _save(obj, by, reason: str = "") -> None:
    with_actor(obj, by, reason).save()


def _registry_corporation(number: str) -> Corporation | None:
    if not number or not is_valid_corporate_number(number):
        return None
    return Corporation.objects.filter(number=number).first()


def consultation_create(
    *,
    channel: str,
    summary: str,
    by=None,
    topics: Iterable[Challenge] = (),
    corporation: Corporation | None = None,
    corporation_name: str = "",
    corporation_number: str = "",
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    owner=None,
    follow_up_on: dt.date | None = None,
    received_at: dt.datetime | None = None,
) -> Consultation:
    """Log one consultation. A 法人番号 found in the registry links the corporation."""
    if corporation is None:
        corporation = _registry_corporation(corporation_number)
    consultation = Consultation(
        channel=channel,
        summary=summary.strip()[:200] or "相談",
        corporation=corporation,
        corporation_name=corporation_name or (corporation.name if corporation else ""),
        corporation_number=corporation_number or (corporation.number if corporation else ""),
        contact_name=contact_name,
        email=email,
        phone=phone,
        message=message,
        owner=owner,
        status=Status.IN_PROGRESS if owner else Status.RECEIVED,
        follow_up_on=follow_up_on,
        received_at=received_at or timezone.now(),
        created_by=by,
    )
    consultation.full_clean(exclude=["topics"])
    with transaction.atomic():
        _save(consultation, by, "受付")
        consultation.topics.set(list(topics))
        ConsultationNote.objects.create(
            consultation=consultation,
            kind=NoteKind.STATUS,
            text=f"{Channel(channel).label}で受け付けました（{_who(by)}）",
            by=by,
        )
        reminders.assigned(consultation, by=by)
    return consultation


def consultation_submit(
    *,
    corporation_name: str,
    corporation_number: str,
    contact_name: str,
    email: str,
    phone: str,
    topics: Iterable[Challenge],
    message: str,
) -> Consultation:
    """The public form: the consultation, then (after commit) the requester's confirmation and
    the staff's notice, sent by a Celery task."""
    with transaction.atomic():
        consultation = consultation_create(
            channel=Channel.FORM,
            summary=f"フォームからの相談（{corporation_name}）",
            corporation_name=corporation_name,
            corporation_number=corporation_number,
            contact_name=contact_name,
            email=email,
            phone=phone,
            topics=topics,
            message=message,
        )
        pk = consultation.pk
        transaction.on_commit(partial(enqueue_task, "desk.send_consultation_mail", pk))
    return consultation


def consultation_update(
    *,
    consultation: Consultation,
    by,
    owner=None,
    follow_up_on: dt.date | None = None,
    topics: Iterable[Challenge] | None = None,
    corporation: Corporation | None = None,
    summary: str | None = None,
) -> Consultation:
    """Staff set the owner, the next follow-up date, the topics, the corporation or the title.
    Assigning an owner to a consultation still 受付 moves it to 対応中."""
    with transaction.atomic():
        current = Consultation.objects.select_for_update().get(pk=consultation.pk)
        changes = []
        previous_owner = current.owner
        if owner != current.owner:
            current.owner = owner
            changes.append(f"担当者を{_who(owner) if owner else '未定'}に")
            if owner and current.status == Status.RECEIVED:
                current.status = Status.IN_PROGRESS
                changes.append("状態を「対応中」に")
        if follow_up_on != current.follow_up_on:
            current.follow_up_on = follow_up_on
            changes.append(f"次の対応日を{follow_up_on or '未定'}に")
        if corporation is not None and corporation != current.corporation:
            current.corporation = corporation
            changes.append(f"法人を{corporation.name}に")
        if summary is not None and summary.strip() and summary.strip() != current.summary:
            current.summary = summary.strip()[:200]
            changes.append("件名を変更")
        if changes:
            _save(current, by, "、".join(changes))
        if topics is not None:
            current.topics.set(list(topics))
        if changes:
            ConsultationNote.objects.create(
                consultation=current,
                kind=NoteKind.STATUS,
                text=f"{_who(by)}が" + "、".join(changes) + "しました",
                by=by,
            )
        if owner is not None and owner != previous_owner:
            reminders.assigned(current, by=by)
    return current


def consultation_move(*, consultation: Consultation, to: str, by, note: str = "") -> Consultation:
    """受付 → 対応中 → 完了, or 保留; a closed consultation may be reopened."""
    with transaction.atomic():
        current = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if to not in STATUS_MOVES[current.status]:
            raise ValidationError(
                f"「{current.get_status_display()}」から「{Status(to).label}」には進められません。"
            )
        current.status = to
        current.closed_at = timezone.now() if to == Status.DONE else None
        label = Status(to).label
        _save(current, by, f"「{label}」へ")
        ConsultationNote.objects.create(
            consultation=current,
            kind=NoteKind.STATUS,
            text=f"{_who(by)}が「{label}」にしました" + (f"：{note}" if note else ""),
            by=by,
        )
    return current


def note_add(*, consultation: Consultation, kind: str, text: str, by) -> ConsultationNote:
    """One entry of the timeline: a call, a meeting, an e-mail or a plain note."""
    if not text.strip():
        raise ValidationError("記録する内容を入力してください。")
    with transaction.atomic():
        note = ConsultationNote(consultation=consultation, kind=kind, text=text.strip(), by=by)
        note.full_clean()
        _save(note, by)
        Consultation.objects.filter(pk=consultation.pk).update(updated_at=timezone.now())
    return note


def outcome_link(*, consultation: Consultation, kind: str, target, by) -> Outcome:
    """Link what the consultation led to (an introduction, a referral, a consortium, a sub-meeting)."""
    if kind not in OutcomeKind.values:
        raise ValidationError("つながった先の種類が正しくありません。")
    with transaction.atomic():
        outcome, created = Outcome.objects.get_or_create(
            consultation=consultation, kind=kind, **{kind: target}, defaults={"by": by}
        )
        if created:
            ConsultationNote.objects.create(
                consultation=consultation,
                kind=NoteKind.STATUS,
                text=f"{_who(by)}が{OutcomeKind(kind).label}「{target}」につなげました",
                by=by,
            )
    return outcome


def _staff_addresses() -> list[str]:
    if settings.PORTAL_WINDOW_EMAIL:
        return [settings.PORTAL_WINDOW_EMAIL]
    from portal.models import Role, User

    staff = User.objects.filter(is_active=True, role=Role.STAFF).exclude(email="")
    return sorted(staff.values_list("email", flat=True))


def consultation_mail_send(*, consultation_id: int) -> int:
    """The requester's confirmation and the staff's notice of a form consultation, once
    (`send_once`: a re-delivered task sends nothing). Returns the messages sent."""

    def build(consultations: list[Consultation]) -> list[EmailMessage]:
        (consultation,) = consultations
        context = {
            "consultation": consultation,
            "topics": list(consultation.topics.all()),
            "window_name": settings.PORTAL_WINDOW_NAME,
            "window_phone": settings.PORTAL_WINDOW_PHONE,
            "window_hours": settings.PORTAL_WINDOW_HOURS,
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        }
        messages = []
        if consultation.email:
            messages.append(
                EmailMessage(
                    subject=f"【{settings.PORTAL_WINDOW_NAME}】ご相談を受け付けました",
                    body=render_to_string("desk/mail/confirmation.txt", context),
                    to=[consultation.email],
                    reply_to=[settings.PORTAL_WINDOW_EMAIL]
                    if settings.PORTAL_WINDOW_EMAIL
                    else None,
                )
            )
        staff = _staff_addresses()
        if staff:
            messages.append(
                EmailMessage(
                    subject=f"【相談受付】{consultation.corporation_name or '法人名なし'}からの相談",
                    body=render_to_string("desk/mail/staff_notice.txt", context),
                    to=staff,
                )
            )
        return messages

    return send_once(
        Consultation.objects.filter(pk=consultation_id), stamp="mailed_at", build=build
    )


# --- Introduction requests --------------------------------------------------------------------------
def introduction_request_create(
    *, corporation: Corporation, candidates: list[Corporation], message: str, by
) -> IntroductionRequest:
    """A manager asks the window for an introduction: the request, and a consultation on the
    desk so that it is answered like any other."""
    candidates = [c for c in dict.fromkeys(candidates) if c.pk != corporation.pk]
    if not candidates:
        raise ValidationError("紹介を希望する法人を1つ以上選んでください。")
    names = "、".join(c.name for c in candidates[:3]) + ("ほか" if len(candidates) > 3 else "")
    with transaction.atomic():
        consultation = consultation_create(
            channel=Channel.FORM,
            summary=f"紹介の依頼：{names}",
            corporation=corporation,
            contact_name=_who(by),
            email=getattr(by, "email", ""),
            message=message,
            by=by,
        )
        request = IntroductionRequest(
            corporation=corporation, message=message, consultation=consultation, requested_by=by
        )
        _save(request, by, "依頼")
        request.candidates.set(candidates)
        number = corporation.number
        transaction.on_commit(lambda: forget_requests_of(number))
    return request


def introduction_request_accept(
    *, request: IntroductionRequest, by, note: str = ""
) -> Introduction:
    """Staff accept: the window proposes an introduction of the requester and the candidates
    (partners' own service), and links it to the consultation as its outcome."""
    with transaction.atomic():
        current = IntroductionRequest.objects.select_for_update().get(pk=request.pk)
        if current.status != RequestStatus.PENDING:
            raise ValidationError("この依頼はすでに判断済みです。")
        parties = [current.corporation, *current.candidates.order_by("number")]
        introduction = introduction_propose(
            corporations=parties,
            title="",
            note=note or current.message,
            by=by,
        )
        current.status = RequestStatus.ACCEPTED
        current.introduction = introduction
        current.decided_by = by
        current.decided_at = timezone.now()
        _save(current, by, "紹介を提案")
        if current.consultation_id:
            outcome_link(
                consultation=current.consultation,
                kind=OutcomeKind.INTRODUCTION,
                target=introduction,
                by=by,
            )
    return introduction


def introduction_request_decline(*, request: IntroductionRequest, reason: str, by) -> None:
    """Staff decline with a reason the manager reads on their home page."""
    if not reason.strip():
        raise ValidationError("見送りの理由を入力してください。依頼した方に表示されます。")
    with transaction.atomic():
        current = IntroductionRequest.objects.select_for_update().get(pk=request.pk)
        if current.status != RequestStatus.PENDING:
            raise ValidationError("この依頼はすでに判断済みです。")
        current.status = RequestStatus.DECLINED
        current.reason = reason.strip()
        current.decided_by = by
        current.decided_at = timezone.now()
        _save(current, by, "見送り")
        if current.consultation_id:
            ConsultationNote.objects.create(
                consultation_id=current.consultation_id,
                kind=NoteKind.STATUS,
                text=f"{_who(by)}が紹介の依頼を見送りました：{current.reason}",
                by=by,
            )


# --- Retention ---------------------------------------------------------------------------------------
def consultations_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete closed (完了) consultations whose closing is older than the retention period, with
    their timeline, outcomes and history rows (the personal data must go from the history too)."""
    days = settings.CONSULTATION_RETENTION_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    ids = list(Consultation.objects.closed_before(cutoff).values_list("pk", flat=True))
    summary = {"consultations": len(ids), "retention_days": days}
    if dry_run or not ids:
        return summary
    with transaction.atomic():
        notes = ConsultationNote.objects.filter(consultation_id__in=ids)
        note_ids = list(notes.values_list("pk", flat=True))
        outcome_ids = list(
            Outcome.objects.filter(consultation_id__in=ids).values_list("pk", flat=True)
        )
        IntroductionRequest.objects.filter(consultation_id__in=ids).update(consultation=None)
        Consultation.objects.filter(pk__in=ids).delete()
        historical = Consultation.history.filter(id__in=ids)
        topics_history = apps.get_model("desk", "HistoricalConsultation_topics")
        topics_history.objects.filter(history__in=historical.values("history_id")).delete()
        historical.delete()
        ConsultationNote.history.filter(id__in=note_ids).delete()
        Outcome.history.filter(id__in=outcome_ids).delete()
    return summary
