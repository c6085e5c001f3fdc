"""The prefectural report's spreadsheet never turns a KPI or consortium name into a formula."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from guidance import services
from oversight.reports import build_prefecture, current_fiscal_year
from tests.spreadsheet_checks import HOSTILE, assert_xlsx_neutral

pytestmark = pytest.mark.django_db


def test_kpi_names_that_look_like_formulas_are_text_in_the_prefectural_xlsx(world, staff):
    ours = world["ours"]
    goal = services.goal_create(consortium=ours, title="=1+1", by=staff)
    today = timezone.localdate()
    for text in HOSTILE:
        kpi = services.kpi_create(goal=goal, name=text, unit="@人", baseline=Decimal(20),
                                  target=Decimal(10), due_on=None, by=staff)  # fmt: skip
        services.measurement_add(kpi=kpi, measured_on=today - timedelta(days=1),
                                 value=Decimal(15), by=staff)  # fmt: skip
    _html, xlsx, report = build_prefecture(current_fiscal_year())
    book = assert_xlsx_neutral(xlsx, (*HOSTILE, "@人"))
    kpi_table = next(t for t in report.tables if any(r[1] == HOSTILE[0] for r in t.rows))
    sheet = book.worksheets[1 + report.tables.index(kpi_table)]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[1].value == HOSTILE[0])
    assert (row[1].data_type, row[1].quotePrefix) == ("s", True)
    # Baseline, target and current value stay numbers.
    assert [c.data_type for c in row[2:5]] == ["n", "n", "n"]
    assert [c.value for c in row[2:5]] == [20, 10, 15]
