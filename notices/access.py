"""Who sees what of notices (style.md §4): the only place these rules are written.

1. A notice is its recipient's alone: the centre, the header count and the mark-read actions see
   only the logged-in user's own notices; anyone else's id answers 404.
2. Every logged-in user has a notice centre and settings; visitors have neither.
3. An unsubscribe link changes one setting (one kind) of the one user it was signed for, without
   logging in; a tampered link, or one signed for someone else, changes nothing.
4. What a notice says is decided by the app raising it, with that app's access rules for the
   recipient (e.g. partners' `RegistryViewer.sees_contact`): notices carry no contact details
   and no name the recipient may not see.
"""

from django.db.models import Q


def notice_visible_q(user) -> Q:
    """Rule 1."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    return Q(recipient_id=user.pk)


def has_notice_centre(user) -> bool:
    """Rule 2."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)
