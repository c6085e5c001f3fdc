"""The report library's 29 cases, and PDFs rendered once per test session (a book takes seconds)."""

from pathlib import Path

import pytest
from django.core.management import call_command

_RENDERED: dict[str, Path] = {}


@pytest.fixture
def report_cases(db):
    call_command("load_cases", verbosity=0)


@pytest.fixture
def casebook_pdf(report_cases, tmp_path_factory) -> Path:
    """The full case book, rendered through the render_report command (job service + task)."""
    if "casebook" not in _RENDERED:
        target = tmp_path_factory.mktemp("casebook") / "casebook.pdf"
        call_command("render_report", "casebook", "--out", str(target))
        _RENDERED["casebook"] = target
    return _RENDERED["casebook"]
