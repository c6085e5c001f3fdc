"""Sub-meetings as events: schedule, invitations and answers (with capacity and a waiting list),
reminders, attendance, minutes, the questionnaire, series and introductions from a group.

Every mail of a sub-meeting is a `MeetingMail` row created once (`_queue`) and delivered by the one
function `meeting_mail_send` in the Celery task `partners.send_meeting_mail`; routing the mails
through another channel (the notices) means changing `_enqueue` and `meeting_mail_send` only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from partners.access import RegistryViewer
from partners.models import (
    Introduction,
    MeetingMail,
    MeetingMailKind,
    MeetingQuestionnaire,
    MeetingSeries,
    RsvpAnswer,
    SeriesFrequency,
    SubMeeting,
    SubMeetingParticipant,
)
from portal.celery import enqueue_task
from portal.changes import with_actor
from portal.mail import send_once

RSVP_SALT = "partners.meeting-rsvp"
# Fields whose change is told to the invited corporations (and raises the .ics SEQUENCE).
CHANGE_FIELDS = ("held_on", "starts_at", "ends_at", "place", "online", "online_url")
EVENT_FIELDS = (*CHANGE_FIELDS, "capacity", "rsvp_deadline")


# --- The signed link of an invitation -------------------------------------------------------------
def rsvp_token(participant: SubMeetingParticipant) -> str:
    """The token of the mail's answer link: it names one invitation and nothing else."""
    return signing.dumps({"p": participant.pk, "m": participant.meeting_id}, salt=RSVP_SALT)


def participant_for_token(token: str) -> SubMeetingParticipant | None:
    """The invitation a token was made for, or None for a forged, altered or expired token."""
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=settings.MEETING_RSVP_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    return (
        SubMeetingParticipant.objects.select_related("meeting__theme", "corporation")
        .filter(pk=data["p"], meeting_id=data.get("m"), invited_at__isnull=False)
        .first()
    )


# --- Mails ----------------------------------------------------------------------------------------
def _enqueue(mail_id: int) -> None:
    enqueue_task("partners.send_meeting_mail", mail_id)


def _queue(participant: SubMeetingParticipant, kind: str, key: str = "") -> bool:
    """Create the mail once and enqueue its delivery after commit; False if it existed."""
    mail, created = MeetingMail.objects.get_or_create(participant=participant, kind=kind, key=key)
    if created:
        transaction.on_commit(lambda: _enqueue(mail.pk))
        _notice_managers(participant, kind, key)
    return created


def _notice_managers(participant: SubMeetingParticipant, kind: str, key: str) -> None:
    """The same news in the notice centre of the corporation's managers (the mail goes out above,
    with its .ics, so notices does not mail it a second time)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from notices.models import NoticeKind
    from notices.services import notify
    from portal.models import Role

    meeting = participant.meeting
    managers = get_user_model().objects.filter(
        role=Role.MANAGER, corporation_number=participant.corporation.number, is_active=True
    )
    notify(
        recipients=list(managers),
        kind=NoticeKind.MEETING,
        title=f"{SUBJECTS.get(MeetingMailKind(kind), '分科会のお知らせ')}：{meeting.title}",
        url=reverse("partners:meeting_invitation", args=[meeting.pk]),
        obj=participant,
        key=f"meeting:{participant.pk}:{kind}:{key}",
        mailed_elsewhere=True,
    )


def meeting_mail_recipients(participant: SubMeetingParticipant) -> list[str]:
    from partners.selectors import invitation_addresses

    return invitation_addresses(participant.corporation)


SUBJECTS = {
    MeetingMailKind.INVITATION: "分科会へのご招待",
    MeetingMailKind.CHANGE: "分科会の日時・会場の変更",
    MeetingMailKind.REMINDER: "分科会の開催が近づきました",
    MeetingMailKind.PROMOTED: "キャンセル待ちから参加が確定しました",
}


def meeting_mail_message(mail: MeetingMail, recipients: list[str]) -> EmailMultiAlternatives:
    """The mail in Japanese (plain text and HTML), with the .ics for an invitation or a change."""
    from partners.ics import meeting_calendar

    participant = mail.participant
    meeting = participant.meeting
    base = settings.PORTAL_BASE_URL.rstrip("/")
    context = {
        "kind": mail.kind,
        "meeting": meeting,
        "participant": participant,
        "corporation": participant.corporation,
        "answer_link": base + reverse("partners:rsvp", args=[rsvp_token(participant)]),
        "page_link": base + reverse("partners:meeting_invitation", args=[meeting.pk]),
        "window_name": settings.PORTAL_WINDOW_NAME,
    }
    subject = (
        f"【{settings.PORTAL_WINDOW_NAME}】{SUBJECTS[MeetingMailKind(mail.kind)]}：{meeting.title}"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("partners/mail/meeting.txt", context),
        to=recipients,
        reply_to=[settings.PORTAL_WINDOW_EMAIL] if settings.PORTAL_WINDOW_EMAIL else None,
    )
    message.attach_alternative(render_to_string("partners/mail/meeting.html", context), "text/html")
    if mail.kind in (MeetingMailKind.INVITATION, MeetingMailKind.CHANGE):
        message.attach(
            f"submeeting-{meeting.pk}.ics",
            meeting_calendar(meeting),
            "text/calendar; charset=utf-8; method=PUBLISH",
        )
    return message


def meeting_mail_send(*, mail_id: int) -> int:
    """Deliver one mail once (`send_once`: a re-delivered task or a second worker sends nothing;
    a failed send leaves the row unstamped and the task retries), keeping the addresses it went
    to. Returns the number of messages sent (0 when there was nobody to write to)."""

    def build(mails: list[MeetingMail]) -> list[EmailMultiAlternatives]:
        (mail,) = mails
        recipients = meeting_mail_recipients(mail.participant)
        return [meeting_mail_message(mail, recipients)] if recipients else []

    return send_once(
        MeetingMail.objects.select_related(
            "participant__meeting__theme", "participant__corporation"
        ).filter(pk=mail_id),
        stamp="sent_at",
        build=build,
        record=lambda messages: {"recipients": [to for m in messages for to in m.to]},
    )


# --- Schedule and invitations ---------------------------------------------------------------------
def submeeting_schedule(*, meeting: SubMeeting, values: dict, by) -> SubMeeting:
    """Staff set the date, time, place or online link, capacity and answer deadline. A change of
    the date, time or place is mailed to every invited corporation that has not declined; a larger
    capacity moves waiting corporations up."""
    with transaction.atomic():
        current = SubMeeting.objects.select_for_update().get(pk=meeting.pk)
        changed = [f for f in CHANGE_FIELDS if f in values and getattr(current, f) != values[f]]
        for field in EVENT_FIELDS:
            if field in values:
                setattr(current, field, values[field])
        current.full_clean()
        if changed:
            current.version += 1
        with_actor(current, by, f"{by.email} が日程・会場を編集")
        current.save()
        if changed:
            invited = current.participants.filter(invited_at__isnull=False).exclude(
                response=RsvpAnswer.DECLINE
            )
            for participant in invited:
                _queue(participant, MeetingMailKind.CHANGE, key=str(current.version))
        _promote(current)
    return current


def submeeting_invite(*, meeting: SubMeeting, by) -> int:
    """Invite the participants not invited yet (each gets one invitation mail with its link and
    the .ics). Returns how many were invited."""
    with transaction.atomic():
        current = SubMeeting.objects.select_for_update().get(pk=meeting.pk)
        new = list(current.participants.filter(invited_at__isnull=True))
        now = timezone.now()
        for participant in new:
            participant.invited_at = now
        bulk_update_with_history(new, SubMeetingParticipant, ["invited_at"], default_user=by)
        for participant in new:
            _queue(participant, MeetingMailKind.INVITATION)
    return len(new)


def accepts_answers(meeting: SubMeeting, today: dt.date | None = None) -> bool:
    """Answers are taken until the deadline (or the day itself when there is none)."""
    today = today or timezone.localdate()
    return today <= (meeting.rsvp_deadline or meeting.held_on)


def _confirmed_people(meeting: SubMeeting, exclude: int | None = None) -> int:
    rows = meeting.participants.filter(response=RsvpAnswer.ATTEND, waiting_since__isnull=True)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.aggregate(n=Sum("people"))["n"] or 0


def _promote(meeting: SubMeeting) -> list[SubMeetingParticipant]:
    """Move waiting corporations up, first come first served, while their people fit; the first
    that does not fit keeps its place at the head of the line. Each one moved up is told."""
    confirmed = _confirmed_people(meeting)
    moved = []
    waiting = meeting.participants.select_for_update().filter(
        response=RsvpAnswer.ATTEND, waiting_since__isnull=False
    )
    for participant in waiting.order_by("waiting_since", "pk"):
        if meeting.capacity is not None and confirmed + participant.people > meeting.capacity:
            break
        confirmed += participant.people
        participant.waiting_since = None
        with_actor(participant, None, "キャンセル待ちから繰り上げ").save()
        _queue(participant, MeetingMailKind.PROMOTED, key=timezone.now().isoformat())
        moved.append(participant)
    return moved


def promote_waiting(*, meeting: SubMeeting) -> list[SubMeetingParticipant]:
    """After places were freed outside an answer (a participant taken off): move waiting ones up."""
    with transaction.atomic():
        current = SubMeeting.objects.select_for_update().get(pk=meeting.pk)
        return _promote(current)


def invitation_respond(
    *, participant: SubMeetingParticipant, answer: str, people: int, by=None
) -> SubMeetingParticipant:
    """The invited corporation answers 参加 / 不参加 / 未定 with the number of people: through its
    manager (`by`) or the signed link of its mail (`by` None). An attending answer over capacity
    waits (キャンセル待ち); a place freed moves the first waiting one up."""
    if answer not in (RsvpAnswer.ATTEND, RsvpAnswer.DECLINE, RsvpAnswer.UNDECIDED):
        raise ValidationError("参加・不参加・未定のいずれかを選んでください。")
    if answer == RsvpAnswer.ATTEND and people < 1:
        raise ValidationError("参加する人数を1人以上で入力してください。")
    if answer == RsvpAnswer.DECLINE:
        people = 0
    if by is not None and not RegistryViewer(by).answers_invitation(participant):
        raise ValidationError("自法人への招待にだけ回答できます。")
    with transaction.atomic():
        meeting = SubMeeting.objects.select_for_update().get(pk=participant.meeting_id)
        current = SubMeetingParticipant.objects.select_for_update().get(pk=participant.pk)
        if current.invited_at is None:
            raise ValidationError("この法人はまだ招待されていません。")
        if not accepts_answers(meeting):
            raise ValidationError("この分科会の回答の受付は終了しました。窓口にご連絡ください。")
        current.response = answer
        current.people = people
        current.answered_at = timezone.now()
        current.answered_by = by
        if answer == RsvpAnswer.ATTEND:
            others = _confirmed_people(meeting, exclude=current.pk)
            if meeting.capacity is None or others + people <= meeting.capacity:
                current.waiting_since = None
            elif current.waiting_since is None:
                current.waiting_since = timezone.now()
        else:
            current.waiting_since = None
        label = current.answer_label
        how = "招待メールのリンクから" if by is None else f"{by.email} が"
        with_actor(current, by, f"{how}「{label}」（{people}名）と回答").save()
        _promote(meeting)
        current.refresh_from_db()
    return current


# --- Reminders ------------------------------------------------------------------------------------
def meeting_reminders(*, today: dt.date) -> int:
    """Queue the reminder of every invited corporation that is coming, undecided or has not
    answered, for meetings held within MEETING_REMINDER_DAYS days from `today`. Idempotent: a
    corporation gets one reminder per meeting, whatever the number of runs. Returns the number
    of reminders queued."""
    last = today + dt.timedelta(days=settings.MEETING_REMINDER_DAYS)
    due = SubMeetingParticipant.objects.filter(
        meeting__held_on__gte=today,
        meeting__held_on__lte=last,
        invited_at__isnull=False,
        waiting_since__isnull=True,
        response__in=[RsvpAnswer.ATTEND, RsvpAnswer.UNDECIDED, RsvpAnswer.PENDING],
    ).exclude(mails__kind=MeetingMailKind.REMINDER)
    queued = 0
    with transaction.atomic():
        for participant in due:
            queued += _queue(participant, MeetingMailKind.REMINDER)
    return queued


# --- On the day and after -------------------------------------------------------------------------
def submeeting_record_attendance(
    *, meeting: SubMeeting, attendance: dict[int, int | None], by
) -> int:
    """Staff record who came (participant id → people present; 0 absent; None not recorded)."""
    changed = []
    for participant in meeting.participants.filter(pk__in=list(attendance)):
        people = attendance[participant.pk]
        attended = None if people is None else people > 0
        if (participant.attended, participant.attended_people) != (attended, people):
            participant.attended = attended
            participant.attended_people = people
            changed.append(participant)
    bulk_update_with_history(
        changed, SubMeetingParticipant, ["attended", "attended_people"], default_user=by
    )
    return len(changed)


def submeeting_save_minutes(*, meeting: SubMeeting, text: str, upload=None, by) -> SubMeeting:
    """Staff keep the minutes: the text, and a file (validated by MinutesForm) replacing the last."""
    with transaction.atomic():
        current = SubMeeting.objects.select_for_update().get(pk=meeting.pk)
        current.minutes = text.strip()
        if upload is not None:
            current.minutes_file.save(upload.name, upload, save=False)
        with_actor(current, by, f"{by.email} が議事録を保存")
        current.save()
    return current


def questionnaire_answer(
    *,
    participant: SubMeetingParticipant,
    challenges,
    themes,
    comment: str,
    update_profile: bool,
    by,
) -> MeetingQuestionnaire:
    """A manager answers the short questionnaire before the meeting; when they agree, the answers
    become the corporation's challenges and themes (profile_update, one history version)."""
    from partners.services.registry import profile_update

    if not RegistryViewer(by).answers_invitation(participant):
        raise ValidationError("自法人への招待にだけ回答できます。")
    with transaction.atomic():
        answer, _ = MeetingQuestionnaire.objects.select_for_update().get_or_create(
            participant=participant, defaults={"answered_by": by}
        )
        answer.comment = comment.strip()
        answer.update_profile = update_profile
        answer.answered_by = by
        answer.answered_at = timezone.now()
        with_actor(answer, by, f"{by.email} がアンケートに回答").save()
        answer.challenges.set(challenges)
        answer.themes.set(themes)
        if update_profile:
            corporation = participant.corporation
            profile = getattr(corporation, "profile", None)
            profile_update(
                corporation=corporation,
                challenges=challenges,
                themes=themes,
                consent_matching=profile.consent_matching if profile else False,
                contact_person=profile.contact_person if profile else "",
                contact=profile.contact if profile else "",
                by=by,
            )
    return answer


def submeeting_introduce_group(*, meeting: SubMeeting, group: int, by) -> Introduction:
    """Propose, in one step, an introduction between the corporations of one group."""
    from partners.services.registry import introduction_propose

    corporations = [
        p.corporation
        for p in meeting.participants.filter(group=group).select_related("corporation")
    ]
    if len(corporations) < 2:
        raise ValidationError("紹介を提案するには、グループに2つ以上の法人が必要です。")
    return introduction_propose(
        corporations=corporations,
        # No names in the title: the parties read it before they may see each other.
        title=f"{meeting.title}・グループ{group}の紹介",
        note=f"分科会「{meeting.title}」（{meeting.held_on:%Y-%m-%d}）のグループ{group}から提案",
        theme=meeting.theme,
        by=by,
    )


# --- Series ---------------------------------------------------------------------------------------
def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The nth (1–4, or -1 for the last) given weekday of a month."""
    if nth == -1:
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def series_dates(series: MeetingSeries, *, after: dt.date | None, count: int) -> list[dt.date]:
    """The next `count` dates of the series after `after` (from its first date when None). A
    monthly series keeps the nth weekday of its first date; a fifth weekday, which some months
    lack, becomes the last one."""
    first = series.first_on
    after = after or first - dt.timedelta(days=1)
    dates: list[dt.date] = []
    if series.frequency == SeriesFrequency.WEEKLY:
        day = first
        while len(dates) < count:
            if day > after:
                dates.append(day)
            day += dt.timedelta(days=7)
        return dates
    nth = (first.day - 1) // 7 + 1
    nth = nth if nth < 5 else -1
    year, month = first.year, first.month
    while len(dates) < count:
        day = _nth_weekday(year, month, first.weekday(), nth)
        if day > after:
            dates.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def series_create(*, values: dict, count: int, by) -> MeetingSeries:
    with transaction.atomic():
        series = MeetingSeries(**values, created_by=by)
        series.full_clean()
        with_actor(series, by).save()
        series_extend(series=series, count=count, by=by)
    return series


def series_extend(*, series: MeetingSeries, count: int, by) -> list[SubMeeting]:
    """Generate the next `count` occurrences after the last one there is."""
    if not 1 <= count <= 24:
        raise ValidationError("一度に作れる回数は1回から24回までです。")
    with transaction.atomic():
        series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
        last = series.meetings.order_by("-held_on").values_list("held_on", flat=True).first()
        created = []
        for day in series_dates(series, after=last, count=count):
            label = (
                f"{day.month}月"
                if series.frequency == SeriesFrequency.MONTHLY
                else f"{day.month}月{day.day}日"
            )
            meeting = SubMeeting(
                title=f"{series.title}（{label}）"[:200],
                theme=series.theme,
                held_on=day,
                starts_at=series.starts_at,
                ends_at=series.ends_at,
                place=series.place,
                online=bool(series.online_url),
                online_url=series.online_url,
                capacity=series.capacity,
                series=series,
                created_by=by,
            )
            meeting.full_clean()
            with_actor(meeting, by, f"{series.title}の回を作成").save()
            created.append(meeting)
    return created


def submeeting_remove(*, meeting: SubMeeting, corporation_id: int, by) -> bool:
    """Take a corporation off the participants; False when it was not one of them."""
    with transaction.atomic():
        participant = (
            meeting.participants.select_for_update().filter(corporation_id=corporation_id).first()
        )
        if participant is None:
            return False
        with_actor(participant, by, "参加者から外す")
        participant.delete()
        # A corporation taken off may free places for those on the waiting list.
        promote_waiting(meeting=meeting)
    return True
