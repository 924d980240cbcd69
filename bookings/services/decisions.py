"""Owner decisions on bookings (approve, reject, cancel, no-show, complete) and reminders."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.hooks import run_hooks
from members.messages import Named
from members.permissions import is_unit_manager

from ..exceptions import DomainError, PermissionDenied
from ..models import Booking, ServicePurpose, ServiceRecord
from .booking import S, _locked, _require_owner, booking_transition
from .notify import managers_of, notify, slot_text

# --- Owner decisions --------------------------------------------------------------------------


def _tell_requester(booking: Booking, subject, body, **extra) -> None:
    notify(
        [booking.requester],
        subject,
        body,
        url=booking.get_absolute_url(),
        instrument=Named.of(booking.instrument),
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
        raise DomainError(_("Give the requester a reason for the rejection."), field="reason")
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
            instrument=Named.of(booking.instrument),
            slot=slot_text(booking.starts_at, booking.ends_at),
            name=actor.name,
        )
        return booking
    if not is_owner:
        raise PermissionDenied
    if not reason.strip():
        raise DomainError(_("Give the requester a reason for the cancellation."), field="reason")
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
    purpose: str = ServicePurpose.RD,
    now: datetime | None = None,
) -> ServiceRecord:
    """The owner records what was done; the booking becomes a service record.

    The amount is computed from the services chosen with the booking (at the prices of the
    request) with the actual hours, samples and days; a different amount needs a reason.
    ``purpose`` is what the service was for (subsidies count research and development only).
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
        purpose=purpose,
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
    # Apps above may act on a charged service in this transaction (subsidies: a voucher's draw).
    run_hooks("service_record_charged", record=record, actor=actor)
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
