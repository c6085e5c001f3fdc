"""Who may see and do what on the consultation desk (style.md §4): every rule of desk/ is here.

1. Consultations hold personal data: only window staff (and superusers) see, log, change, export
   or purge them; managers, officials and visitors see none, not even their count.
2. Anyone may send the public consultation form (throttled in the view); it shows nothing back.
3. A manager asks for an introduction for their own corporation only (the registry's own rule:
   `RegistryViewer.may_match_for`), and only among candidates the registry lets them see.
4. A manager sees the introduction requests of their own corporation, with their state and the
   reason of a decline; staff see every request and alone accept or decline one.
"""

from __future__ import annotations

from django.db.models import Q

from partners.access import RegistryViewer
from portal.access import can_use_desk, is_window_staff

__all__ = ["can_use_desk"]  # rule 1, shared with the navigation through portal.access


def consultation_visible_q(user) -> Q:
    return Q() if can_use_desk(user) else Q(pk__in=[])


def may_request_introduction(viewer: RegistryViewer, corporation) -> bool:
    """Rule 3: managers ask for their own corporation; staff propose introductions directly."""
    return not viewer.staff and viewer.may_match_for(corporation)


def may_decide_request(user) -> bool:
    """Rule 4."""
    return is_window_staff(user)


def request_visible_q(user) -> Q:
    """Rule 4 as a filter on introduction requests."""
    if is_window_staff(user):
        return Q()
    number = RegistryViewer(user).number
    if not number:
        return Q(pk__in=[])
    return Q(corporation__number=number)
