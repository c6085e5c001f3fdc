"""Providers that higher apps register so lower pages can show what they own, without importing up.

Two kinds, both registered from the higher app's AppConfig.ready():

1. Consortium readers: the registry (partners/) asks what the workflow (guidance/, above it) knows
   about consortia; guidance registers them with `register_consortium_readers`; until it does,
   nobody is in a consortium.
2. The registry reader: accounts (portal core) ask the registry (partners/) whether a 法人番号 is
   one of its corporations, through `register_registry_reader`; until it is registered there is
   no registry to check against and every valid number is taken.
3. Page slots: a higher app registers a provider for a named slot of a lower page with `register`;
   the lower page collects the slot with `collect`. A provider takes keyword arguments (the slot's
   page decides which: at least `request`) and returns None (nothing to show) or a dict; what the
   dict holds is the slot's contract:
   - "corporation_page" (partners, a corporation's page; `request`, `corporation`):
     {"template": ..., "context": {...}} included below the page's own sections.
   - "match_page" (partners, a corporation's match page; `request`, `corporation`, `numbers`):
     {"action": URL the chosen candidates are posted to, "template": ..., "context": {...},
     "marks": {法人番号: label}}: the form around the candidates, and marks beside them.
   - "report_job_finished" (portal/services.py, after a report job is done or failed commits;
     `job`): an event, not a page slot; notices/ tells the requester. Returns None.
"""

from collections.abc import Callable, Iterable

# corporation id -> ids of corporations sharing an active consortium with it
_co_members: Callable[[int], set[int]] = lambda corporation_id: set()  # noqa: E731
# corporation ids -> {corporation id: [{"name", "role", "url", "stage"}...]}
_memberships: Callable[[Iterable[int]], dict[int, list[dict]]] = lambda ids: {}  # noqa: E731


def register_consortium_readers(
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


# 法人番号 -> the corporation's name in the registry, or None when the registry has no such number
_registry_name: Callable[[str], str | None] | None = None


def register_registry_reader(name_of: Callable[[str], str | None]) -> None:
    global _registry_name
    _registry_name = name_of


def registry_has(number: str) -> bool:
    """Whether the registry lists this 法人番号 (True while no registry is registered)."""
    return _registry_name is None or _registry_name(number) is not None


_SLOTS: dict[str, list[tuple[str, Callable[..., dict | None]]]] = {}


def register(slot: str, name: str, provider: Callable[..., dict | None]) -> None:
    providers = _SLOTS.setdefault(slot, [])
    if all(existing != name for existing, _ in providers):
        providers.append((name, provider))


def collect(slot: str, **kwargs) -> list[dict]:
    shown = []
    for _name, provider in _SLOTS.get(slot, []):
        result = provider(**kwargs)
        if result:
            shown.append(result)
    return shown
