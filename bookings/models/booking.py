"""Bookings, the slot holds that keep them apart, their events, and outages."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import MONEY_FIELD
from instruments.models import Instrument
from members.models import Unit

from ..rules import is_external_use
from .choices import FundingSource, ServiceWay


class SlotHoldQuerySet(models.QuerySet):
    def overlapping(self, starts_at, ends_at):
        """Holds that share time with [starts_at, ends_at); touching ranges do not overlap."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class SlotHold(models.Model):
    """A time range of an instrument that nobody else may take: an active booking or an outage."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("Booking")
        OUTAGE = "outage", _("Outage")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="slot_holds")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    booking = models.OneToOneField("Booking", on_delete=models.CASCADE, null=True, blank=True, related_name="hold")
    outage = models.OneToOneField("Outage", on_delete=models.CASCADE, null=True, blank=True, related_name="hold")

    objects = SlotHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("slot hold")
        verbose_name_plural = _("slot holds")
        indexes = [
            models.Index(fields=["instrument", "starts_at", "ends_at"]),
            # The catalogue's free-between: holds of an instrument ending after an instant.
            models.Index(fields=["instrument", "ends_at", "starts_at"], name="slothold_instrument_ends"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="slothold_ordered"),
            models.CheckConstraint(
                condition=(Q(kind="booking", booking__isnull=False, outage__isnull=True))
                | (Q(kind="outage", outage__isnull=False, booking__isnull=True)),
                name="slothold_one_owner",
            ),
        ]

    def __str__(self):
        return f"{self.instrument_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} ({self.kind})"


class BookingQuerySet(models.QuerySet):
    def holding(self):
        """Bookings that hold their slot."""
        return self.filter(status__in=Booking.HOLDING_STATUSES)

    def of_instrument(self, instrument):
        return self.filter(instrument=instrument)

    def overlapping(self, starts_at, ends_at):
        """Bookings that share time with [starts_at, ends_at); touching ranges do not overlap."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def with_related(self):
        return self.select_related("instrument", "instrument__unit", "requester", "unit")


# The notes the system itself writes as a booking's reason are stored as keys, whatever the
# writer's language, and shown in the reader's (``event_note``); a person's reason is kept as written.
CONFIRMED_AT_ONCE = "confirmed at once"
OUTAGE_NOTE = "outage {kind}: {reason}"


def event_note(reason: str) -> str:
    """A stored booking reason in the reader's language: "confirmed at once" and "outage <kind>:
    <reason>" translated, anything else as stored."""
    if reason == CONFIRMED_AT_ONCE:
        return str(_("confirmed at once (no approval needed)"))
    head, sep, rest = reason.partition(": ")
    kind = dict(Outage.Kind.choices).get(head.removeprefix("outage ")) if head.startswith("outage ") else None
    if sep and kind is not None:
        return _("Outage (%(kind)s): %(reason)s") % {"kind": kind, "reason": rest}
    return reason


class Booking(models.Model):
    """A request for time on an instrument, and what became of it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")

    HOLDING_STATUSES = (Status.REQUESTED, Status.APPROVED)
    # The booking state machine, read by core.transitions.transition.
    TRANSITIONS = {
        Status.REQUESTED: {Status.APPROVED, Status.REJECTED, Status.CANCELLED},
        Status.APPROVED: {Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED},
        Status.REJECTED: set(),
        Status.CANCELLED: set(),
        Status.COMPLETED: set(),
        Status.NO_SHOW: set(),
    }

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("instrument")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("requester")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("requester's unit")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)

    purpose = models.TextField(_("purpose"), max_length=1000)
    sample_count = models.PositiveIntegerField(_("number of samples"), default=0)
    sample_description = models.TextField(_("samples"), max_length=1000, blank=True)
    service_way = models.CharField(
        _("service way"), max_length=15, choices=ServiceWay.choices, default=ServiceWay.USER_OPERATES
    )
    project_name = models.CharField(_("supported project"), max_length=200, blank=True)
    funding_source = models.CharField(
        _("funding source"), max_length=12, choices=FundingSource.choices, default=FundingSource.NONE
    )
    fee_estimate = models.DecimalField(_("estimated fee (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)

    decision_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    # How the admin's history shows the notes the services store as keys (core.transitions.history_note).
    reason_note = staticmethod(event_note)
    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ordered"),
        ]
        indexes = [
            models.Index(fields=["instrument", "starts_at"]),
            models.Index(fields=["requester", "-starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self):
        return f"{self.instrument} {self.starts_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("bookings:detail", args=[self.pk])

    @property
    def is_external(self) -> bool:
        return is_external_use(user_unit_id=self.unit_id, owner_unit_id=self.instrument.unit_id)

    @property
    def holds_slot(self) -> bool:
        return self.status in self.HOLDING_STATUSES


class BookingEvent(models.Model):
    """One change of a booking's status: who, when, from what to what, and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=10, choices=Booking.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Booking.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")

    def __str__(self):
        return f"{self.booking_id}: {self.from_status or '∅'} → {self.to_status}"

    @property
    def note(self) -> str:
        """The reason in the reader's language (``event_note``)."""
        return event_note(self.reason)


class OutageQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(cancelled_at__isnull=True)


class Outage(models.Model):
    """A period when an instrument cannot be booked (maintenance, repair, calibration)."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance")
        REPAIR = "repair", _("Repair")
        CALIBRATION = "calibration", _("Calibration")
        OTHER = "other", _("Other")

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="outages", verbose_name=_("instrument")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MAINTENANCE)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("declared by")
    )
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = OutageQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="outage_ordered")]

    def __str__(self):
        return f"{self.instrument} {self.get_kind_display()} {self.starts_at:%Y-%m-%d}"
