"""Typesetting filters of the PDF reports."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TAIL = 4  # a paragraph's last line holds at least this many characters


@register.filter
def keep_tail(text) -> SafeString:
    """The text with its last characters bound together, so no paragraph ends on a line of
    one to three characters (WeasyPrint has no control for the length of a last line)."""
    text = str(text or "")
    if len(text) <= 2 * TAIL:
        return escape(text)
    head, tail = text[:-TAIL], text[-TAIL:]
    return mark_safe(f'{escape(head)}<span class="tail">{escape(tail)}</span>')  # noqa: S308
