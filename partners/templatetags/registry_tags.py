"""Template tags of the registry pages: the credit and data date of the national open data."""

from django import template

from partners import selectors

register = template.Library()


@register.inclusion_tag("partners/_credit.html")
def open_data_credit() -> dict:
    """The footer every page showing registry data carries (the licence asks for it)."""
    return {"credit": selectors.open_data_credit()}
