"""Typesetting filters of the PDF reports."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TAIL = 4  # a paragraph's last line holds at least this many characters

# WeasyPrint justifies a line only by widening its spaces (U+0020, U+00A0), and Japanese text has
# none. Between two CJK characters where a line may break anyway, the text gets a space that
# `.ja { word-spacing }` in report.css narrows to nothing; justification then widens these evenly,
# so lines end flush. Never before closing marks or after opening ones (kinsoku), and the text's
# own spaces become a fixed quarter-em space so that they keep their width.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e\u3001-\u303f"
_NO_BREAK_BEFORE = (
    "、。，．・：；？！ー）」』】〕〉》”’ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻‐゠–〜～"
)
_NO_BREAK_AFTER = "（「『【〔〈《“‘"
_GAP = re.compile(f"(?<=[{_CJK}])(?<![{_NO_BREAK_AFTER}])(?=[{_CJK}])(?![{_NO_BREAK_BEFORE}])")


def justifiable(text: str) -> str:
    return _GAP.sub(" ", text.replace(" ", "\u2005"))


@register.filter
def keep_tail(text) -> SafeString:
    """The text with its last characters bound together, so no paragraph ends on a line of
    one to three characters (WeasyPrint has no control for the length of a last line)."""
    text = str(text or "")
    if len(text) <= 2 * TAIL:
        return escape(text)
    head, tail = text[:-TAIL], text[-TAIL:]
    return mark_safe(  # noqa: S308
        f'<span class="ja">{escape(justifiable(head))}</span><span class="tail">{escape(tail)}</span>'
    )
