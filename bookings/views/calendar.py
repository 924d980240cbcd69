"""The week calendar of an instrument with the booking request form."""

from datetime import date, timedelta
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import timeparse
from core.panels import render_panels
from members.permissions import is_unit_manager

from .. import fees, selectors, services
from ..availability import local
from ..exceptions import DomainError
from ..forms import BookingRequestForm
from ..models import Booking
from ..rules import is_external_use


class Proposal(NamedTuple):
    """What a booking page's panel (platform_site/urls.py) is given besides the instrument: the
    units the user may book for, and once the user asked for an estimate, the form's data and the
    estimate (``fees.Estimate``); before that both are None."""

    units: list
    data: dict | None
    estimate: fees.Estimate | None


def _shown_day(request) -> tuple[date, date]:
    """(the Monday of the week shown, the day the phone's day view shows): ``?day=`` picks a day
    and its week, ``?week=`` a week (its day: today when in that week, else its Monday); a date
    outside the supported range is ignored, like no date."""
    today = local(timezone.now()).date()
    for name in ("day", "week"):
        try:
            day = timeparse.parse_date(request.GET[name])
        except (KeyError, ValidationError):
            continue
        week_start = selectors.week_start_of(day)
        if name == "week":
            day = today if week_start == selectors.week_start_of(today) else week_start
        return week_start, day
    return selectors.week_start_of(today), today


def _day_or_none(day: date, step: int) -> str | None:
    """The ISO date ``step`` days away, or None beyond the supported range (no link there)."""
    try:
        other = day + timedelta(days=step)
        timeparse.check_range(other)
    except (OverflowError, ValidationError):
        return None
    return other.isoformat()


def _initial_slot(request, instrument) -> dict:
    """Prefill the form from a clicked free cell (?start=ISO&end=ISO); a bad value prefills nothing."""
    try:
        start = timeparse.parse_datetime(request.GET["start"], allow_naive=True)
        end = timeparse.parse_datetime(request.GET["end"], allow_naive=True)
    except (KeyError, ValidationError):
        return {}
    wanted = start + timedelta(minutes=max(60, instrument.min_slot_minutes))
    end = min(end, wanted)
    return {"date": start.date(), "start_time": start.time(), "end_time": end.time()}


def _add_error(form, err: DomainError) -> None:
    form.add_error(err.field if err.field in form.fields else None, err.message)


def _request_booking(request, instrument, data):
    """Send the request; a redirect to the booking, or None with the error on the form."""
    booking = services.booking_request(
        user=request.user,
        unit=data["unit"],
        instrument=instrument,
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        purpose=data["purpose"],
        sample_count=data["sample_count"],
        sample_description=data["sample_description"],
        service_way=data["service_way"],
        project_name=data["project_name"],
        funding_source=data["funding_source"],
        fee_items=data.get("fee_items"),
    )
    if booking.status == Booking.Status.APPROVED:
        messages.success(request, _("Your booking is confirmed."))
    else:
        messages.success(request, _("Your request was sent to the instrument's owner."))
    return redirect(booking)


def calendar(request, pk, panels=()):
    """The week calendar of an instrument with the request form (signed-in members of a unit),
    and the panels the apps above add to it (bookings/urls.py)."""
    instrument = selectors.instrument_get_for_booking(user=request.user, pk=pk)
    now = timezone.now()
    week_start, day = _shown_day(request)
    is_owner = is_unit_manager(request.user, instrument.unit)
    units = selectors.booking_units_for_user(user=request.user)
    fee_items = instrument.fee_items.all()
    form = BookingRequestForm(
        request.POST or None, units=units, fee_items=fee_items, initial=_initial_slot(request, instrument)
    )
    estimate = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if "estimate" not in request.POST:
                    return _request_booking(request, instrument, data)
                estimate = fees.estimate(
                    instrument,
                    unit=data["unit"],
                    start=data["starts_at"],
                    end=data["ends_at"],
                    samples=data["sample_count"],
                    fee_items=data.get("fee_items"),
                )
            except DomainError as err:
                _add_error(form, err)
    unit_for_prices = units.first() if units else None
    context = {
        "instrument": instrument,
        "week": selectors.week_calendar(
            instrument=instrument, week_start=week_start, now=now, show_details=is_owner, day=day
        ),
        "previous_week": (week_start - timedelta(days=7)).isoformat(),
        "next_week": (week_start + timedelta(days=7)).isoformat(),
        "this_week": week_start.isoformat(),
        "day": day,
        "previous_day": _day_or_none(day, -1),
        "next_day": _day_or_none(day, 1),
        "form": form,
        "can_book": units.exists(),
        "is_owner": is_owner,
        "opening_hours": instrument.opening_hours.all(),
        "fee_items": fee_items,
        "internal": unit_for_prices is not None
        and not is_external_use(user_unit_id=unit_for_prices.pk, owner_unit_id=instrument.unit_id),
        "estimate": estimate,
    }
    proposal = Proposal(list(units), form.cleaned_data if estimate is not None else None, estimate)
    context["panels"] = render_panels(panels, request, instrument, proposal)
    return render(request, "bookings/calendar.html", context)
