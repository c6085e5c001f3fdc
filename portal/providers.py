"""Providers that higher apps register so lower pages can show what they own, without importing up.

The registry (partners/) asks what the workflow (guidance/, above it) knows about consortia:
guidance registers these two readers from its AppConfig.ready(); until it does, nobody is in a
consortium. Providers for other lower pages (e.g. a corporation's consultations from desk/) go here.
"""

from collections.abc import Callable, Iterable

# corporation id -> ids of corporations sharing an active consortium with it
_co_members: Callable[[int], set[int]] = lambda corporation_id: set()  # noqa: E731
# corporation ids -> {corporation id: [{"name", "role", "url", "stage"}...]}
_memberships: Callable[[Iterable[int]], dict[int, list[dict]]] = lambda ids: {}  # noqa: E731


def register(
    *,
    co_members: Callable[[int], set[int]],
    memberships: Callable[[Iterable[int]], dict[int, list[dict]]],
) -> None:
    global _co_members, _memberships
    _co_members, _memberships = co_members, memberships


def co_member_ids(corporation_id: int) -> set[int]:
    return _co_members(corporation_id)


def memberships(corporation_ids: Iterable[int]) -> dict[int, list[dict]]:
    return _memberships(corporation_ids)
