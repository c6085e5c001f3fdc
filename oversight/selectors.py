"""Reads for the top-layer pages: the dashboard shows the workflow's state now and, for the fiscal
year under way, the same introduction and case-library tables the prefectural report holds."""

from dataclasses import dataclass, field

from guidance.selectors import STALLED_DAYS, Dashboard
from guidance.selectors import dashboard as consortia_dashboard
from oversight.reports import (
    Figures,
    Table,
    consultations_section,
    introductions_section,
    library_section,
)
from portal.charts import bar_chart
from portal.periods import Period, current_fiscal_year


@dataclass
class OversightDashboard:
    consortia: Dashboard
    period: Period
    tables: list[
        Table
    ]  # the year's introductions, case library and consultations, as in the report
    # The same charts as the report's, drawn for a screen; each sits above its table.
    stage_chart: dict = field(default_factory=dict)
    attainment_chart: dict | None = None
    table_charts: list[tuple[Table, dict | None]] = field(default_factory=list)


def _screen_chart(rows: list[tuple[str, float | int]], unit: str = "件") -> dict | None:
    if not rows or not all(isinstance(value, int | float) for _label, value in rows):
        return None
    return bar_chart([(label, value, None) for label, value in rows], unit=unit, stacked=True)


def dashboard(
    *, user, stalled_days: int = STALLED_DAYS, fiscal_year: int | None = None
) -> OversightDashboard:
    """The consortia as they are today, and the year's figures of `fiscal_year` (this one by
    default), the same tables as the prefectural report of that year."""
    period = Period.fiscal_year(fiscal_year or current_fiscal_year())
    figures = Figures(period, user)
    tables = [
        t
        for build in (introductions_section, library_section, consultations_section)
        for t in build(figures).tables
    ]
    consortia = consortia_dashboard(user=user, stalled_days=stalled_days)
    return OversightDashboard(
        consortia=consortia,
        period=period,
        tables=tables,
        stage_chart=_screen_chart([(s["label"], s["count"]) for s in consortia.by_stage]) or {},
        attainment_chart=_screen_chart(
            [(a["consortium"].name, a["percent"]) for a in consortia.attainment], unit="％"
        ),
        table_charts=[
            (t, _screen_chart([(row[0], row[1]) for row in t.rows]) if len(t.header) == 2 else None)
            for t in tables
        ],
    )
