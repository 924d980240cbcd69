"""Time arithmetic for opening hours and holds: pure functions over aware datetimes.

Opening hours are wall times in the platform's time zone (``settings.TIME_ZONE``); a booking must
lie inside one opening period of one day. Everything else is stored and compared in UTC.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

Interval = tuple[datetime, datetime]


def local_tz():
    return timezone.get_default_timezone()


def local(dt: datetime) -> datetime:
    return timezone.localtime(dt, local_tz())


def at_local(day: date, wall: time) -> datetime:
    """The aware instant of a wall time on a local date."""
    return datetime.combine(day, wall, tzinfo=local_tz())


def local_dates(start: datetime, end: datetime) -> list[date]:
    """Local dates touched by [start, end)."""
    first = local(start).date()
    last = local(end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def opening_periods(hours: Iterable, start: datetime, end: datetime) -> list[Interval]:
    """The opening periods (aware, whole, not clipped) of each local day touched by [start, end).

    ``hours`` are rows (or objects) with ``weekday``, ``opens`` and ``closes``.
    """
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for row in hours:
        by_weekday.setdefault(row.weekday, []).append((row.opens, row.closes))
    periods = []
    for day in local_dates(start, end):
        for opens, closes in sorted(by_weekday.get(day.weekday(), [])):
            periods.append((at_local(day, opens), at_local(day, closes)))
    return periods


def within_one_period(periods: Iterable[Interval], start: datetime, end: datetime) -> bool:
    return any(p_start <= start and end <= p_end for p_start, p_end in periods)


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    out = []
    for a, b in intervals:
        a, b = max(a, start), min(b, end)
        if a < b:
            out.append((a, b))
    return out


def subtract(intervals: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """The parts of ``intervals`` not covered by any of ``busy``."""
    busy = sorted(busy)
    free = []
    for a, b in sorted(intervals):
        cursor = a
        for x, y in busy:
            if y <= cursor or x >= b:
                continue
            if x > cursor:
                free.append((cursor, x))
            cursor = max(cursor, y)
            if cursor >= b:
                break
        if cursor < b:
            free.append((cursor, b))
    return free


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end
