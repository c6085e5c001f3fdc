"""HTML to PDF with WeasyPrint, the one way every report of the portal becomes a PDF.

Each report is a Django template that includes the print stylesheet, so the final HTML is
self-contained: its hash names the data it shows (see portal.jobs), and the benchmark can hand
the very same HTML to WeasyPrint directly. The documents name their font explicitly
("Noto Sans CJK JP", lang="ja"): a generic family would let fontconfig mix Chinese glyph shapes
in. Nothing is fetched over the network; the portal's machines are offline.
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from portal.dates import format_seireki, format_wareki
from portal.jobs import ProgressFn

# PDF/UA-1: a tagged PDF with a title and a language, as far as WeasyPrint produces one.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class OfflineFetchError(ValueError):
    pass


def refuse_fetch(url: str, *args, **kwargs):
    """Reports embed everything (styles, SVG charts); any outside reference is a bug."""
    raise OfflineFetchError(f"reports do not load outside resources: {url}")


def render_report_html(template: str, context: dict) -> str:
    today = timezone.localdate()
    base_url = settings.PORTAL_BASE_URL.rstrip("/")
    base = {
        "prefecture": settings.PORTAL_PREFECTURE,
        "window_name": settings.PORTAL_WINDOW_NAME,
        "issued_on": today,
        "issued_seireki": format_seireki(today),
        "issued_wareki": format_wareki(today),
        # Printed only when it is an address readers can reach.
        "portal_url": "" if any(h in base_url for h in ("127.0.0.1", "localhost")) else base_url,
    }
    return render_to_string(template, {**base, **context})


class _LayoutProgress(logging.Handler):
    """Turns WeasyPrint's per-page progress messages into the job's percentage (20–80 %)."""

    def __init__(self, report: ProgressFn, expected_pages: int):
        super().__init__(logging.INFO)
        self.report = report
        self.expected = max(1, expected_pages)
        self.last = 20
        self.repaginating = False

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg if isinstance(record.msg, str) else ""
        if "Repagination" in message:
            self.repaginating = True
            percent = 78
        elif message.startswith("Step 5 - Creating layout - Page") and not self.repaginating:
            args = record.args if isinstance(record.args, tuple) else ()
            page = args[0] if args and isinstance(args[0], int) else 1
            percent = 20 + int(55 * min(1.0, page / self.expected))
        else:
            return
        if percent > self.last:
            self.last = percent
            self.report(percent)


@contextmanager
def _layout_progress(report: ProgressFn, expected_pages: int):
    logger = logging.getLogger("weasyprint.progress")
    handler = _LayoutProgress(report, expected_pages)
    saved = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the per-page messages feed the progress bar, not the log
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def html_to_pdf(html: str, progress: ProgressFn | None = None, expected_pages: int = 10) -> bytes:
    """Lay the HTML out and write the PDF; progress runs from 20 % to 95 %, page by page.

    Each progress report also refreshes the job's heartbeat, which tells an identical job waiting
    for this render that it is still alive.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    report = progress or (lambda _percent: None)
    report(20)
    fonts = FontConfiguration()
    with _layout_progress(report, expected_pages):
        document = HTML(string=html, url_fetcher=refuse_fetch).render(
            font_config=fonts, **PDF_OPTIONS
        )
    report(80)
    pdf = document.write_pdf(**PDF_OPTIONS)
    report(95)
    return pdf
