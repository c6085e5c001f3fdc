"""The report library's 29 cases, and PDFs rendered once per test session (a book takes seconds)."""

from pathlib import Path

import pytest
from django.core.management import call_command

_RENDERED: dict[str, Path] = {}


BASE_URL = "https://kyodo.example.jp"
WINDOW = {
    "PORTAL_WINDOW_ADDRESS": "〒380-8570 長野県長野市大字南長野字幅下692-2",
    "PORTAL_WINDOW_PHONE": "026-000-0000",
    "PORTAL_WINDOW_EMAIL": "kyodo@example.jp",
    "PORTAL_WINDOW_HOURS": "平日 8時30分～17時15分",
}


@pytest.fixture
def casebook_pdf(report_cases, tmp_path_factory, settings) -> Path:
    """The full case book, rendered through the render_report command (job service + task),
    for a portal with a public address (QR codes) and the window's contact details set."""
    settings.PORTAL_BASE_URL = BASE_URL
    for name, value in WINDOW.items():
        setattr(settings, name, value)
    if "casebook" not in _RENDERED:
        target = tmp_path_factory.mktemp("casebook") / "casebook.pdf"
        call_command("render_report", "casebook", "--out", str(target))
        _RENDERED["casebook"] = target
    return _RENDERED["casebook"]
