"""Who may see or change support programmes and model documents.

- Programmes: everyone reads the published ones; window staff also drafts, and only staff edit.
- Documents: a visitor reads and downloads the public ones; a logged-in user also the
  login-only ones; staff see every document and publish versions
  (`Document.objects.visible_to(user)` is the row rule for lists, pages and downloads).
"""

from portal.access import is_window_staff


def can_edit_support(user) -> bool:
    return is_window_staff(user)
