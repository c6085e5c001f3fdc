"""Dates read the way Japanese officials expect: 2026年4月1日 and 令和8年4月1日."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from portal.dates import fiscal_year_of, format_seireki, format_wareki


@pytest.mark.parametrize(
    ("day", "seireki", "wareki"),
    [
        (dt.date(2026, 4, 1), "2026年4月1日", "令和8年4月1日"),
        (dt.date(2019, 5, 1), "2019年5月1日", "令和元年5月1日"),
        (dt.date(2019, 4, 30), "2019年4月30日", "平成31年4月30日"),
        (dt.date(1989, 1, 8), "1989年1月8日", "平成元年1月8日"),
        (dt.date(1989, 1, 7), "1989年1月7日", "昭和64年1月7日"),
    ],
)
def test_dates_in_seireki_and_wareki(day, seireki, wareki):
    assert format_seireki(day) == seireki
    assert format_wareki(day) == wareki


def test_aware_datetime_is_shown_in_tokyo_time():
    # 2026-03-31 16:00 UTC is already 1 April in Tokyo.
    moment = dt.datetime(2026, 3, 31, 16, 0, tzinfo=ZoneInfo("UTC"))
    html = Template("{{ d|jdate }} / {{ d|wareki }}").render(Context({"d": moment}))
    assert html == "2026年4月1日 / 令和8年4月1日"


def test_empty_values_render_as_nothing():
    assert Template("{{ d|jdate }}{{ d|wareki }}").render(Context({"d": None})) == ""


def test_fiscal_year_runs_april_to_march():
    assert fiscal_year_of(dt.date(2026, 3, 31)) == 2025
    assert fiscal_year_of(dt.date(2026, 4, 1)) == 2026
