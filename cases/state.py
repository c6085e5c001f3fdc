"""The library's state: one version in the cache that names every cached rendering of cases.

Lists, case pages, similar cases and the landing page are cached under this version, so a page
served from the cache costs one cache read and no query. Any write to a case, its prefectures or
tags, a tag or a prefecture (through the services, the admin, loaddata or a history revert: every
ORM save, delete and relation change) gives the library a new version at once and again when its
transaction commits: a reader that saw the old rows before the commit may have cached them only
under a version that is already replaced.

The version is random rather than derived from the rows: an aggregate such as count and latest
`updated_at` cannot see a renamed tag, so a version recomputed from it could name renderings made
before the rename. When the cache loses the version (eviction, restart, a process-local cache in
another process), a new one is drawn and every rendering is made afresh. It expires after the
renderings themselves, so a process with its own cache sees another process's writes at the
latest by then.
"""

import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

KEY = "cases:library-state"
TIMEOUT_SECONDS = 600  # as long as the renderings keyed on it (see cases.views, cases.selectors)


def library_state() -> str:
    """The current version: one cache read (two more and no query when the cache lost it)."""
    state = cache.get(KEY)
    if state is None:
        cache.add(KEY, secrets.token_hex(8), TIMEOUT_SECONDS)  # the first of racing readers wins
        state = cache.get(KEY) or secrets.token_hex(8)  # a cache that keeps nothing: never reused
    return state


def library_changed() -> None:
    """A new version now (for this transaction's own reads) and again once it commits."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    cache.set(KEY, secrets.token_hex(8), TIMEOUT_SECONDS)


def _on_write(sender, **kwargs) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        library_changed()


def connect() -> None:
    """Called by CasesConfig.ready(): every write to the library's tables bumps the version."""
    from cases.models import Case, Prefecture, Tag

    for model in (Case, Tag, Prefecture):
        post_save.connect(
            _on_write, sender=model, dispatch_uid=f"cases-state-save-{model.__name__}"
        )
        post_delete.connect(
            _on_write, sender=model, dispatch_uid=f"cases-state-delete-{model.__name__}"
        )
    for through in (Case.tags.through, Case.prefectures.through):
        m2m_changed.connect(
            _on_write, sender=through, dispatch_uid=f"cases-state-m2m-{through.__name__}"
        )
