"""The booking rules of an instrument, checked by the booking service for every door alike."""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruments.models import Instrument
from members.models import Unit
from members.permissions import can_book_for_unit

from .availability import local, opening_periods, within_one_period
from .exceptions import BookingRuleError, PermissionDenied

UNBOOKABLE_STATUS_MESSAGE = {
    Instrument.OperatingStatus.AWAITING_REPAIR: gettext_lazy(
        "This instrument is awaiting repair and cannot be booked."
    ),
    Instrument.OperatingStatus.AWAITING_DISPOSAL: gettext_lazy(
        "This instrument is awaiting disposal and cannot be booked."
    ),
}


def is_external_use(*, user_unit_id: int | None, owner_unit_id: int) -> bool:
    """The one rule of internal or external use (DOMAIN.md §4): external when the user's unit is
    unknown or is not the owner unit. External users pay the external price and count as external
    hours and income."""
    return user_unit_id is None or user_unit_id != owner_unit_id


def check_requester(user, unit: Unit) -> None:
    """The requester books for a unit: it must be approved and the requester an active member."""
    if not user.is_authenticated:
        raise PermissionDenied
    if not can_book_for_unit(user, unit):
        raise BookingRuleError(
            _("You can book only for an approved unit in which you are an active member; join or register one first.")
        )


def check_instrument_open_to(instrument: Instrument, unit: Unit) -> None:
    """Status and sharing mode: not retired, not awaiting repair or disposal, shared with this unit."""
    if instrument.is_retired:
        raise BookingRuleError(_("This instrument is retired and cannot be booked."))
    if instrument.unit.status != Unit.Status.APPROVED:
        raise BookingRuleError(_("The owner unit of this instrument is not active on the platform."))
    if instrument.operating_status not in Instrument.BOOKABLE_STATUSES:
        message = UNBOOKABLE_STATUS_MESSAGE.get(instrument.operating_status)
        raise BookingRuleError(str(message) if message else _("This instrument cannot be booked in its current state."))
    if instrument.sharing_mode == Instrument.SharingMode.NONE:
        raise BookingRuleError(_("This instrument is not shared."))
    if instrument.sharing_mode == Instrument.SharingMode.INTERNAL and is_external_use(
        user_unit_id=unit.pk, owner_unit_id=instrument.unit_id
    ):
        raise BookingRuleError(_("This instrument is shared only within its owner unit."))


def check_times(instrument: Instrument, opening_hours, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """Length, notice, furthest day and opening hours; an end exactly at closing time is allowed."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("booking times must be aware datetimes")
    if ends_at <= starts_at:
        raise BookingRuleError(_("The end must be after the start."))
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes < instrument.min_slot_minutes:
        raise BookingRuleError(
            _("A booking of this instrument lasts at least %(n)d minutes.") % {"n": instrument.min_slot_minutes}
        )
    if minutes > instrument.max_slot_minutes:
        raise BookingRuleError(
            _("A booking of this instrument lasts at most %(n)d minutes; split longer work into several bookings.")
            % {"n": instrument.max_slot_minutes}
        )
    if starts_at < now + timedelta(hours=instrument.min_lead_hours):
        raise BookingRuleError(
            _("This instrument must be booked at least %(n)d hours ahead.") % {"n": instrument.min_lead_hours}
        )
    furthest = local(now).date() + timedelta(days=instrument.max_advance_days)
    if local(starts_at).date() > furthest:
        raise BookingRuleError(
            _("This instrument can be booked at most %(n)d days ahead (until %(date)s).")
            % {"n": instrument.max_advance_days, "date": furthest.isoformat()}
        )
    periods = opening_periods(opening_hours, starts_at, ends_at)
    if not within_one_period(periods, starts_at, ends_at):
        raise BookingRuleError(
            _("The time must lie within one opening period of the instrument; see the opening hours in the calendar.")
        )


def check_booking(
    *, user, unit: Unit, instrument: Instrument, opening_hours, starts_at: datetime, ends_at: datetime, now: datetime
) -> None:
    check_requester(user, unit)
    check_instrument_open_to(instrument, unit)
    check_times(instrument, opening_hours, starts_at, ends_at, now)
