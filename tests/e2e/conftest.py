"""Browser journeys: Playwright for Python driving Debian's /usr/bin/chromium, headless."""

import functools
import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; the ORM calls tests make around it
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1280, "height": 800},
    }


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def console_errors(page):
    errors = []
    page.on(
        "console",
        lambda msg: (
            errors.append(
                f"{msg.text} @ {msg.location.get('url')}:{msg.location.get('lineNumber')}"
            )
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture
def demo_users(transactional_db):
    """The demo installation (`seed_demo`), as `make setup` leaves it.

    On PostgreSQL (where scripts/test.sh runs the journeys) the first journey of a test database
    seeds it and copies every table into the schema `demo_snapshot`; each later journey copies
    them back (a second or less instead of seeding again), with the same primary keys. The flush
    after every journey is pytest-django's, as before. SQLite seeds each time.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        seed_demo()
    elif _DEMO_SNAPSHOT_TAKEN:
        restore_demo_snapshot()
    else:
        seed_demo()
        take_demo_snapshot()


_DEMO_SNAPSHOT_TAKEN: list[bool] = []  # one process, one test database (xdist: one each)
SNAPSHOT_SCHEMA = "demo_snapshot"


def seed_demo() -> None:
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def take_demo_snapshot() -> None:
    from django.db import connection

    from tests.postgresql.base import copy_tables_to

    copy_tables_to(connection, SNAPSHOT_SCHEMA)
    _DEMO_SNAPSHOT_TAKEN.append(True)


def restore_demo_snapshot() -> None:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from tests.postgresql.base import django_tables, restore_statements

    # DELETE, not TRUNCATE: the tables are nearly empty after the flush, and TRUNCATE costs about
    # a second for a hundred tables whatever they hold (see tests/postgresql/base.py).
    tables = django_tables(connection)
    restore = restore_statements(connection.ops, SNAPSHOT_SCHEMA, tables, set(tables))
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in restore:
            cursor.execute(sql)
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


def axe_violations(page, levels=("serious", "critical")) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now: id, impact, help and
    the first nodes. axe is injected once per document (a second run on the same page, after a
    resize or an htmx swap, reuses it) and the results are filtered in the page, so only the
    violations cross to Python (the whole result set, passes included, was most of a run's time)."""
    # Let htmx finish: a "loading" indicator fading out has, for a moment, too little contrast.
    # Polled from here: wait_for_function's page-side polling calls eval(), which the CSP forbids.
    settled = (
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping') && "
        "[...document.querySelectorAll('.htmx-indicator')]"
        ".every(e => getComputedStyle(e).opacity === '0')"
    )
    for _attempt in range(50):
        if page.evaluate(settled):
            break
        page.wait_for_timeout(100)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_script())
    return page.evaluate(AXE_RUN, list(levels))


AXE_RUN = """(levels) => axe.run(document, {resultTypes: ['violations']}).then((results) =>
  results.violations.filter((v) => levels.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((node) => node.target.join(' ')),
  })))"""


@functools.cache
def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script
