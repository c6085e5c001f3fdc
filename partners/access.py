"""Object-level rules of the registry: who sees which corporation, contact and introduction.

Every rule of the registry is written here once; querysets, selectors, views, exports, the
`match` command and templates ask these functions (or a `RegistryViewer`) and nothing else.

1. Window staff (and superusers) see and may do everything in the registry.
2. Officials and anonymous visitors see nothing of the registry.
3. A manager sees (name, page, registry list) their own corporation, corporations that consented
   to matching, and corporations they share an open introduction with (rule 6).
4. A manager edits the profile of, and runs matching for, their own corporation only.
5. A manager's matching offers only corporations that consented to matching.
6. Contact details (担当者, 連絡先 of the profile, phone numbers) of another corporation are shown
   to a manager only once every party of an introduction they share has accepted: an
   introduction in an open state (全員が承諾, 顔合わせ済み, 協働体を結成). Their own always.
7. A manager sees the introductions their corporation is party to, and its event log once open.
8. A party's answer to an introduction is given by the party: its own manager answers for it;
   staff only record an answer the party gave them (on behalf, with channel, date and note). Each
   party answers once.
9. Sub-meetings are run by staff. A manager sees a sub-meeting as an event (its invitation page,
   its .ics, its minutes) only once their corporation has been invited to it.
10. A sub-meeting invitation is mailed to the corporation's own managers, and to the profile's
   contact only when it is an e-mail address and the corporation consented to sharing it
   (マッチングへの同意); nothing of the other invited corporations is in the mail.
11. An invitation is answered by its corporation: its manager in the portal, or whoever holds
   the signed link of its mail (no login); a link answers for its own invitation only. A
   manager's questionnaire updates the corporation's profile only when they ticked agreement.

Predicates that filter rows return a Q (the Wagtail `live_q()` shape) and are used by
`CorporationQuerySet.visible_to` and `IntroductionQuerySet.visible_to`; the per-object answers
for one request come from `RegistryViewer(user)`, computed once per request.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Q

from portal.access import is_manager, is_window_staff, user_corporation_number

if TYPE_CHECKING:
    from partners.models import (
        Corporation,
        Introduction,
        IntroductionParty,
        ProviderProfile,
        SubMeeting,
        SubMeetingParticipant,
    )

# Introductions in these states have been accepted by every party (rule 6).
OPEN_STATES = ("accepted", "meeting_held", "formed")
HIDDEN_NAME = "（マッチングに同意していない法人）"


def own_number(user) -> str | None:
    return user_corporation_number(user) if is_manager(user) else None


def _who(user_or_viewer) -> tuple[bool, str | None]:
    """(is staff, own 法人番号) of a user or of a RegistryViewer."""
    if isinstance(user_or_viewer, RegistryViewer):
        return user_or_viewer.staff, user_or_viewer.number
    staff = is_window_staff(user_or_viewer)
    return staff, None if staff else own_number(user_or_viewer)


# --- Row predicates (Q objects) ----------------------------------------------------------------
def nothing_q() -> Q:
    return Q(pk__in=[])


def open_partner_q(number: str, prefix: str = "") -> Q:
    """Corporations that share an open introduction with the corporation `number` (rule 6)."""
    from partners.models import IntroductionParty

    mine = IntroductionParty.objects.filter(
        corporation__number=number, introduction__status__in=OPEN_STATES
    ).values("introduction_id")
    partners = IntroductionParty.objects.filter(introduction_id__in=mine).values("corporation_id")
    return Q(**{f"{prefix}pk__in": partners})


def corporation_visible_q(user, prefix: str = "") -> Q:
    """Rules 1–3 as a filter on corporations (`prefix` to use it across a relation); `user` may
    also be a RegistryViewer."""
    staff, number = _who(user)
    if staff:
        return Q()
    if not number:
        return nothing_q()
    return (
        Q(**{f"{prefix}profile__consent_matching": True})
        | Q(**{f"{prefix}number": number})
        | open_partner_q(number, prefix)
    )


def corporation_matchable_q(user) -> Q:
    """Rule 5: which corporations a user's matching may offer (before distance and scores)."""
    staff, number = _who(user)
    if staff:
        return Q()
    if not number:
        return nothing_q()
    return Q(profile__consent_matching=True)


def introduction_visible_q(user) -> Q:
    """Rule 7 as a filter on introductions."""
    staff, number = _who(user)
    if staff:
        return Q()
    if not number:
        return nothing_q()
    from partners.models import IntroductionParty

    return Q(
        pk__in=IntroductionParty.objects.filter(corporation__number=number).values(
            "introduction_id"
        )
    )


def meeting_visible_q(user) -> Q:
    """Rule 9 as a filter on sub-meetings."""
    staff, number = _who(user)
    if staff:
        return Q()
    if not number:
        return nothing_q()
    from partners.models import SubMeetingParticipant

    return Q(
        pk__in=SubMeetingParticipant.objects.filter(
            corporation__number=number, invited_at__isnull=False
        ).values("meeting_id")
    )


def profile_contact_mailable(profile: ProviderProfile | None) -> bool:
    """Rule 10: the profile's contact receives invitations only when it is an e-mail address and
    the corporation consented to sharing it."""
    if profile is None or not profile.consent_matching:
        return False
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(profile.contact.strip())
    except ValidationError:
        return False
    return True


# --- One request's answers ---------------------------------------------------------------------
class RegistryViewer:
    """What one user may see and do in the registry, computed once per request; the ids of the
    corporations they share an open introduction with are loaded once, on first use."""

    def __init__(self, user):
        self.user = user
        self.staff = is_window_staff(user)
        self.number = None if self.staff else own_number(user)

    @classmethod
    def system(cls) -> RegistryViewer:
        """The window staff's view, for management commands run on the server."""
        viewer = cls(None)
        viewer.staff = True
        return viewer

    @property
    def uses_registry(self) -> bool:
        return self.staff or bool(self.number)

    @cached_property
    def open_partner_ids(self) -> frozenset[int]:
        if self.staff or not self.number:
            return frozenset()
        from partners.models import Corporation

        ids = Corporation.objects.filter(open_partner_q(self.number)).values_list("pk", flat=True)
        return frozenset(ids)

    def is_own(self, corporation: Corporation) -> bool:
        return bool(self.number) and corporation.number == self.number

    def sees_name(self, corporation: Corporation) -> bool:
        """Rule 3: its name, its page, its row in lists."""
        if self.staff or self.is_own(corporation):
            return True
        if not self.number:
            return False
        profile = getattr(corporation, "profile", None)
        if profile is not None and profile.consent_matching:
            return True
        return corporation.pk in self.open_partner_ids

    def sees_contact(self, corporation: Corporation) -> bool:
        """Rule 6, the only place that decides whether contact details are shown."""
        if self.staff or self.is_own(corporation):
            return True
        return bool(self.number) and corporation.pk in self.open_partner_ids

    def may_edit_profile(self, corporation: Corporation) -> bool:
        return self.staff or self.is_own(corporation)

    def may_match_for(self, corporation: Corporation) -> bool:
        return self.staff or self.is_own(corporation)

    def sees_introduction(self, introduction: Introduction) -> bool:
        if self.staff:
            return True
        return bool(self.number) and any(
            p.corporation.number == self.number for p in introduction.parties.all()
        )

    def sees_introduction_log(self, introduction: Introduction) -> bool:
        """Rule 7: the parties read the event log once the introduction is open."""
        return self.staff or (
            self.sees_introduction(introduction) and introduction.status in OPEN_STATES
        )

    def answers_for(self, party: IntroductionParty) -> bool:
        """Rule 8: a manager answers for their own corporation's party only."""
        return not self.staff and self.is_own(party.corporation)

    def records_on_behalf(self, party: IntroductionParty) -> bool:
        """Rule 8: staff record the answer a party gave them."""
        return self.staff

    def sees_meeting(self, meeting: SubMeeting) -> bool:
        """Rule 9 for one sub-meeting (one query for a manager)."""
        if self.staff:
            return True
        return (
            bool(self.number)
            and meeting.participants.filter(
                corporation__number=self.number, invited_at__isnull=False
            ).exists()
        )

    def answers_invitation(self, participant: SubMeetingParticipant) -> bool:
        """Rule 11: a manager answers (and fills the questionnaire) for their own corporation."""
        return (
            not self.staff
            and participant.invited_at is not None
            and self.is_own(participant.corporation)
        )
