"""Japanese date formatting: 西暦 (2026年4月1日) and 和暦 (令和8年4月1日)."""

import datetime as dt

from django.utils import timezone

# (first day of the era, name), newest first.
ERAS = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 1, 25), "明治"),
)


def _as_local_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def format_seireki(value) -> str:
    day = _as_local_date(value)
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def format_wareki(value) -> str:
    day = _as_local_date(value)
    if day is None:
        return ""
    for start, name in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{name}{year_text}年{day.month}月{day.day}日"
    return format_seireki(day)


def fiscal_year_of(value) -> int:
    """Japanese fiscal year (April to March) a date belongs to."""
    day = _as_local_date(value)
    if day is None:
        raise ValueError(f"not a date: {value!r}")
    return day.year if day.month >= 4 else day.year - 1
