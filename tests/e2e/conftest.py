"""Browser journeys: Playwright for Python driving Debian's /usr/bin/chromium, headless."""

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
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def axe_violations(page, levels=("serious", "critical")) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

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
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in levels]
