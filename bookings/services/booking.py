"""Booking requests and the booking state machine: one transition map, one transition function."""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.transitions import transition
from instruments.invalidation import catalogue_changed
from instruments.models import Instrument
from members.messages import Named
from members.models import Unit
from members.permissions import is_unit_manager

from .. import fees, rules
from ..exceptions import BookingRuleError, PermissionDenied, SlotTaken
from ..models import CONFIRMED_AT_ONCE, Booking, BookingEvent, ChosenService, FundingSource, ServiceWay, SlotHold
from .notify import managers_of, notify, slot_text

logger = logging.getLogger(__name__)

S = Booking.Status

BOOKING_TRANSITIONS = Booking.TRANSITIONS  # the map lives on the model; the name stays for importers

EXCLUSION_CONSTRAINT = "slothold_no_overlap"


# --- Holds ------------------------------------------------------------------------------------


def hold_conflicts(*, instrument_id: int, starts_at: datetime, ends_at: datetime):
    return SlotHold.objects.filter(instrument_id=instrument_id).overlapping(starts_at, ends_at)


def hold_create(**fields) -> SlotHold:
    """Insert a hold; on PostgreSQL the exclusion constraint has the last word on a race."""
    hold = SlotHold(**fields)
    hold.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            hold.save()
    except IntegrityError as exc:
        if EXCLUSION_CONSTRAINT in str(exc):
            raise SlotTaken from exc
        raise
    catalogue_changed()  # free-between in the catalogue
    return hold


# --- Transitions ------------------------------------------------------------------------------


def booking_transition(*, booking: Booking, to: str, actor, reason: str = "") -> Booking:
    """The one way a booking changes status. Call inside the service's transaction.

    ``core.transitions.transition`` checks ``Booking.TRANSITIONS`` against the locked row and
    writes the simple_history row (its reason cut to the column); this adds who decided and
    when, keeps the full reason in ``decision_reason`` and a BookingEvent, and frees the slot
    when the booking stops holding it.
    """
    changes = {}
    if to in (S.APPROVED, S.REJECTED):
        changes.update(decided_at=timezone.now(), decided_by=actor)
    if reason:
        changes["decision_reason"] = reason
    previous = transition(booking, to=to, actor=actor, reason=reason, **changes)
    if previous in Booking.HOLDING_STATUSES and to not in Booking.HOLDING_STATUSES:
        SlotHold.objects.filter(booking=booking).delete()
        catalogue_changed()  # free-between in the catalogue
    BookingEvent.objects.create(booking=booking, from_status=previous, to_status=to, actor=actor, reason=reason)
    return booking


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update()
        .select_related("instrument", "instrument__unit", "requester", "unit")
        .get(pk=booking.pk)
    )


def _require_owner(actor, booking: Booking) -> None:
    if not is_unit_manager(actor, booking.instrument.unit):
        raise PermissionDenied


def _check_request(*, user, unit, instrument, starts_at, ends_at, purpose, now) -> None:
    """The instrument's booking rules, a stated purpose, and a free slot (checked; the hold's
    constraint has the last word)."""
    rules.check_booking(
        user=user,
        unit=unit,
        instrument=instrument,
        opening_hours=list(instrument.opening_hours.all()),
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
    )
    if not purpose.strip():
        raise BookingRuleError(_("State the purpose of the booking."))
    if hold_conflicts(instrument_id=instrument.pk, starts_at=starts_at, ends_at=ends_at).exists():
        raise SlotTaken(_("This time is already taken. Choose a free slot in the calendar."))


# --- Request ----------------------------------------------------------------------------------


@transaction.atomic
def booking_request(
    *,
    user,
    unit: Unit,
    instrument: Instrument,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    sample_count: int = 0,
    sample_description: str = "",
    service_way: str = ServiceWay.USER_OPERATES,
    project_name: str = "",
    funding_source: str = FundingSource.NONE,
    fee_items: Sequence | None = None,
    now: datetime | None = None,
) -> Booking:
    """Request a slot for the chosen services. Instruments that need no approval are confirmed at once.

    ``fee_items`` are the services asked for (FeeItems of the instrument or their ids); ``None``
    means the only item of an instrument that has exactly one. An instrument with several items
    needs a choice (DomainError on ``fee_items``). The estimate counts the chosen ones only.

    Raises BookingRuleError for a broken rule and SlotTaken when the time is held (or was taken
    by a concurrent request: on SQLite the IMMEDIATE transaction serialises the check and the
    insert; on PostgreSQL the exclusion constraint refuses the loser).
    """
    now = now or timezone.now()
    instrument = Instrument.objects.select_related("unit").get(pk=instrument.pk)
    _check_request(
        user=user, unit=unit, instrument=instrument, starts_at=starts_at, ends_at=ends_at, purpose=purpose, now=now
    )
    quote = fees.estimate(
        instrument, unit=unit, start=starts_at, end=ends_at, samples=sample_count, fee_items=fee_items
    )
    booking = Booking(
        instrument=instrument,
        requester=user,
        unit=unit,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose.strip(),
        sample_count=sample_count,
        sample_description=sample_description.strip(),
        service_way=service_way,
        project_name=project_name.strip(),
        funding_source=funding_source,
        fee_estimate=quote.total,
        status=S.REQUESTED,
    )
    booking._history_user = user
    booking._change_reason = "requested"
    booking.full_clean()
    booking.save()
    for service in quote.services:
        service.booking = booking
    ChosenService.objects.bulk_create(quote.services)
    BookingEvent.objects.create(booking=booking, from_status="", to_status=S.REQUESTED, actor=user)
    hold_create(
        instrument_id=instrument.pk, starts_at=starts_at, ends_at=ends_at, kind=SlotHold.Kind.BOOKING, booking=booking
    )
    _announce(booking)
    return booking


def _announce(booking: Booking) -> None:
    """Tell the owner's managers of a new request, or confirm a booking that needs no approval."""
    instrument, user = booking.instrument, booking.requester
    params = {
        "instrument": Named.of(instrument),
        "slot": slot_text(booking.starts_at, booking.ends_at),
        "name": user.name,
        "unit": Named.of(booking.unit),
    }
    url = booking.get_absolute_url()
    if instrument.needs_approval:
        notify(
            managers_of(instrument.unit),
            gettext_lazy("Booking request: %(instrument)s, %(slot)s"),
            gettext_lazy("%(name)s (%(unit)s) asks to book %(instrument)s for %(slot)s. Approve or reject it."),
            url=url,
            **params,
        )
        return
    booking_transition(booking=booking, to=S.APPROVED, actor=None, reason=CONFIRMED_AT_ONCE)
    notify(
        [user],
        gettext_lazy("Booking confirmed: %(instrument)s, %(slot)s"),
        gettext_lazy("Your booking of %(instrument)s for %(slot)s is confirmed."),
        url=url,
        **params,
    )
    notify(
        managers_of(instrument.unit),
        gettext_lazy("New booking: %(instrument)s, %(slot)s"),
        gettext_lazy("%(name)s (%(unit)s) booked %(instrument)s for %(slot)s."),
        url=url,
        **params,
    )
