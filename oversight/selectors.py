"""Reads for the top-layer pages: the dashboard shows the workflow's state now and, for the fiscal
year under way, the same introduction and case-library tables the prefectural report holds."""

from dataclasses import dataclass

from guidance.selectors import STALLED_DAYS, Dashboard
from guidance.selectors import dashboard as consortia_dashboard
from oversight.reports import (
    Figures,
    Table,
    consultations_section,
    introductions_section,
    library_section,
)
from portal.periods import Period, current_fiscal_year


@dataclass
class OversightDashboard:
    consortia: Dashboard
    period: Period
    tables: list[
        Table
    ]  # the year's introductions, case library and consultations, as in the report


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
    return OversightDashboard(
        consortia=consortia_dashboard(user=user, stalled_days=stalled_days),
        period=period,
        tables=tables,
    )
