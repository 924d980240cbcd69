"""Outages: an owner blocks an instrument's time; bookings inside are cancelled and their holders told."""

from collections.abc import Collection
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruments.invalidation import catalogue_changed
from instruments.models import Instrument
from members.messages import Named
from members.permissions import is_unit_manager

from ..exceptions import DomainError, PermissionDenied
from ..models import OUTAGE_NOTE, Booking, Outage, SlotHold
from ..selectors import outage_bookings_to_cancel
from .booking import booking_transition, hold_create
from .notify import notify, slot_text


def outage_validate(*, actor, instrument: Instrument, starts_at: datetime, ends_at: datetime) -> None:
    """Refuse an outage the actor may not declare, or one that cannot be declared: the checks of
    ``outage_create``, also run before its preview so the preview never shows a doomed outage."""
    if not is_unit_manager(actor, instrument.unit):
        raise PermissionDenied
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."))
    outages = SlotHold.objects.filter(instrument=instrument, kind=SlotHold.Kind.OUTAGE)
    if outages.overlapping(starts_at, ends_at).exists():
        raise DomainError(_("This overlaps another outage of the instrument; extend that one instead."))


@transaction.atomic
def outage_create(
    *,
    actor,
    instrument: Instrument,
    starts_at: datetime,
    ends_at: datetime,
    kind: str,
    reason: str = "",
    expected_bookings: Collection[int] | None = None,
) -> Outage:
    """Declare an outage. Requested and approved bookings inside it (``outage_bookings_to_cancel``)
    are cancelled (their holders are told and can rebook); the outage then holds the range so no
    new booking can take it.

    ``expected_bookings``: the ids of the bookings the actor was shown and agreed to cancel; when
    given and the bookings inside the range are no longer exactly these, nothing is declared.
    """
    outage_validate(actor=actor, instrument=instrument, starts_at=starts_at, ends_at=ends_at)
    affected = list(
        outage_bookings_to_cancel(instrument=instrument, starts_at=starts_at, ends_at=ends_at).select_for_update(
            of=("self",)
        )
    )
    if expected_bookings is not None and {b.pk for b in affected} != set(expected_bookings):
        raise DomainError(
            _("The bookings inside this period changed since they were listed; check the new list and confirm again.")
        )
    outage = Outage(
        instrument=instrument, starts_at=starts_at, ends_at=ends_at, kind=kind, reason=reason.strip(), created_by=actor
    )
    outage._history_user = actor
    outage.full_clean()
    outage.save()
    why = OUTAGE_NOTE.format(kind=outage.kind, reason=outage.reason or "—")  # shown by event_note
    for booking in affected:
        booking_transition(booking=booking, to=Booking.Status.CANCELLED, actor=actor, reason=why)
        notify(
            [booking.requester],
            gettext_lazy("Booking cancelled by an outage: %(instrument)s, %(slot)s"),
            gettext_lazy(
                "%(instrument)s is out of service from %(outage)s (%(kind)s), so your booking for %(slot)s is "
                "cancelled. Please book another time."
            ),
            url=reverse("bookings:calendar", args=[instrument.pk]),
            instrument=Named.of(instrument),
            slot=slot_text(booking.starts_at, booking.ends_at),
            outage=slot_text(starts_at, ends_at),
            kind=Outage.Kind(outage.kind).label,
        )
    hold_create(instrument=instrument, starts_at=starts_at, ends_at=ends_at, kind=SlotHold.Kind.OUTAGE, outage=outage)
    return outage


@transaction.atomic
def outage_withdraw(*, actor, outage: Outage) -> Outage:
    """End an outage early or call it off: its time can be booked again."""
    outage = Outage.objects.select_for_update().select_related("instrument__unit").get(pk=outage.pk)
    if not is_unit_manager(actor, outage.instrument.unit):
        raise PermissionDenied
    if outage.cancelled_at is not None:
        raise DomainError(_("This outage is already withdrawn."))
    outage.cancelled_at = timezone.now()
    outage._history_user = actor
    outage.save()
    SlotHold.objects.filter(outage=outage).delete()
    catalogue_changed()  # free-between in the catalogue
    return outage
