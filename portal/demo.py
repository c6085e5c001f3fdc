"""Demo data seeders: apps register a function here; `seed_demo` runs them in order.

The core imports no app; each app adds its demo data from its AppConfig.ready().
"""

from collections.abc import Callable

# (label, seeder) where seeder(stdout_write) fills demo data idempotently.
_SEEDERS: list[tuple[str, Callable[[Callable[[str], None]], None]]] = []


def register_seeder(label: str, seeder: Callable[[Callable[[str], None]], None]) -> None:
    if all(existing != label for existing, _ in _SEEDERS):
        _SEEDERS.append((label, seeder))


def seeders() -> list[tuple[str, Callable[[Callable[[str], None]], None]]]:
    return list(_SEEDERS)
