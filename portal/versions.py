"""Data versions kept in the cache: one cache read names every cached rendering of a body of data.

A page cached under a data version costs one cache read and no query to find. Every write to the
watched tables (through a service, the admin, loaddata or a history revert: every ORM save,
delete and relation change; bulk writers call `changed()` themselves) gives the data a new version
at once and again when its transaction commits: a reader that saw the old rows before the commit
can only have cached them under a version that is already replaced.

A version is random rather than derived from the rows: an aggregate such as count and latest
`updated_at` cannot see a renamed tag or an UPDATE that leaves `updated_at` alone, so a version
recomputed from it could name renderings made before the change. When the cache loses a version
(eviction, restart, a process-local cache in another process), a new one is drawn and every
rendering is made afresh. A version expires with the renderings keyed on it, so a process with a
cache of its own (the embedded default's locmem) sees another process's writes by then.
"""

import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


class DataVersion:
    def __init__(self, key: str, *, timeout: int = 600):
        self.key = key
        self.timeout = timeout

    def current(self) -> str:
        """One cache read (two more, and still no query, when the cache lost it)."""
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, secrets.token_hex(8), self.timeout)  # the first racing reader wins
            version = cache.get(self.key) or secrets.token_hex(8)  # a cache that keeps nothing
        return version

    def read(self, key: str) -> tuple[str, object | None]:
        """The current version and what `key` holds for it, in one cache round trip: a value
        stored under an older version is no value (`store` tags each value with its version)."""
        found = cache.get_many([self.key, key])
        version = found.get(self.key) or self.current()
        held = found.get(key)
        if held is not None and held[0] == version:
            return version, held[1]
        return version, None

    def store(self, key: str, version: str, value: object, timeout: int) -> None:
        """Keep `value`, made from rows read after `version` was, for readers of that version."""
        cache.set(key, (version, value), timeout)

    def changed(self) -> None:
        """A new version now (for this transaction's own reads) and again once it commits."""
        self._bump()
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        cache.set(self.key, secrets.token_hex(8), self.timeout)

    def _on_write(self, sender, **kwargs) -> None:
        if kwargs.get("action", "post_").startswith("post_"):  # m2m: after, not before
            self.changed()

    def watch(self, *models, throughs=()) -> None:
        """Every save and delete of these models, and every change of these relations."""
        for model in models:
            uid = f"{self.key}:{model._meta.label}"
            post_save.connect(self._on_write, sender=model, weak=False, dispatch_uid=f"{uid}:s")
            post_delete.connect(self._on_write, sender=model, weak=False, dispatch_uid=f"{uid}:d")
        for through in throughs:
            uid = f"{self.key}:{through._meta.label}:m2m"
            m2m_changed.connect(self._on_write, sender=through, weak=False, dispatch_uid=uid)
