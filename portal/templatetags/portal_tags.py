"""Template helpers available on every page: Japanese dates and the access tag."""

from django import template

from portal import access
from portal.dates import format_seireki, format_wareki

register = template.Library()


@register.filter
def jdate(value) -> str:
    """2026年4月1日"""
    return format_seireki(value)


@register.filter
def wareki(value) -> str:
    """令和8年4月1日"""
    return format_wareki(value)


@register.simple_tag(takes_context=True)
def can(context, permission: str, obj=None) -> bool:
    """`{% can "use_registry" as allowed %}`: the same rule the view enforces."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return access.can(user, permission, obj)


@register.filter
def jduration(value) -> str:
    """A timedelta as 1時間30分 / 15分."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}時間{minutes}分"
    if hours:
        return f"{hours}時間"
    return f"{minutes}分"


@register.simple_tag
def stage_mark(number) -> str:
    """①–⑥ for a stage number."""
    from portal.taxonomy import STAGE_MARKS

    return STAGE_MARKS[int(number) - 1]


@register.simple_tag
def step_title(number) -> str:
    """「STEP1 仲間をつくる」 … for a STEP number."""
    from portal.taxonomy import STEPS

    return STEPS[int(number)]


@register.simple_tag
def page_numbers(page) -> list:
    """The page numbers to offer around the current page: 1 … 4 5 [6] 7 8 … 20 (None for …)."""
    ellipsis = page.paginator.ELLIPSIS
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [None if n == ellipsis else n for n in numbers]


@register.filter
def or_empty(value):
    """The value, or 「—」 where there is nothing to show (None or empty; 0 is a value)."""
    from portal.text import EMPTY

    return EMPTY if value is None or value == "" else value


@register.filter
def or_not_written(value):
    """The value, or 「記載なし」 where a person could have written something and did not."""
    from portal.text import NOT_WRITTEN

    return NOT_WRITTEN if value is None or str(value).strip() == "" else value


@register.filter
def readable_source(value) -> str:
    """A cited source with the shared documents named by their titles, not their file names."""
    from portal.text import readable_source as readable

    return readable(str(value or ""))


@register.filter
def labelled(values, columns) -> list[tuple[str, object]]:
    """Pairs each value with its column's label, for a card table's data-label:
    `{% for label, n in row.counts|labelled:funnel.states %}` (columns: labels or (value, label))."""
    labels = [c[1] if isinstance(c, list | tuple) else c for c in columns]
    return list(zip(labels, values, strict=False))
