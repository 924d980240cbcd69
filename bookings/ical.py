"""iCal feeds: an instrument's busy times (no personal data) and a person's own bookings.

Times are written in UTC (``...Z``); calendar programs show them in the reader's zone, so a
booking made for 09:00 in Asia/Shanghai appears at 09:00 there. Each event's LOCATION is the
instrument's address (``Instrument.display_address``); icalendar escapes its commas and
semicolons as RFC 5545 asks.
"""

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event

from .models import Booking, SlotHold

PAST_DAYS = 90
FUTURE_DAYS = 400


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Instrument Commons//bookings//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _window():
    now = timezone.now()
    return now - timedelta(days=PAST_DAYS), now + timedelta(days=FUTURE_DAYS)


def _event(uid: str, start, end, summary: str, stamp, description: str = "", location: str = "") -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    return event


def instrument_feed(*, instrument) -> bytes:
    """Busy times of the instrument (bookings and outages alike), with no names."""
    start, end = _window()
    now = timezone.now()
    with override(settings.LANGUAGE_CODE):
        cal = _calendar(_("%(instrument)s – busy times") % {"instrument": instrument.name})
        busy = _("Busy")
        where = instrument.display_address
        holds = SlotHold.objects.filter(instrument=instrument).overlapping(start, end).order_by("starts_at")
        for hold in holds:
            cal.add_component(
                _event(f"hold-{hold.pk}@instrument-commons", hold.starts_at, hold.ends_at, busy, now, location=where)
            )
    return cal.to_ical()


def user_feed(*, user) -> bytes:
    """The person's own requested, approved and completed bookings."""
    start, end = _window()
    now = timezone.now()
    bookings = (
        Booking.objects.filter(
            requester=user,
            status__in=[Booking.Status.REQUESTED, Booking.Status.APPROVED, Booking.Status.COMPLETED],
        )
        .overlapping(start, end)
        .select_related("instrument", "instrument__district", "instrument__unit__district")
        .order_by("starts_at")
    )
    with override(settings.LANGUAGE_CODE):
        cal = _calendar(_("My instrument bookings"))
        for b in bookings:
            summary = f"{b.instrument.name} ({b.get_status_display()})"
            cal.add_component(
                _event(
                    f"booking-{b.pk}@instrument-commons",
                    b.starts_at,
                    b.ends_at,
                    summary,
                    now,
                    b.purpose,
                    location=b.instrument.display_address,
                )
            )
    return cal.to_ical()
