"""The period a figure covers (a fiscal year, April to March): one value every app's figures take."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from portal.dates import fiscal_year_of, format_wareki


def _aware(day: date, end: bool = False) -> datetime:
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment)


@dataclass(frozen=True)
class Period:
    """From `start` to `end` (both included), counted up to `as_of` (today, for a period under way)."""

    start: date
    end: date
    as_of: date
    label: str

    @classmethod
    def fiscal_year(cls, year: int, *, today: date | None = None) -> "Period":
        start, end = fiscal_year_bounds(year)
        return cls(start, end, min(end, today or timezone.localdate()), fiscal_year_label(year))

    @property
    def since(self) -> datetime:
        """The first moment of the period."""
        return _aware(self.start)

    @property
    def until(self) -> datetime:
        """The moment right after the period's last counted day (exclusive)."""
        return _aware(self.as_of, end=True)

    @property
    def interim(self) -> bool:
        return self.as_of < self.end

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.as_of


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


def fiscal_year_label(year: int) -> str:
    """2026 → 2026年度（令和8年度）; 2019 → 令和元年度 (the era in force for most of the year)."""
    era_year = format_wareki(date(year, 12, 31)).split("年", 1)[0]
    return f"{year}年度（{era_year}年度）"


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())
