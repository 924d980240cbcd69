"""Report periods: a month, a quarter, a year or custom dates, as half-open ranges of local days.

A period runs from the start of its first day to the start of the day after its last day, in the
platform's time zone (``TIME_ZONE``, Asia/Shanghai by default); ``bounds()`` gives those instants.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError

from .models import PeriodKind

MAX_CUSTOM_DAYS = 366 * 5
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # exclusive

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The first and the after-last instant, aware, in the platform's time zone."""
        tz = timezone.get_default_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=tz),
        )

    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("%(year)s") % {"year": self.start.year}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)s Q%(quarter)s") % {"year": self.start.year, "quarter": (self.start.month - 1) // 3 + 1}
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    def year_fraction(self) -> Decimal:
        """The period as a fraction of a year: each calendar year's part counts its days over that
        year's days, so a whole year is exactly 1 and January is 31/365 (31/366 in a leap year)."""
        total = Decimal(0)
        day = self.start
        while day < self.end:
            year_end = dt.date(day.year + 1, 1, 1)
            part_end = min(year_end, self.end)
            total += Decimal((part_end - day).days) / Decimal(366 if calendar.isleap(day.year) else 365)
            day = part_end
        return total

    def previous(self) -> "Period":
        """The period of the same length just before this one (the year before, the month before…)."""
        if self.kind == PeriodKind.YEAR:
            return period_year(self.start.year - 1)
        if self.kind == PeriodKind.QUARTER:
            start = _add_months(self.start, -3)
            return Period(PeriodKind.QUARTER, start, self.start)
        if self.kind == PeriodKind.MONTH:
            return Period(PeriodKind.MONTH, _add_months(self.start, -1), self.start)
        return Period(PeriodKind.CUSTOM, self.start - dt.timedelta(days=self.days), self.start)

    def months(self) -> list["Period"]:
        """The calendar months (or their parts) that make up the period, in order."""
        parts, day = [], self.start
        while day < self.end:
            next_month = _add_months(day.replace(day=1), 1)
            part_end = min(next_month, self.end)
            parts.append(Period(PeriodKind.MONTH, day, part_end))
            day = part_end
        return parts


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_year(year: int) -> Period:
    return Period(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))


def period_month(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    return Period(PeriodKind.MONTH, start, _add_months(start, 1))


def period_quarter(year: int, quarter: int) -> Period:
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    return Period(PeriodKind.QUARTER, start, _add_months(start, 3))


def period_parse(
    *,
    kind: str,
    year: int | None = None,
    month: int | None = None,
    quarter: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Period:
    """The period a form or the API asked for; a clear error for anything out of range.

    ``end`` of a custom period is its last day (inclusive), as people write it."""
    if kind == PeriodKind.CUSTOM:
        if start is None or end is None:
            raise DomainError(_("A custom period needs its first and its last day."))
        if end < start:
            raise DomainError(_("The last day of the period is before its first day."))
        period = Period(PeriodKind.CUSTOM, start, end + dt.timedelta(days=1))
        if period.days > MAX_CUSTOM_DAYS:
            raise DomainError(_("A custom period can be at most five years long."))
        _check_year(start.year)
        _check_year(end.year)
        return period
    if kind not in PeriodKind.values:
        raise DomainError(_("Choose a month, a quarter, a year or custom dates."))
    if year is None:
        raise DomainError(_("Give the year of the period."))
    _check_year(year)
    if kind == PeriodKind.YEAR:
        return period_year(year)
    if kind == PeriodKind.QUARTER:
        if quarter not in (1, 2, 3, 4):
            raise DomainError(_("The quarter is 1, 2, 3 or 4."))
        return period_quarter(year, quarter)
    if month is None or not 1 <= month <= 12:
        raise DomainError(_("The month is 1 to 12."))
    return period_month(year, month)


def _check_year(year: int) -> None:
    if not EARLIEST_YEAR <= year < LATEST_YEAR:
        raise DomainError(
            _("Reports cover the years %(first)s to %(last)s.") % {"first": EARLIEST_YEAR, "last": LATEST_YEAR - 1}
        )


def period_of_run(run) -> Period:
    return Period(run.period_kind, run.period_start, run.period_end)


def period_from_fields(data: dict) -> Period:
    """The period a form's or the API's fields ask for (``period_kind``, ``year``, ``month``,
    ``quarter``, ``start``, ``end``), or a DomainError naming the field that makes it wrong."""
    kind = data["period_kind"]
    try:
        return period_parse(
            kind=kind,
            year=data.get("year"),
            month=data.get("month"),
            quarter=data.get("quarter"),
            start=data.get("start"),
            end=data.get("end"),
        )
    except DomainError as err:
        if err.field:
            raise
        raise DomainError(err.message, field=_period_field(kind, data)) from None


def _period_field(kind: str, data: dict) -> str:
    if kind == PeriodKind.CUSTOM:
        start = data.get("start")
        return "start" if start is None or not EARLIEST_YEAR <= start.year < LATEST_YEAR else "end"
    if data.get("year") is None:
        return "year"
    return {PeriodKind.QUARTER: "quarter", PeriodKind.MONTH: "month"}.get(kind, "year")
