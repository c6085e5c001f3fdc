"""Object-level rules of the workflow (style.md §4): the only place they are written.

Rules, each a predicate below (queryset methods in guidance/querysets.py call these):

- Who is a member (`active_membership_q`): a corporation whose membership is accepted and who has
  not left. An invited (pending) or declined corporation is not a member: it sees nothing of the
  consortium, is not counted and appears in no report.
- Who sees a consortium (`consortium_q`, `Consortium.objects.visible_to(user)`, `can_view`):
  staff and officials see every consortium; a manager sees only those their corporation is a
  member of; anyone else sees none. Lists, the dashboard, the home panel, the report panel and
  the report jobs' download check all go through `visible_to`.
- Who contributes (`can_contribute`): staff and every member tick checklist items, record KPI
  measurements and activities, complete actions.
- Who leads (`can_lead`): staff, and members whose role is promoter or secretariat: goals and
  KPIs, correcting or deleting measurements, actions, stage moves (within the gates), expert
  referrals, inviting members and recording leaving, the consortium's details.
- Who overrides a gate (`can_override_gate`): staff only, with a reason.
- Who may be invited (`can_invite`): staff may invite any corporation of the registry; a lead may
  invite only a corporation they may see in the registry (one that consented to matching), and
  the form answers the same for an unknown and an unseen 法人番号.
- Who answers an invitation (`can_answer_invitation`): the invited corporation's own manager, or
  staff on its behalf (recording how the answer was received, when and a note).
- Who sees an invitation (`can_view_invitation`): those who may answer it, and the consortium's
  leads; the invited corporation's name only if they may see that corporation in the registry
  (`sees_invited_name`), until it accepts.
"""

from django.db.models import Q

from guidance.models import Consortium, MemberRole, Membership, MembershipState
from portal.access import is_manager, is_official, is_window_staff, user_corporation_number

LEADS = (MemberRole.PROMOTER, MemberRole.SECRETARIAT)


def _number(user) -> str | None:
    return user_corporation_number(user) if is_manager(user) else None


def active_membership_q(prefix: str = "") -> Q:
    """Accepted and not left (prefix: "memberships__" when filtering from a consortium)."""
    return Q(**{f"{prefix}state": MembershipState.ACCEPTED, f"{prefix}left_on__isnull": True})


def consortium_q(user) -> Q:
    """The consortia `user` may see (staff and officials: all; a manager: their memberships)."""
    if is_window_staff(user) or is_official(user):
        return Q()
    number = _number(user)
    if not number:
        return Q(pk__in=[])
    mine = Membership.objects.filter(active_membership_q(), corporation__number=number)
    # A subquery, not a join: a join on memberships would also narrow member counts annotated
    # on the same queryset.
    return Q(pk__in=mine.values("consortium_id"))


def membership_of(user, consortium: Consortium) -> Membership | None:
    """The user's corporation's active membership of this consortium, or None."""
    number = _number(user)
    if not number:
        return None
    cached = getattr(consortium, "_memberships_cache", None)
    if cached is not None:
        return next((m for m in cached if m.corporation.number == number and m.is_active), None)
    return (
        consortium.memberships.active()
        .filter(corporation__number=number)
        .select_related("corporation")
        .first()
    )


def can_view(user, consortium: Consortium) -> bool:
    return is_window_staff(user) or is_official(user) or membership_of(user, consortium) is not None


def can_contribute(user, consortium: Consortium) -> bool:
    """Tick items, record measurements and activities, complete actions."""
    return is_window_staff(user) or membership_of(user, consortium) is not None


def can_lead(user, consortium: Consortium) -> bool:
    """Goals, KPIs, measurements' corrections, actions, stage moves, referrals, invitations."""
    if is_window_staff(user):
        return True
    membership = membership_of(user, consortium)
    return membership is not None and membership.role in LEADS


def changeable_activity_ids(user, consortium: Consortium, activities) -> set[int]:
    """Which of a consortium's activity entries the user may correct or delete: all of them for
    the leads, their own entries for the other members."""
    if can_lead(user, consortium):
        return {a.pk for a in activities}
    if not can_contribute(user, consortium):
        return set()
    return {a.pk for a in activities if a.by_id == user.pk}


def can_change_activity(user, activity) -> bool:
    return activity.pk in changeable_activity_ids(user, activity.consortium, [activity])


def can_override_gate(user) -> bool:
    return is_window_staff(user)


def can_invite(user, corporation) -> bool:
    """Staff invite any registered corporation; a lead only one they may see in the registry."""
    from partners.access import RegistryViewer

    return is_window_staff(user) or RegistryViewer(user).sees_name(corporation)


def sees_names_of_any_corporation(user) -> bool:
    """Whether the invitation form may name a corporation the user cannot otherwise see."""
    return is_window_staff(user)


def is_invitee(user, membership: Membership) -> bool:
    number = _number(user)
    return bool(number) and membership.corporation.number == number


def can_answer_invitation(user, membership: Membership) -> bool:
    if membership.state != MembershipState.INVITED:
        return False
    return is_window_staff(user) or is_invitee(user, membership)


def can_view_invitation(user, membership: Membership) -> bool:
    return (
        is_window_staff(user)
        or is_invitee(user, membership)
        or can_lead(user, membership.consortium)
    )


def sees_invited_name(user, membership: Membership) -> bool:
    """Leads see the name of a corporation staff invited only if the registry shows it to them."""
    from partners.access import RegistryViewer

    return (
        membership.state == MembershipState.ACCEPTED
        or is_window_staff(user)
        or is_invitee(user, membership)
        or RegistryViewer(user).sees_name(membership.corporation)
    )
