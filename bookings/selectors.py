"""Reads of bookings, outages and service records, and the one way in to each owned object."""

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import NotSupportedError
from django.db.models import BigIntegerField, Case, Expression, F, Q, Value, When
from django.http import Http404

from instruments.models import Instrument, OpeningHours
from instruments.selectors import instrument_get_for_manager  # noqa: F401  (the one way in, re-exported)
from members.models import Membership, Unit
from members.permissions import is_unit_manager
from members.selectors import unit_ids_managed_by as managed_unit_ids
from members.selectors import units_managed_by as managed_units  # noqa: F401  (re-exported for the views)

from .availability import at_local, clip, local, local_dates, opening_periods, subtract
from .models import Booking, CalendarFeedToken, Outage, ServiceRecord, ServiceRecordImport, SlotHold

# --- Who may see what -------------------------------------------------------------------------


def booking_units_for_user(*, user):
    """Units the user may book for: approved units with an active membership."""
    if not user.is_authenticated:
        return Unit.objects.none()
    return (
        Unit.objects.approved()
        .filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE)
        .order_by("name")
    )


def instrument_get_for_booking(*, user, pk) -> Instrument:
    """An instrument whose calendar the user may see: in the public catalogue, or the user's own
    unit's; the same 404 for missing and hidden."""
    instrument = Instrument.objects.with_related().filter(pk=pk).first()
    if instrument is None:
        raise Http404
    public = instrument.retired_at is None and instrument.unit.status == Unit.Status.APPROVED
    if not public and not is_unit_manager(user, instrument.unit):
        raise Http404
    return instrument


def instruments_managed_by(*, user):
    return Instrument.objects.active().filter(unit__in=managed_unit_ids(user)).order_by("name")


def booking_get_for_user(*, user, pk) -> Booking:
    """A booking the user requested or whose instrument the user manages; 404 otherwise."""
    booking = (
        Booking.objects.with_related()
        .select_related("instrument__district", "instrument__unit__district")
        .filter(pk=pk)
        .first()
    )
    if booking is None or not user.is_authenticated:
        raise Http404
    if booking.requester_id != user.pk and not is_unit_manager(user, booking.instrument.unit):
        raise Http404
    return booking


def booking_list_for_requester(*, user):
    return Booking.objects.with_related().filter(requester=user).select_related("service_record")


# The owner's queue: pending requests first, the soonest first; then the rest, the latest first.
PENDING_FIRST = (
    Case(When(status=Booking.Status.REQUESTED, then=Value(0)), default=Value(1)),
    Case(When(status=Booking.Status.REQUESTED, then=F("starts_at"))).asc(nulls_last=True),
    F("starts_at").desc(),
    F("pk").desc(),
)


def booking_list_for_owner(*, user):
    return Booking.objects.with_related().filter(instrument__unit__in=managed_unit_ids(user))


def booking_list_visible(*, user):
    """Own bookings and those of instruments the user manages (the API list)."""
    return Booking.objects.with_related().filter(Q(requester=user) | Q(instrument__unit__in=managed_unit_ids(user)))


def outage_list_for_instrument(*, instrument):
    return Outage.objects.filter(instrument=instrument).select_related("created_by")


def outage_bookings_to_cancel(*, instrument: Instrument, starts_at: datetime, ends_at: datetime):
    """The bookings an outage of [starts_at, ends_at) would cancel: those of the instrument that hold
    a slot sharing time with it, soonest first, with who booked them. The outage service cancels
    exactly these, and the page shows them before the outage is declared."""
    return (
        Booking.objects.holding()
        .filter(instrument=instrument)
        .overlapping(starts_at, ends_at)
        .select_related("instrument", "requester", "unit")
        .order_by("starts_at", "pk")
    )


def outage_get_for_manager(*, user, pk) -> Outage:
    outage = Outage.objects.select_related("instrument", "instrument__unit").filter(pk=pk).first()
    if outage is None or not is_unit_manager(user, outage.instrument.unit):
        raise Http404
    return outage


def service_record_list_visible(*, user):
    """Records of instruments the user manages, and the user's own."""
    if not user.is_authenticated:
        return ServiceRecord.objects.none()
    return ServiceRecord.objects.with_related().filter(Q(user=user) | Q(instrument__unit__in=managed_unit_ids(user)))


def service_record_get_for_user(*, user, pk) -> ServiceRecord:
    record = service_record_list_visible(user=user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def service_record_get_for_manager(*, user, pk) -> ServiceRecord:
    """A record of an instrument the user manages; the same 404 for missing and not yours."""
    record = ServiceRecord.objects.with_related().filter(pk=pk).first()
    if record is None or not is_unit_manager(user, record.instrument.unit):
        raise Http404
    return record


def import_get_for_manager(*, user, pk) -> ServiceRecordImport:
    job = ServiceRecordImport.objects.select_related("unit").filter(pk=pk, unit__in=managed_unit_ids(user)).first()
    if job is None:
        raise Http404
    return job


def calendar_token_owner(*, token: str):
    """The user behind a feed token, or 404."""
    row = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if row is None or not row.user.is_active:
        raise Http404
    return row.user


# --- Availability -----------------------------------------------------------------------------


def holds_between(*, instrument_ids, start: datetime, end: datetime):
    return SlotHold.objects.filter(instrument_id__in=instrument_ids).overlapping(start, end)


def open_and_free(instrument_ids, *, start: datetime, end: datetime) -> dict[int, tuple[list, list]]:
    """{id: (opening periods, free intervals)} in [start, end) for many instruments: the opening
    periods minus bookings and outages, as ``availability`` gives them for one; two queries
    whatever the number of instruments."""
    hours: dict[int, list] = {}
    for row in OpeningHours.objects.filter(instrument_id__in=instrument_ids).only(
        "instrument_id", "weekday", "opens", "closes"
    ):
        hours.setdefault(row.instrument_id, []).append(row)
    holds: dict[int, list] = {}
    for instrument_id, a, b in holds_between(instrument_ids=instrument_ids, start=start, end=end).values_list(
        "instrument_id", "starts_at", "ends_at"
    ):
        holds.setdefault(instrument_id, []).append((a, b))
    result = {}
    for instrument_id in instrument_ids:
        periods = clip(opening_periods(hours.get(instrument_id, []), start, end), start, end)
        result[instrument_id] = (periods, subtract(periods, holds.get(instrument_id, [])))
    return result


def availability(*, instrument: Instrument, start: datetime, end: datetime) -> dict:
    """Open, busy and free intervals of [start, end): no personal data, only times."""
    periods = clip(opening_periods(instrument.opening_hours.all(), start, end), start, end)
    holds = list(holds_between(instrument_ids=[instrument.pk], start=start, end=end).order_by("starts_at"))
    busy = [(h.starts_at, h.ends_at, h.kind) for h in holds]
    free = subtract(periods, [(a, b) for a, b, _kind in busy])
    return {"open": periods, "busy": busy, "free": free}


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_calendar(
    *, instrument: Instrument, week_start: date, now: datetime, show_details: bool, day: date | None = None
) -> dict:
    """A server-rendered week: a row per hour from the earliest opening time of the week to its
    latest closing time (an instrument opening at 08:30 starts with a row 08:30–09:00, then whole
    hours), a column per day, each cell closed, past, busy or free; and ``day``'s own slots (the
    phone's day view), cut the same way from that day's opening periods. ``show_details``
    (owners) adds who holds a busy cell; others see only "busy"."""
    days = [week_start + timedelta(days=i) for i in range(7)]
    start, end = at_local(days[0], time(0)), at_local(days[-1] + timedelta(days=1), time(0))
    periods = opening_periods(instrument.opening_hours.all(), start, end)
    holds = holds_between(instrument_ids=[instrument.pk], start=start, end=end)
    if show_details:
        holds = holds.select_related("booking", "booking__requester", "booking__unit", "outage")
    holds = list(holds)
    bookable_from = now + timedelta(hours=instrument.min_lead_hours)
    bookable_until = at_local(local(now).date() + timedelta(days=instrument.max_advance_days + 1), time(0))

    def cell(a, b):
        return _cell(a, b, periods, holds, bookable_from, bookable_until, show_details)

    first = min((_minute_of_day(a) for a, _b in periods), default=8 * 60)
    last = max((_minute_of_day(b, end_of=True) for _a, b in periods), default=18 * 60)
    rows = []
    for a_minute, b_minute in _hour_steps(first, last):
        cells = [cell(_at_minute(d, a_minute), _at_minute(d, b_minute)) for d in days]
        rows.append({"label": f"{a_minute // 60:02d}:{a_minute % 60:02d}", "cells": cells})
    return {"days": days, "rows": rows, "start": start, "end": end, "day": _day_slots(day, periods, cell)}


def _hour_steps(first: int, last: int) -> list[tuple[int, int]]:
    """[first, last) in minutes of the day, cut at every whole hour: 08:30–17:30 gives 08:30–09:00,
    09:00–10:00, …, 17:00–17:30."""
    cuts = [first, *range((first // 60 + 1) * 60, last, 60), last]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if a < b]


def _at_minute(day: date, minute: int) -> datetime:
    return at_local(day, time(0)) + timedelta(minutes=minute)


def _minute_of_day(moment: datetime, *, end_of: bool = False) -> int:
    """Minutes since local midnight; a period ending at midnight ends at minute 1440."""
    wall = local(moment)
    minute = wall.hour * 60 + wall.minute
    return 24 * 60 if end_of and minute == 0 else minute


def _day_slots(day: date | None, periods, cell) -> dict | None:
    """One day's slots: each opening period of the day cut at every whole hour (see
    ``_hour_steps``), or none when the day is closed."""
    if day is None:
        return None
    slots = []
    for a, b in periods:
        if local(a).date() != day:
            continue
        for a_minute, b_minute in _hour_steps(_minute_of_day(a), _minute_of_day(b, end_of=True)):
            slot_start, slot_end = _at_minute(day, a_minute), _at_minute(day, b_minute)
            slots.append({**cell(slot_start, slot_end), "from": local(slot_start), "to": local(slot_end)})
    return {"date": day, "slots": slots}


def _cell(a, b, periods, holds, bookable_from, bookable_until, show_details) -> dict:
    open_parts = clip(periods, a, b)
    if not open_parts:
        return {"state": "closed", "start": a}
    for hold in holds:
        if hold.starts_at < b and a < hold.ends_at:
            cell = {"state": "busy", "start": a}
            if show_details:
                cell["hold"] = hold
            return cell
    slot_start = open_parts[0][0]
    if slot_start < bookable_from or slot_start >= bookable_until:
        return {"state": "unavailable", "start": a}
    return {"state": "free", "start": slot_start, "end": open_parts[0][1]}


# --- The catalogue filter "free between … and … for at least N hours" ----------------------------


def instruments_with_free_gap(queryset, *, start: datetime, end: datetime, min_hours, now: datetime | None = None):
    """Instruments of ``queryset`` with a free stretch of at least ``min_hours`` inside one opening
    period between ``start`` and ``end`` (and not before ``now`` when given).

    One subquery in the database (``FreeGapInstruments``), no query of its own: the catalogue's
    results, count and facets each carry it. Returns a QuerySet.
    """
    if now is not None:
        start = max(start, now)
    if start.microsecond:  # whole seconds: SQLite's datetime() drops fractions
        start = start.replace(microsecond=0) + timedelta(seconds=1)
    min_minutes = max(1, math.ceil(Decimal(str(min_hours)) * 60))
    if end <= start or min_minutes > 24 * 60:
        return queryset.none()
    return queryset.filter(pk__in=FreeGapInstruments(start, end, timedelta(minutes=min_minutes)))


class FreeGapInstruments(Expression):
    """``SELECT instrument_id`` of the instruments free for ``need`` inside one opening period in
    [start, end): for ``pk__in``.

    A free stretch begins at an opening period's start (clipped to the range) or at the end of a
    hold inside the period; it qualifies when no hold overlaps [begin, begin + need) and
    begin + need is within the period (overlapping holds are handled, though the exclusion
    constraint and the booking service keep them apart). Periods are each local day of the range
    joined to that weekday's opening hours, the day's local midnight (an instant) plus the wall
    times: exact for zones without daylight saving such as Asia/Shanghai, and elsewhere on every
    day but those that change offset. An instrument with no hold in the range needs no hold
    look-up (``NOT IN`` a set built once; DISTINCT keeps PostgreSQL's estimate of it small enough
    to hash it rather than scan it for every period), so per-hold work is done only for the instruments busy
    in the range. The same statement on PostgreSQL (timestamptz arithmetic) and SQLite (UTC text
    and ``datetime()``, whole seconds).
    """

    output_field = BigIntegerField()

    def __init__(self, start: datetime, end: datetime, need: timedelta):
        super().__init__()
        self.start, self.end, self.need = start, end, need

    def as_postgresql(self, compiler, connection):
        days, day_params = [], []
        for day in local_dates(self.start, self.end):
            days.append("SELECT CAST(%s AS smallint) AS weekday, CAST(%s AS timestamptz) AS midnight")
            day_params += [day.weekday(), at_local(day, time(0))]
        return self._statement(
            connection,
            days,
            day_params,
            opens="(d.midnight + CAST(oh.opens AS interval))",
            closes="(d.midnight + CAST(oh.closes AS interval))",
            later="GREATEST",
            earlier="LEAST",
            plus_need="({} + CAST(%s AS interval))",
            minus_need="({} - CAST(%s AS interval))",
            need=self.need,
        )

    def as_sqlite(self, compiler, connection):
        days, day_params = [], []
        for day in local_dates(self.start, self.end):
            shift = -int(at_local(day, time(0)).utcoffset().total_seconds() // 60)
            days.append("SELECT %s AS weekday, %s AS day, %s AS shift")
            day_params += [day.weekday(), day.isoformat(), f"{shift:+d} minutes"]
        return self._statement(
            connection,
            days,
            day_params,
            opens="datetime(d.day || ' ' || oh.opens, d.shift)",
            closes="datetime(d.day || ' ' || oh.closes, d.shift)",
            later="MAX",
            earlier="MIN",
            plus_need="datetime({}, '+' || %s)",
            minus_need="datetime({}, '-' || %s)",
            need=f"{int(self.need.total_seconds() // 60)} minutes",
        )

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"free-between is written for PostgreSQL and SQLite, not {connection.vendor}")

    def _statement(self, connection, days, day_params, *, opens, closes, later, earlier, plus_need, minus_need, need):
        """The statement over the days of the range (one SELECT each, ``day_params`` theirs) in a
        dialect's words: the period's bounds, the larger and smaller of two values, a time plus and
        minus ``need`` (``{}`` the time, ``%s`` the need)."""
        ops = connection.ops
        start, end = ops.adapt_datetimefield_value(self.start), ops.adapt_datetimefield_value(self.end)
        holds = SlotHold._meta.db_table
        hours = OpeningHours._meta.db_table
        # Only table names and SQL words are formatted in; every value is a parameter.
        sql = f"""
            SELECT p.instrument_id FROM (
                SELECT oh.instrument_id, {later}({opens}, %s) AS ps, {earlier}({closes}, %s) AS pe
                FROM {hours} oh INNER JOIN ({" UNION ALL ".join(days)}) d ON d.weekday = oh.weekday
            ) p
            WHERE {plus_need.format("p.ps")} <= p.pe
              AND (
                p.instrument_id NOT IN (
                  SELECT DISTINCT b.instrument_id FROM {holds} b WHERE b.starts_at < %s AND b.ends_at > %s
                )
                OR NOT EXISTS (
                  SELECT 1 FROM {holds} x
                  WHERE x.instrument_id = p.instrument_id AND x.ends_at > p.ps
                    AND x.starts_at < {plus_need.format("p.ps")}
                )
                OR EXISTS (
                  SELECT 1 FROM {holds} h
                  WHERE h.instrument_id = p.instrument_id AND h.ends_at > p.ps
                    AND h.ends_at <= {minus_need.format("p.pe")}
                    AND NOT EXISTS (
                      SELECT 1 FROM {holds} x
                      WHERE x.instrument_id = h.instrument_id AND x.ends_at > h.ends_at
                        AND x.starts_at < {plus_need.format("h.ends_at")}
                    )
                )
              )
        """  # noqa: S608
        params = [start, end, *day_params, need, end, start, need, need, need]
        return f"({sql})", params
