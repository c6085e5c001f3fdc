"""Every write of the workflow: keyword-only functions named <entity>_<action>."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from guidance.access import LEADS, can_answer_invitation, can_view
from guidance.models import (
    Action,
    ActionStatus,
    Activity,
    AnswerChannel,
    ChecklistItem,
    ChecklistTemplate,
    Consortium,
    Goal,
    ItemStatus,
    Kpi,
    Measurement,
    MemberRole,
    Membership,
    MembershipState,
    Referral,
    ReferralStatus,
    StageMove,
    step_of,
)
from guidance.selectors import action_owner_choices, member_managers
from notices.models import NoticeKind
from notices.services import notify
from portal.changes import EditConflict, check_version, with_actor  # noqa: F401  (views catch it)
from portal.dates import format_seireki
from portal.taxonomy import STAGE_NUMBERS


class GateBlocked(Exception):
    """Moving to the next STEP needs these required checklist items settled first."""

    def __init__(self, missing: list[ChecklistItem]):
        super().__init__("必須の項目が終わっていません。")
        self.missing = missing


def _touch(consortium: Consortium) -> None:
    Consortium.objects.filter(pk=consortium.pk).update(last_activity_at=timezone.now())


def _lock(consortium_id: int) -> None:
    """Hold the consortium's row until the surrounding transaction ends, so a write and the
    consortium's touch commit together and two writers on one consortium take turns."""
    Consortium.objects.select_for_update().filter(pk=consortium_id).values_list("pk").first()


# --- Consortia --------------------------------------------------------------------------------------
def checklist_copy(*, consortium: Consortium) -> int:
    """Give a consortium its own copy of the current templates that fit its form."""
    items = [
        ChecklistItem(
            consortium=consortium,
            template=t,
            stage=t.stage,
            title=t.title,
            guidance=t.guidance,
            required=t.required,
            role=t.role,
            position=t.position,
        )
        for t in ChecklistTemplate.objects.filter(active=True)
        if t.fits(consortium.form)
    ]
    ChecklistItem.objects.bulk_create(items)
    return len(items)


def consortium_create(
    *,
    values: dict,
    themes: Iterable = (),
    members: Iterable[tuple] = (),
    by,
    introduction=None,
    invite: bool = False,
) -> Consortium:
    """Create a consortium with its corporations ((corporation, role) pairs) and its checklists.
    With `invite` (every registration made in the portal) they are invited and become members
    when they accept; without it (the demo seed, tests) they are members at once."""
    with transaction.atomic():
        consortium = Consortium(**values, introduction=introduction, created_by=by)
        consortium.full_clean(exclude=["introduction", "created_by"])
        with_actor(consortium, by, "作成").save()
        consortium.themes.set(list(themes))
        for corporation, role in members:
            if invite:
                member_invite(consortium=consortium, corporation=corporation, role=role, by=by)
                continue
            with_actor(
                Membership(
                    consortium=consortium,
                    corporation=corporation,
                    role=role,
                    joined_on=consortium.started_on or timezone.localdate(),
                ),
                by,
            ).save()
        checklist_copy(consortium=consortium)
        _touch(consortium)
    return consortium


def consortium_from_introduction(*, introduction, name: str, form: str, by) -> Consortium:
    """Start a consortium from an accepted introduction: its parties are invited (the first one as
    promoter) and become members when they accept; the introduction is marked as formed."""
    from partners import services as partner_services
    from partners.models import IntroductionStatus, PartyResponse

    existing = Consortium.objects.filter(introduction=introduction).first()
    if existing is not None:
        raise ValidationError(f"この紹介からは、すでに協働体「{existing.name}」を作っています。")
    if introduction.status not in (IntroductionStatus.ACCEPTED, IntroductionStatus.MEETING_HELD):
        raise ValidationError("全員が承諾した紹介からだけ協働体を始められます。")
    parties = [
        p.corporation
        for p in introduction.parties.select_related("corporation").order_by("pk")
        if p.response == PartyResponse.ACCEPTED
    ]
    roles = [MemberRole.PROMOTER] + [MemberRole.MEMBER] * (len(parties) - 1)
    with transaction.atomic():
        consortium = consortium_create(
            values={"name": name, "form": form, "started_on": timezone.localdate()},
            themes=[introduction.theme] if introduction.theme else [],
            members=zip(parties, roles, strict=True),
            by=by,
            introduction=introduction,
            invite=True,
        )
        partner_services.introduction_move(
            introduction=introduction,
            to=IntroductionStatus.FORMED,
            by=by,
            note=f"協働体「{consortium.name}」を作成",
        )
    return consortium


def gate_missing(*, consortium: Consortium, to_stage: int) -> list[ChecklistItem]:
    """Required items still open in every stage before the target, when the move goes forward
    into a later STEP (none when staying in the same STEP or moving back). Every stage before the
    target counts, not only those up to the current one: going back to ① and then on to ④ still
    needs STEP1's and STEP2's items."""
    if to_stage <= consortium.stage or step_of(to_stage) <= consortium.step:
        return []
    return [
        item
        for item in consortium.checklist_items.filter(required=True, stage__lt=to_stage).order_by(
            "stage", "position", "pk"
        )
        if not item.is_settled
    ]


def consortium_move(
    *, consortium: Consortium, to_stage: int, by, reason: str = "", override: bool = False
) -> StageMove:
    """Move to another stage. Moving on to a later STEP checks the required items of every stage
    before the target; staff may override with a reason, and the move records exactly which items
    were skipped. Moving back is allowed with a reason. Every move is logged: who, when and why."""
    if to_stage not in STAGE_NUMBERS or to_stage == consortium.stage:
        raise ValidationError("移動先の段階を選んでください。")
    with transaction.atomic():
        current = Consortium.objects.select_for_update().get(pk=consortium.pk)
        missing = gate_missing(consortium=current, to_stage=to_stage)
        if missing and not override:
            raise GateBlocked(missing)
        if (missing or to_stage < current.stage) and not reason.strip():
            raise ValidationError(
                "条件を満たさずに進めるとき、段階を戻すときは理由を書いてください。"
            )
        move = StageMove.objects.create(
            consortium=current,
            from_stage=current.stage,
            to_stage=to_stage,
            reason=reason.strip(),
            overridden=bool(missing),
            missing="\n".join(item.title for item in missing),
            skipped=[{"id": i.pk, "stage": i.stage, "title": i.title} for i in missing],
            by=by,
        )
        current.stage = to_stage
        current.version += 1
        with_actor(current, by, f"段階 {move.from_stage}→{to_stage}").save()
        _touch(current)
    return move


# --- Checklist items --------------------------------------------------------------------------------
def checklist_item_update(*, item: ChecklistItem, values: dict, by, version: int) -> ChecklistItem:
    with transaction.atomic():
        current = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        check_version(current.version, version)
        for key, value in values.items():
            setattr(current, key, value)
        current.version += 1
        current.full_clean()
        with_actor(current, by).save()
        _touch(current.consortium)
    return current


# --- Goals, KPIs and measurements -------------------------------------------------------------------
def goal_create(*, consortium: Consortium, title: str, theme=None, by) -> Goal:
    goal = with_actor(Goal(consortium=consortium, title=title, theme=theme), by)
    goal.full_clean()
    with transaction.atomic():
        _lock(consortium.pk)
        goal.save()
        _touch(consortium)
    return goal


def kpi_create(
    *,
    goal: Goal,
    name: str,
    unit: str,
    baseline: Decimal,
    target: Decimal,
    due_on: date | None,
    by,
) -> Kpi:
    if baseline == target:
        raise ValidationError({"target": "目標値は基準値と違う値にしてください。"})
    kpi = with_actor(
        Kpi(goal=goal, name=name, unit=unit, baseline=baseline, target=target, due_on=due_on), by
    )
    if kpi.counts_things:
        negative = {
            field: f"「{unit}」で数える指標の値は0以上にしてください。"
            for field, value in (("baseline", baseline), ("target", target))
            if value < 0
        }
        if negative:
            raise ValidationError(negative)
    kpi.full_clean()
    with transaction.atomic():
        _lock(goal.consortium_id)
        kpi.save()
        _touch(goal.consortium)
    return kpi


class DuplicateMeasurement(ValidationError):
    """A KPI already has a value on that day; replacing it needs the user's confirmation."""

    def __init__(self, existing: Measurement):
        super().__init__(
            {
                "measured_on": f"この日の値はすでにあります（{existing.value.normalize():f}）。置き換えますか？"
            },
        )
        self.existing = existing


def measurement_errors(*, kpi: Kpi, measured_on: date, value: Decimal) -> dict[str, str]:
    """Why a measurement cannot be stored (field → Japanese reason); empty when it can."""
    errors: dict[str, str] = {}
    consortium = kpi.goal.consortium
    today = timezone.localdate()
    start = consortium.started_on or timezone.localdate(consortium.created_at)
    if measured_on > today:
        errors["measured_on"] = "未来の日付の測定値は登録できません。"
    elif measured_on < start:
        errors["measured_on"] = (
            f"協働体の開始日（{format_seireki(start)}）より前の日付の測定値は登録できません。"
        )
    if value < 0 and kpi.counts_things:
        errors["value"] = f"「{kpi.unit}」で数える指標の値は0以上にしてください。"
    return errors


def _measurement_check(kpi: Kpi, measured_on: date, value: Decimal) -> None:
    errors = measurement_errors(kpi=kpi, measured_on=measured_on, value=value)
    if errors:
        raise ValidationError(errors)


def measurement_add(
    *, kpi: Kpi, measured_on: date, value: Decimal, note: str = "", by, replace: bool = False
) -> Measurement:
    """Record a KPI's value for a day. One value per KPI and day: a second one for the same day
    raises DuplicateMeasurement unless `replace` confirms it (the old value stays in history)."""
    _measurement_check(kpi, measured_on, value)
    with transaction.atomic():
        _lock(kpi.goal.consortium_id)
        Kpi.objects.select_for_update().filter(pk=kpi.pk).first()
        existing = Measurement.objects.on_day(kpi, measured_on).order_by("pk").first()
        if existing is not None:
            if not replace:
                raise DuplicateMeasurement(existing)
            return measurement_update(
                measurement=existing, measured_on=measured_on, value=value, note=note, by=by,
                reason="同じ日の値を置き換え",
            )  # fmt: skip
        measurement = with_actor(
            Measurement(kpi=kpi, measured_on=measured_on, value=value, note=note, by=by), by
        )
        measurement.full_clean()
        measurement.save()
        _touch(kpi.goal.consortium)
    return measurement


def measurement_update(
    *, measurement: Measurement, measured_on: date, value: Decimal, note: str = "", by,
    reason: str = "修正",
) -> Measurement:  # fmt: skip
    """Correct a measurement (a lead's action); the previous values stay in its history."""
    kpi = measurement.kpi
    _measurement_check(kpi, measured_on, value)
    with transaction.atomic():
        _lock(kpi.goal.consortium_id)
        other = Measurement.objects.on_day(kpi, measured_on).exclude(pk=measurement.pk).first()
        if other is not None:
            raise ValidationError(
                {"measured_on": f"この日にはほかの値（{other.value.normalize():f}）があります。"}
            )
        measurement.measured_on = measured_on
        measurement.value = value
        measurement.note = note
        measurement.full_clean()
        with_actor(measurement, by, reason).save()
        _touch(kpi.goal.consortium)
    return measurement


def measurement_delete(*, measurement: Measurement, by) -> None:
    """Delete a measurement; its history keeps the deleted value and who deleted it."""
    consortium = measurement.kpi.goal.consortium
    with transaction.atomic():
        _lock(consortium.pk)
        with_actor(measurement, by, "削除").delete()
        _touch(consortium)


# --- Next actions and activity ----------------------------------------------------------------------
def action_create(
    *, consortium: Consortium, title: str, owner: str, due_on, by, owner_user=None
) -> Action:
    """A next action; its owner is one of the consortium's people, or a name in free text."""
    if owner_user is not None and not action_owner_choices(consortium).filter(pk=owner_user.pk):
        raise ValidationError({"owner_user": "担当者は協働体の関係者から選んでください。"})
    action = with_actor(
        Action(
            consortium=consortium, title=title, owner=owner, owner_user=owner_user, due_on=due_on
        ),
        by,
    )
    action.full_clean()
    with transaction.atomic():
        _lock(consortium.pk)
        action.save()
        _touch(consortium)
    return action


def action_update(*, action: Action, values: dict, by) -> Action:
    """Correct an action's title, owner or due date; the history keeps the earlier wording."""
    with transaction.atomic():
        _lock(action.consortium_id)
        current = Action.objects.select_for_update().get(pk=action.pk)
        for key in ("title", "owner", "due_on"):
            if key in values:
                setattr(current, key, values[key])
        current.full_clean()
        current.version += 1
        with_actor(current, by, "編集").save()
        _touch(current.consortium)
    return current


def action_delete(*, action: Action, by) -> None:
    """Delete an action; its history keeps what it said and who deleted it."""
    with transaction.atomic():
        _lock(action.consortium_id)
        consortium = action.consortium
        with_actor(action, by, "削除").delete()
        _touch(consortium)


def action_complete(*, action: Action, by, done: bool = True) -> Action:
    with transaction.atomic():
        _lock(action.consortium_id)
        action.version = Action.objects.values_list("version", flat=True).get(pk=action.pk) + 1
        action.status = ActionStatus.DONE if done else ActionStatus.OPEN
        action.done_at = timezone.now() if done else None
        with_actor(action, by).save()
        _touch(action.consortium)
    return action


def activity_add(
    *, consortium: Consortium, kind: str, title: str, happened_on: date, note: str = "", url="", by
) -> Activity:
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": "未来の日付の活動は記録できません。"})
    activity = Activity(
        consortium=consortium,
        kind=kind,
        title=title,
        happened_on=happened_on,
        note=note,
        url=url,
        by=by,
    )
    activity.full_clean()
    with transaction.atomic():
        _lock(consortium.pk)
        with_actor(activity, by).save()
        _touch(consortium)
    return activity


def activity_update(*, activity: Activity, values: dict, by) -> Activity:
    """Correct an activity entry; the history keeps what it said before and who changed it."""
    day = values.get("happened_on", activity.happened_on)
    if day > timezone.localdate():
        raise ValidationError({"happened_on": "未来の日付の活動は記録できません。"})
    with transaction.atomic():
        _lock(activity.consortium_id)
        current = Activity.objects.select_for_update().get(pk=activity.pk)
        for key in ("kind", "title", "happened_on", "note", "url"):
            if key in values:
                setattr(current, key, values[key])
        current.full_clean()
        with_actor(current, by, "編集").save()
        _touch(current.consortium)
    return current


def activity_delete(*, activity: Activity, by) -> None:
    """Delete an activity entry; its history keeps what it said and who deleted it."""
    with transaction.atomic():
        _lock(activity.consortium_id)
        consortium = activity.consortium
        with_actor(activity, by, "削除").delete()
        _touch(consortium)


# --- Expert referrals -------------------------------------------------------------------------------
def referral_request(*, consortium: Consortium, kind, request: str, by) -> Referral:
    referral = with_actor(
        Referral(
            consortium=consortium,
            kind=kind,
            stage=consortium.stage,
            request=request,
            requested_by=by,
        ),
        by,
    )
    referral.full_clean()
    with transaction.atomic():
        _lock(consortium.pk)
        referral.save()
        _touch(consortium)
    return referral


REFERRAL_MOVES: dict[str, tuple[str, ...]] = {
    ReferralStatus.REQUESTED: (ReferralStatus.ARRANGED,),
    ReferralStatus.ARRANGED: (ReferralStatus.DONE,),
    ReferralStatus.DONE: (),
}


def referral_move(*, referral: Referral, to: str, expert=None, by) -> Referral:
    with transaction.atomic():
        _lock(referral.consortium_id)
        status = Referral.objects.values_list("status", flat=True).get(pk=referral.pk)
        if to not in REFERRAL_MOVES[status]:
            raise ValidationError("この状態には進められません。")
        referral.status = to
        if expert is not None:
            referral.expert = expert
        with_actor(referral, by).save()
        _touch(referral.consortium)
        _notify_referral(referral)
    return referral


def _notify_referral(referral: Referral) -> None:
    """Whoever asked, and the consortium's leads: the new state of the request."""
    consortium = referral.consortium
    people = [referral.requested_by, *member_managers(consortium, roles=LEADS)]
    notify(
        recipients=[u for u in people if u is not None and can_view(u, consortium)],
        kind=NoticeKind.REFERRAL_CHANGED,
        title=f"専門家の紹介依頼（{referral.kind}）が「{referral.get_status_display()}」になりました",
        body=f"協働体「{consortium.name}」からの依頼です。",
        url=reverse("guidance:detail", args=[consortium.pk]),
        obj=referral,
        key=f"referral:{referral.pk}:{referral.status}",
    )


__all__ = ["ItemStatus"]


# --- Templates, experts, members and external partners ----------------------------------------------
def template_save(*, form, by):
    """Staff edit the model checklist; existing consortia keep their own copies."""
    template = form.save(commit=False)
    with_actor(template, by).save()
    return template


def expert_save(*, form, by):
    expert = form.save(commit=False)
    with_actor(expert, by).save()
    form.save_m2m()
    return expert


def member_invite(*, consortium: Consortium, corporation, role: str, by) -> Membership:
    """Invite a corporation: it becomes a member only when it accepts (invitation_answer)."""
    with transaction.atomic():
        existing = (
            Membership.objects.select_for_update()
            .filter(consortium=consortium, corporation=corporation)
            .first()
        )
        if existing and existing.is_active:
            raise ValidationError("この法人はすでに参加しています。")
        if existing and existing.state == MembershipState.INVITED:
            raise ValidationError("この法人にはすでに招待を送っています。回答を待っています。")
        membership = existing or Membership(consortium=consortium, corporation=corporation)
        membership.role = role
        membership.state = MembershipState.INVITED
        membership.invited_by = by
        membership.invited_at = timezone.now()
        membership.joined_on = None
        membership.left_on = None
        membership.answered_on = None
        membership.answer_channel = ""
        membership.answer_note = ""
        membership.answered_by = None
        with_actor(membership, by, "再招待" if existing else "招待").save()
        _touch(consortium)
        _notify_invitation(membership)
    return membership


def _notify_invitation(membership: Membership) -> None:
    """The invited corporation's managers: the consortium's name and where to answer (the
    invitation page shows them as much, guidance/access.py `can_view_invitation`)."""
    from notices.selectors import managers_of

    consortium = membership.consortium
    invitees = [
        user
        for user in managers_of([membership.corporation.number])
        if can_answer_invitation(user, membership)
    ]
    notify(
        recipients=invitees,
        kind=NoticeKind.CONSORTIUM_INVITATION,
        title=f"協働体「{consortium.name}」への参加のお誘いが届いています",
        body=f"{MemberRole(membership.role).label}としての参加のお誘いです。"
        "招待のページで、参加するかどうかをお答えください。",
        url=reverse("guidance:invitation", args=[membership.pk]),
        obj=membership,
        key=f"invitation:{membership.pk}:{timezone.localtime(membership.invited_at):%Y%m%d%H%M%S}",
    )


def invitation_answer(
    *,
    membership: Membership,
    accept: bool,
    by,
    channel: str = AnswerChannel.SELF,
    answered_on: date | None = None,
    note: str = "",
) -> Membership:
    """Record an invited corporation's answer: given by its own manager (channel SELF), or by
    staff on its behalf with how it was received (電話・メール・面談), when, and a note."""
    today = timezone.localdate()
    answered_on = answered_on or today
    if channel not in AnswerChannel.values:
        raise ValidationError({"answer_channel": "受付方法を選んでください。"})
    if answered_on > today:
        raise ValidationError({"answered_on": "未来の日付は選べません。"})
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.state != MembershipState.INVITED:
            raise ValidationError("この招待にはすでに回答があります。")
        current.state = MembershipState.ACCEPTED if accept else MembershipState.DECLINED
        current.joined_on = answered_on if accept else None
        current.answered_on = answered_on
        current.answer_channel = channel
        current.answer_note = note.strip()
        current.answered_by = by
        with_actor(current, by, "招待を承諾" if accept else "招待を辞退").save()
        _touch(current.consortium)
    return current


def member_leave(*, membership: Membership, by) -> Membership:
    with transaction.atomic():
        _lock(membership.consortium_id)
        membership.refresh_from_db()
        if not membership.is_active:
            raise ValidationError("参加していない法人の脱退は記録できません。")
        membership.left_on = timezone.localdate()
        with_actor(membership, by, "脱退").save()
        _touch(membership.consortium)
    return membership


def external_partner_add(*, consortium: Consortium, name: str, kind: str, role: str, by):
    from guidance.models import ExternalPartner

    partner = with_actor(
        ExternalPartner(consortium=consortium, name=name, kind=kind, role=role), by
    )
    partner.full_clean()
    with transaction.atomic():
        _lock(consortium.pk)
        partner.save()
        _touch(consortium)
    return partner
