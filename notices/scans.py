"""The daily scan's registry: each app registers the scanners of its own rows (from its
AppConfig.ready()); `notices.tasks.send_reminders` runs them all every morning."""

from collections.abc import Callable
from datetime import date

# A scanner takes `today` and returns how many notices it raised.
Scanner = Callable[..., int]
_SCANNERS: dict[str, Scanner] = {}


def register(name: str, scanner: Scanner) -> None:
    _SCANNERS[name] = scanner


def registered() -> list[tuple[str, Scanner]]:
    return sorted(_SCANNERS.items())


def run_one(name: str, *, today: date) -> int:
    return _SCANNERS[name](today=today)
