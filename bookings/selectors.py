"""Reads of bookings, outages and service records, and the one way in to each owned object."""

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q, Value
from django.db.models.functions import ExtractHour, ExtractMinute, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual
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
    booking = Booking.objects.with_related().filter(pk=pk).first()
    if booking is None or not user.is_authenticated:
        raise Http404
    if booking.requester_id != user.pk and not is_unit_manager(user, booking.instrument.unit):
        raise Http404
    return booking


def booking_list_for_requester(*, user):
    return Booking.objects.with_related().filter(requester=user).select_related("service_record")


def booking_list_for_owner(*, user):
    return Booking.objects.with_related().filter(instrument__unit__in=managed_unit_ids(user))


def booking_list_visible(*, user):
    """Own bookings and those of instruments the user manages (the API list)."""
    return Booking.objects.with_related().filter(Q(requester=user) | Q(instrument__unit__in=managed_unit_ids(user)))


def outage_list_for_instrument(*, instrument):
    return Outage.objects.filter(instrument=instrument).select_related("created_by")


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


def availability(*, instrument: Instrument, start: datetime, end: datetime) -> dict:
    """Open, busy and free intervals of [start, end): no personal data, only times."""
    periods = clip(opening_periods(instrument.opening_hours.all(), start, end), start, end)
    holds = list(holds_between(instrument_ids=[instrument.pk], start=start, end=end).order_by("starts_at"))
    busy = [(h.starts_at, h.ends_at, h.kind) for h in holds]
    free = subtract(periods, [(a, b) for a, b, _kind in busy])
    return {"open": periods, "busy": busy, "free": free}


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_calendar(*, instrument: Instrument, week_start: date, now: datetime, show_details: bool) -> dict:
    """A server-rendered week: one row per hour, one column per day, each cell closed, past, busy
    or free. ``show_details`` (owners) adds who holds a busy cell; others see only "busy"."""
    days = [week_start + timedelta(days=i) for i in range(7)]
    start, end = at_local(days[0], time(0)), at_local(days[-1] + timedelta(days=1), time(0))
    periods = opening_periods(instrument.opening_hours.all(), start, end)
    holds = holds_between(instrument_ids=[instrument.pk], start=start, end=end)
    if show_details:
        holds = holds.select_related("booking", "booking__requester", "booking__unit", "outage")
    holds = list(holds)
    first_hour = min((local(a).hour for a, _b in periods), default=8)
    last_hour = max((local(b - timedelta(seconds=1)).hour for _a, b in periods), default=17)
    bookable_from = now + timedelta(hours=instrument.min_lead_hours)
    bookable_until = at_local(local(now).date() + timedelta(days=instrument.max_advance_days + 1), time(0))
    rows = []
    for hour in range(first_hour, last_hour + 1):
        cells = []
        for day in days:
            a = at_local(day, time(hour))
            b = a + timedelta(hours=1)
            cells.append(_cell(a, b, periods, holds, bookable_from, bookable_until, show_details))
        rows.append({"hour": hour, "label": f"{hour:02d}:00", "cells": cells})
    return {"days": days, "rows": rows, "start": start, "end": end}


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


def _minutes_of_day(field: str):
    return ExtractHour(field) * 60 + ExtractMinute(field)


def _long_enough_periods(start: datetime, end: datetime, min_minutes: int) -> Q:
    """A Q over OpeningHours: periods that, clipped to [start, end) on some local day of the range,
    last at least ``min_minutes``. Whole days collapse into one weekday set, so the Q has at most
    three terms whatever the range's length."""
    opens, closes = _minutes_of_day("opens"), _minutes_of_day("closes")
    s, e = local(start), local(end)
    whole_weekdays, condition = set(), Q(pk__in=[])
    for day in local_dates(start, end):
        lo = s.hour * 60 + s.minute + (1 if (s.second or s.microsecond) else 0) if day == s.date() else 0
        hi = e.hour * 60 + e.minute if day == e.date() else 24 * 60
        if lo == 0 and hi == 24 * 60:
            whole_weekdays.add(day.weekday())
            continue
        clipped = Least(closes, Value(hi)) - Greatest(opens, Value(lo))
        condition |= Q(GreaterThanOrEqual(clipped, min_minutes), weekday=day.weekday())
    if whole_weekdays:
        condition |= Q(GreaterThanOrEqual(closes - opens, min_minutes), weekday__in=sorted(whole_weekdays))
    return condition


def instruments_with_free_gap(queryset, *, start: datetime, end: datetime, min_hours, now: datetime | None = None):
    """Instruments of ``queryset`` with a free stretch of at least ``min_hours`` inside one opening
    period between ``start`` and ``end`` (and not before ``now`` when given).

    In SQL first: instruments with an opening period long enough inside the range. Those with no
    hold in the range qualify as they are; only those with holds in the range (a few per booking
    in the window, never the whole catalogue) are computed exactly, with one query for their
    opening hours and one for their holds. Returns a QuerySet.
    """
    if now is not None:
        start = max(start, now)
    min_minutes = max(1, math.ceil(Decimal(str(min_hours)) * 60))
    if end <= start or min_minutes > 24 * 60:
        return queryset.none()
    long_enough = OpeningHours.objects.filter(_long_enough_periods(start, end, min_minutes)).values("instrument_id")
    candidates = queryset.filter(pk__in=long_enough)
    held = holds_between(instrument_ids=candidates.values("pk"), start=start, end=end).values("instrument_id")
    held_ids = sorted(set(held.values_list("instrument_id", flat=True)))
    fitting = _ids_with_gap(held_ids, start=start, end=end, need=timedelta(minutes=min_minutes))
    return candidates.filter(~Q(pk__in=held) | Q(pk__in=fitting))


def _ids_with_gap(instrument_ids: list[int], *, start: datetime, end: datetime, need: timedelta) -> list[int]:
    if not instrument_ids:
        return []
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
    fitting = []
    for instrument_id in instrument_ids:
        periods = clip(opening_periods(hours.get(instrument_id, []), start, end), start, end)
        free = subtract(periods, holds.get(instrument_id, []))
        if any(b - a >= need for a, b in free):
            fitting.append(instrument_id)
    return fitting
