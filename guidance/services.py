"""Every write of the workflow: keyword-only functions named <entity>_<action>."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guidance.models import (
    Action,
    ActionStatus,
    Activity,
    ChecklistItem,
    ChecklistTemplate,
    Consortium,
    Goal,
    ItemStatus,
    Kpi,
    Measurement,
    MemberRole,
    Membership,
    Referral,
    ReferralStatus,
    StageMove,
    step_of,
)
from portal.services import EditConflict


class GateBlocked(Exception):
    """Moving to the next STEP needs these required checklist items settled first."""

    def __init__(self, missing: list[ChecklistItem]):
        super().__init__("必須の項目が終わっていません。")
        self.missing = missing


def _touch(consortium: Consortium) -> None:
    Consortium.objects.filter(pk=consortium.pk).update(last_activity_at=timezone.now())


def _with_user(obj, by, reason: str = ""):
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    return obj


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
) -> Consortium:
    """Create a consortium with its members ((corporation, role) pairs) and its checklists."""
    with transaction.atomic():
        consortium = Consortium(**values, introduction=introduction, created_by=by)
        consortium.full_clean(exclude=["introduction", "created_by"])
        _with_user(consortium, by, "作成").save()
        consortium.themes.set(list(themes))
        for corporation, role in members:
            _with_user(
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
    """Start a consortium from an accepted introduction: its parties become the members (the first
    one promoter), and the introduction is marked as formed."""
    from partners import services as partner_services
    from partners.models import IntroductionStatus, PartyResponse

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
        )
        partner_services.introduction_move(
            introduction=introduction,
            to=IntroductionStatus.FORMED,
            by=by,
            note=f"協働体「{consortium.name}」を作成",
        )
    return consortium


def gate_missing(*, consortium: Consortium, to_stage: int) -> list[ChecklistItem]:
    """Required items still open in the STEPs being left (none when staying in the same STEP or
    moving back)."""
    if step_of(to_stage) <= consortium.step:
        return []
    return [
        item
        for item in consortium.checklist_items.filter(required=True, stage__lte=consortium.stage)
        if not item.is_settled
    ]


def consortium_move(
    *, consortium: Consortium, to_stage: int, by, reason: str = "", override: bool = False
) -> StageMove:
    """Move to another stage. Moving on to the next STEP checks the required items; staff may
    override with a reason. Moving back is allowed. Every move is logged with who, when and why."""
    if not 1 <= to_stage <= 6 or to_stage == consortium.stage:
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
            by=by,
        )
        current.stage = to_stage
        current.version += 1
        _with_user(current, by, f"段階 {move.from_stage}→{to_stage}").save()
        _touch(current)
    return move


# --- Checklist items --------------------------------------------------------------------------------
def checklist_item_update(*, item: ChecklistItem, values: dict, by, version: int) -> ChecklistItem:
    with transaction.atomic():
        current = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        if current.version != int(version):
            raise EditConflict
        for key, value in values.items():
            setattr(current, key, value)
        current.version += 1
        current.full_clean()
        _with_user(current, by).save()
        _touch(current.consortium)
    return current


# --- Goals, KPIs and measurements -------------------------------------------------------------------
def goal_create(*, consortium: Consortium, title: str, theme=None, by) -> Goal:
    goal = _with_user(Goal(consortium=consortium, title=title, theme=theme), by)
    goal.full_clean()
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
    kpi = _with_user(
        Kpi(goal=goal, name=name, unit=unit, baseline=baseline, target=target, due_on=due_on), by
    )
    kpi.full_clean()
    kpi.save()
    _touch(goal.consortium)
    return kpi


def measurement_add(
    *, kpi: Kpi, measured_on: date, value: Decimal, note: str = "", by
) -> Measurement:
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": "未来の日付の測定値は登録できません。"})
    measurement = _with_user(
        Measurement(kpi=kpi, measured_on=measured_on, value=value, note=note, by=by), by
    )
    measurement.full_clean()
    measurement.save()
    _touch(kpi.goal.consortium)
    return measurement


# --- Next actions and activity ----------------------------------------------------------------------
def action_create(*, consortium: Consortium, title: str, owner: str, due_on, by) -> Action:
    action = _with_user(Action(consortium=consortium, title=title, owner=owner, due_on=due_on), by)
    action.full_clean()
    action.save()
    _touch(consortium)
    return action


def action_complete(*, action: Action, by, done: bool = True) -> Action:
    action.status = ActionStatus.DONE if done else ActionStatus.OPEN
    action.done_at = timezone.now() if done else None
    action.version += 1
    _with_user(action, by).save()
    _touch(action.consortium)
    return action


def activity_add(
    *, consortium: Consortium, kind: str, title: str, happened_on: date, note: str = "", url="", by
) -> Activity:
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
    activity.save()
    _touch(consortium)
    return activity


# --- Expert referrals -------------------------------------------------------------------------------
def referral_request(*, consortium: Consortium, kind, request: str, by) -> Referral:
    referral = _with_user(
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
    referral.save()
    _touch(consortium)
    return referral


REFERRAL_MOVES: dict[str, tuple[str, ...]] = {
    ReferralStatus.REQUESTED: (ReferralStatus.ARRANGED,),
    ReferralStatus.ARRANGED: (ReferralStatus.DONE,),
    ReferralStatus.DONE: (),
}


def referral_move(*, referral: Referral, to: str, expert=None, by) -> Referral:
    if to not in REFERRAL_MOVES[referral.status]:
        raise ValidationError("この状態には進められません。")
    referral.status = to
    if expert is not None:
        referral.expert = expert
    _with_user(referral, by).save()
    return referral


def item_counts(items: Iterable[ChecklistItem]) -> dict[str, int]:
    counts = {"total": 0, "settled": 0, "required_open": 0}
    for item in items:
        counts["total"] += 1
        if item.is_settled:
            counts["settled"] += 1
        elif item.required:
            counts["required_open"] += 1
    return counts


__all__ = ["ItemStatus"]


# --- Templates, experts, members and external partners ----------------------------------------------
def template_save(*, form, by):
    """Staff edit the model checklist; existing consortia keep their own copies."""
    template = form.save(commit=False)
    _with_user(template, by).save()
    return template


def expert_save(*, form, by):
    expert = form.save(commit=False)
    _with_user(expert, by).save()
    form.save_m2m()
    return expert


def member_add(*, consortium: Consortium, corporation, role: str, by) -> Membership:
    existing = consortium.memberships.filter(corporation=corporation).first()
    if existing and existing.left_on is None:
        raise ValidationError("この法人はすでに参加しています。")
    with transaction.atomic():
        if existing:
            existing.left_on = None
            existing.role = role
            _with_user(existing, by, "再参加").save()
            membership = existing
        else:
            membership = _with_user(
                Membership(
                    consortium=consortium,
                    corporation=corporation,
                    role=role,
                    joined_on=timezone.localdate(),
                ),
                by,
            )
            membership.save()
        _touch(consortium)
    return membership


def member_leave(*, membership: Membership, by) -> Membership:
    membership.left_on = timezone.localdate()
    _with_user(membership, by, "脱退").save()
    _touch(membership.consortium)
    return membership


def external_partner_add(*, consortium: Consortium, name: str, kind: str, role: str, by):
    from guidance.models import ExternalPartner

    partner = _with_user(
        ExternalPartner(consortium=consortium, name=name, kind=kind, role=role), by
    )
    partner.full_clean()
    partner.save()
    _touch(consortium)
    return partner
