"""Panels of the home page: apps register a function here; the core imports none of them.

A panel function takes the request and returns None (nothing to show) or a dict with the
`template` to include and its `context`."""

from collections.abc import Callable

_PANELS: list[tuple[str, Callable]] = []


def register_panel(name: str, panel: Callable) -> None:
    if all(existing != name for existing, _ in _PANELS):
        _PANELS.append((name, panel))


def panels_for(request) -> list[dict]:
    result = []
    for _name, panel in _PANELS:
        shown = panel(request)
        if shown:
            result.append(shown)
    return result


# The page an anonymous visitor sees at "/" (front/ registers it); without one, the login page.
_LANDING: list[Callable] = []


def register_landing(view: Callable) -> None:
    _LANDING[:] = [view]


def landing_view() -> Callable | None:
    return _LANDING[0] if _LANDING else None
