"""Booking requests and the booking state machine: one transition map, one transition function."""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.transitions import transition
from instruments.models import Instrument
from members.models import Unit
from members.permissions import is_unit_manager

from .. import fees, rules
from ..exceptions import BookingRuleError, DomainError, PermissionDenied, SlotTaken
from ..models import Booking, BookingEvent, ChosenService, FundingSource, ServiceRecord, ServiceWay, SlotHold
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
    params = {
        "instrument": instrument.name,
        "slot": slot_text(starts_at, ends_at),
        "name": user.name,
        "unit": unit.name,
    }
    if instrument.needs_approval:
        notify(
            managers_of(instrument.unit),
            gettext_lazy("Booking request: %(instrument)s, %(slot)s"),
            gettext_lazy("%(name)s (%(unit)s) asks to book %(instrument)s for %(slot)s. Approve or reject it."),
            url=booking.get_absolute_url(),
            **params,
        )
    else:
        booking_transition(
            booking=booking, to=S.APPROVED, actor=None, reason=_("confirmed at once (no approval needed)")
        )
        notify(
            [user],
            gettext_lazy("Booking confirmed: %(instrument)s, %(slot)s"),
            gettext_lazy("Your booking of %(instrument)s for %(slot)s is confirmed."),
            url=booking.get_absolute_url(),
            **params,
        )
        notify(
            managers_of(instrument.unit),
            gettext_lazy("New booking: %(instrument)s, %(slot)s"),
            gettext_lazy("%(name)s (%(unit)s) booked %(instrument)s for %(slot)s."),
            url=booking.get_absolute_url(),
            **params,
        )
    return booking


# --- Owner decisions --------------------------------------------------------------------------


def _tell_requester(booking: Booking, subject, body, **extra) -> None:
    notify(
        [booking.requester],
        subject,
        body,
        url=booking.get_absolute_url(),
        instrument=booking.instrument.name,
        slot=slot_text(booking.starts_at, booking.ends_at),
        **extra,
    )


@transaction.atomic
def booking_approve(*, actor, booking: Booking) -> Booking:
    """The owner accepts a request."""
    booking = _locked(booking)
    _require_owner(actor, booking)
    booking_transition(booking=booking, to=S.APPROVED, actor=actor)
    _tell_requester(
        booking,
        gettext_lazy("Booking approved: %(instrument)s, %(slot)s"),
        gettext_lazy("Your booking of %(instrument)s for %(slot)s was approved."),
    )
    return booking


@transaction.atomic
def booking_reject(*, actor, booking: Booking, reason: str) -> Booking:
    """The owner refuses a request, with a reason the requester sees; the slot is freed."""
    booking = _locked(booking)
    _require_owner(actor, booking)
    if not reason.strip():
        raise DomainError(_("Give the requester a reason for the rejection."))
    booking_transition(booking=booking, to=S.REJECTED, actor=actor, reason=reason.strip())
    _tell_requester(
        booking,
        gettext_lazy("Booking rejected: %(instrument)s, %(slot)s"),
        gettext_lazy("Your booking of %(instrument)s for %(slot)s was rejected. Reason: %(reason)s"),
        reason=reason.strip(),
    )
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, reason: str = "", now: datetime | None = None) -> Booking:
    """Cancel a requested or approved booking and free its slot.

    The requester may cancel until the instrument's cancellation deadline; the owner may cancel
    at any time with a reason, and the requester is told.
    """
    now = now or timezone.now()
    booking = _locked(booking)
    is_owner = is_unit_manager(actor, booking.instrument.unit)
    deadline = booking.starts_at - timedelta(hours=booking.instrument.cancel_deadline_hours)
    if booking.requester_id == actor.pk and (not is_owner or now <= deadline):
        if booking.status in Booking.HOLDING_STATUSES and now > deadline:
            raise DomainError(
                _("Bookings of this instrument can be cancelled up to %(n)d hours before the start; ask the owner.")
                % {"n": booking.instrument.cancel_deadline_hours}
            )
        booking_transition(booking=booking, to=S.CANCELLED, actor=actor, reason=reason.strip())
        notify(
            managers_of(booking.instrument.unit),
            gettext_lazy("Booking cancelled: %(instrument)s, %(slot)s"),
            gettext_lazy("%(name)s cancelled the booking of %(instrument)s for %(slot)s."),
            url=booking.get_absolute_url(),
            instrument=booking.instrument.name,
            slot=slot_text(booking.starts_at, booking.ends_at),
            name=actor.name,
        )
        return booking
    if not is_owner:
        raise PermissionDenied
    if not reason.strip():
        raise DomainError(_("Give the requester a reason for the cancellation."))
    booking_transition(booking=booking, to=S.CANCELLED, actor=actor, reason=reason.strip())
    _tell_requester(
        booking,
        gettext_lazy("Booking cancelled by the owner: %(instrument)s, %(slot)s"),
        gettext_lazy(
            "The owner cancelled your booking of %(instrument)s for %(slot)s. Reason: %(reason)s. "
            "You can book another time."
        ),
        reason=reason.strip(),
    )
    return booking


def _require_started(booking: Booking, now: datetime) -> None:
    if now < booking.starts_at:
        raise DomainError(_("A booking can be completed or marked no-show only once its slot has begun."))


@transaction.atomic
def booking_no_show(*, actor, booking: Booking, now: datetime | None = None) -> Booking:
    """The owner records that the requester did not come."""
    booking = _locked(booking)
    _require_owner(actor, booking)
    if booking.status == S.APPROVED:
        _require_started(booking, now or timezone.now())
    booking_transition(booking=booking, to=S.NO_SHOW, actor=actor)
    _tell_requester(
        booking,
        gettext_lazy("Recorded as no-show: %(instrument)s, %(slot)s"),
        gettext_lazy("The owner recorded that nobody came to your booking of %(instrument)s for %(slot)s."),
    )
    return booking


@transaction.atomic
def booking_complete(
    *,
    actor,
    booking: Booking,
    actual_start: datetime,
    actual_end: datetime,
    preparation_hours: Decimal,
    measurement_hours: Decimal,
    post_processing_hours: Decimal,
    sample_count: int,
    amount: Decimal | None = None,
    amount_reason: str = "",
    service_content: str = "",
    now: datetime | None = None,
) -> ServiceRecord:
    """The owner records what was done; the booking becomes a service record.

    The amount is computed from the services chosen with the booking (at the prices of the
    request) with the actual hours, samples and days; a different amount needs a reason.
    """
    from .records import compute_record_amount, service_record_save

    booking = _locked(booking)
    _require_owner(actor, booking)
    if booking.status == S.APPROVED:
        _require_started(booking, now or timezone.now())
    booking_transition(booking=booking, to=S.COMPLETED, actor=actor)
    record = ServiceRecord(
        instrument=booking.instrument,
        booking=booking,
        started_at=actual_start,
        ended_at=actual_end,
        service_content=(service_content or booking.purpose).strip(),
        service_way=booking.service_way,
        preparation_hours=preparation_hours,
        measurement_hours=measurement_hours,
        post_processing_hours=post_processing_hours,
        sample_count=sample_count,
        project_name=booking.project_name,
        funding_source=booking.funding_source,
        user=booking.requester,
        user_name=booking.requester.name,
        user_unit=booking.unit,
        user_unit_name=booking.unit.name,
        created_by=actor,
    )
    services = list(booking.chosen_services.all())
    compute_record_amount(record, services=services, amount=amount, amount_reason=amount_reason)
    service_record_save(record, actor=actor, reason="completed booking", services=services)
    _tell_requester(
        booking,
        gettext_lazy("Service completed: %(instrument)s, %(slot)s"),
        gettext_lazy("Your use of %(instrument)s for %(slot)s is recorded (%(amount)s yuan). Please rate the service."),
        amount=record.amount,
    )
    return record


# --- Reminders --------------------------------------------------------------------------------


def booking_send_reminders(*, now: datetime | None = None, within_hours: int = 24) -> int:
    """Remind requesters of approved bookings that start within the next day; idempotent."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=within_hours)
    ids = list(
        Booking.objects.filter(
            status=S.APPROVED, reminded_at__isnull=True, starts_at__gt=now, starts_at__lte=horizon
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in ids:
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update()
                .select_related("instrument", "requester")
                .filter(pk=pk, reminded_at__isnull=True, status=S.APPROVED)
                .first()
            )
            if booking is None:
                continue
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            _tell_requester(
                booking,
                gettext_lazy("Reminder: %(instrument)s, %(slot)s"),
                gettext_lazy("Your booking of %(instrument)s is for %(slot)s."),
            )
            sent += 1
    return sent
