"""Object-level rules of the registry: who sees which corporation, contact and introduction.

Staff see everything. A manager sees their own corporation, corporations that consented to
matching, and introductions their corporation is party to; contact details of another corporation
only once every party of a shared introduction has accepted. Officials and anonymous visitors see
nothing of the registry.
"""

from partners.models import Corporation, Introduction, IntroductionParty, IntroductionStatus
from portal.access import is_manager, is_window_staff, user_corporation_number

OPEN_STATES = (
    IntroductionStatus.ACCEPTED,
    IntroductionStatus.MEETING_HELD,
    IntroductionStatus.FORMED,
)


def own_number(user) -> str | None:
    return user_corporation_number(user) if is_manager(user) else None


def visible_corporations(user, queryset=None):
    queryset = Corporation.objects.all() if queryset is None else queryset
    if is_window_staff(user):
        return queryset
    number = own_number(user)
    if not number:
        return queryset.none()
    from django.db.models import Q

    return queryset.filter(Q(profile__consent_matching=True) | Q(number=number))


def is_own(user, corporation: Corporation) -> bool:
    return bool(own_number(user)) and own_number(user) == corporation.number


def can_view_corporation(user, corporation: Corporation) -> bool:
    if is_window_staff(user):
        return True
    if not own_number(user):
        return False
    if is_own(user, corporation):
        return True
    profile = getattr(corporation, "profile", None)
    return bool(profile and profile.consent_matching)


def can_edit_profile(user, corporation: Corporation) -> bool:
    return is_window_staff(user) or is_own(user, corporation)


def can_match_for(user, corporation: Corporation) -> bool:
    return is_window_staff(user) or is_own(user, corporation)


def contact_partner_ids(user) -> set[int]:
    """Corporations whose contact details this manager may see: parties of an introduction with
    their own corporation that every party has accepted."""
    number = own_number(user)
    if not number:
        return set()
    mine = IntroductionParty.objects.filter(
        corporation__number=number, introduction__status__in=OPEN_STATES
    ).values("introduction_id")
    return set(
        IntroductionParty.objects.filter(introduction_id__in=mine).values_list(
            "corporation_id", flat=True
        )
    )


def can_see_contact(user, corporation: Corporation, partner_ids: set[int] | None = None) -> bool:
    if is_window_staff(user) or is_own(user, corporation):
        return True
    ids = contact_partner_ids(user) if partner_ids is None else partner_ids
    return corporation.pk in ids


def can_view_introduction(user, introduction: Introduction) -> bool:
    if is_window_staff(user):
        return True
    number = own_number(user)
    return bool(number) and introduction.parties.filter(corporation__number=number).exists()
