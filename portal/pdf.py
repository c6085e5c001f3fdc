"""HTML to PDF with WeasyPrint, the one way every report of the portal becomes a PDF.

Each report is a Django template that includes the print stylesheet, so the final HTML is
self-contained: its hash names the data it shows (see portal.jobs), and the benchmark can hand
the very same HTML to WeasyPrint directly. The documents name their font explicitly
("Noto Sans CJK JP", lang="ja"): a generic family would let fontconfig mix Chinese glyph shapes
in. Nothing is fetched over the network; the portal's machines are offline.
"""

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
    base = {
        "prefecture": settings.PORTAL_PREFECTURE,
        "window_name": settings.PORTAL_WINDOW_NAME,
        "issued_on": today,
        "issued_seireki": format_seireki(today),
        "issued_wareki": format_wareki(today),
    }
    return render_to_string(template, {**base, **context})


def html_to_pdf(html: str, progress: ProgressFn | None = None) -> bytes:
    """Lay the HTML out and write the PDF; progress runs from 20 % to 95 %."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    report = progress or (lambda _percent: None)
    report(20)
    fonts = FontConfiguration()
    document = HTML(string=html, url_fetcher=refuse_fetch).render(font_config=fonts, **PDF_OPTIONS)
    report(80)
    pdf = document.write_pdf(**PDF_OPTIONS)
    report(95)
    return pdf
