"""Object-level rules of the workflow (style.md §4).

Staff see and edit every consortium. Officials read every consortium and edit nothing. A manager
sees only the consortia their corporation belongs to (and has not left); promoter and secretariat
edit more than members:

- every member: tick checklist items, record KPI measurements and activities, complete actions;
- promoter and secretariat: also goals and KPIs, actions, stage moves (within the gates),
  expert referrals and the consortium's details;
- staff: also override a gate with a reason, edit templates and the expert directory.
"""

from guidance.models import Consortium, MemberRole, Membership
from portal.access import is_manager, is_official, is_window_staff, user_corporation_number

LEADS = (MemberRole.PROMOTER, MemberRole.SECRETARIAT)


def membership_of(user, consortium: Consortium) -> Membership | None:
    number = user_corporation_number(user) if is_manager(user) else None
    if not number:
        return None
    cached = getattr(consortium, "_memberships_cache", None)
    if cached is not None:
        return next(
            (m for m in cached if m.corporation.number == number and m.left_on is None), None
        )
    return (
        consortium.memberships.filter(corporation__number=number, left_on__isnull=True)
        .select_related("corporation")
        .first()
    )


def visible_consortia(user, queryset=None):
    queryset = Consortium.objects.all() if queryset is None else queryset
    if is_window_staff(user) or is_official(user):
        return queryset
    number = user_corporation_number(user) if is_manager(user) else None
    if not number:
        return queryset.none()
    mine = Membership.objects.filter(corporation__number=number, left_on__isnull=True)
    return queryset.filter(pk__in=mine.values("consortium_id"))


def can_view(user, consortium: Consortium) -> bool:
    return is_window_staff(user) or is_official(user) or membership_of(user, consortium) is not None


def can_contribute(user, consortium: Consortium) -> bool:
    """Tick items, record measurements and activities, complete actions."""
    return is_window_staff(user) or membership_of(user, consortium) is not None


def can_lead(user, consortium: Consortium) -> bool:
    """Goals, KPIs, actions, stage moves, referrals and the consortium's details."""
    if is_window_staff(user):
        return True
    membership = membership_of(user, consortium)
    return membership is not None and membership.role in LEADS


def can_override_gate(user) -> bool:
    return is_window_staff(user)
