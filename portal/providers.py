"""Parts of a lower app's page that a higher app provides (layers.md): the higher app registers
a provider for a named slot in its AppConfig.ready(); the lower page collects the slot here, so
it never imports the app that fills it.

A provider takes keyword arguments (the slot's page decides which: at least `request`) and
returns None (nothing to show) or a dict; what the dict holds is the slot's contract:
- "corporation_page" (partners, a corporation's page; `request`, `corporation`):
  {"template": ..., "context": {...}} included below the page's own sections.
- "match_page" (partners, a corporation's match page; `request`, `corporation`, `numbers`):
  {"action": URL the chosen candidates are posted to, "template": ..., "context": {...},
  "marks": {法人番号: label}} — the form around the candidates, and marks beside them.
"""

from collections.abc import Callable

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
