"""Bookings of instrument time, outages, the slot holds that keep them apart, and service records.

A slot of an instrument is held by a ``SlotHold`` row: one per booking that holds its slot
(requested or approved) and one per outage in force. Bookings and outages keep their own rows;
the hold row exists exactly while the range is held, so one PostgreSQL exclusion constraint on
the hold table (added by migration 0002, PostgreSQL only) keeps bookings apart from each other
and from outages. On SQLite the booking service checks and inserts inside one IMMEDIATE
transaction.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.jobs import BackgroundJob
from core.money import MONEY_FIELD
from instruments.models import FeeItem, Instrument
from members.models import Unit

from .rules import is_external_use

HOURS = {"max_digits": 7, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class ServiceWay(models.TextChoices):
    """How the instrument was used (DOMAIN.md §4)."""

    USER_OPERATES = "user_operates", _("User operates (占用共享)")
    GUIDED = "guided", _("User operates under staff guidance (技术共享)")
    COMMISSION = "commission", _("Staff run samples on commission (委托共享)")
    REMOTE = "remote", _("Remote (远程共享)")
    OTHER = "other", _("Other")


class FundingSource(models.TextChoices):
    NATIONAL = "national", _("National key programme")
    NSFC = "nsfc", _("National Natural Science Foundation (NSFC)")
    PROVINCIAL = "provincial", _("Provincial or regional plan")
    LOCAL = "local", _("Local (city) plan")
    ENTERPRISE = "enterprise", _("Enterprise's own funds")
    OTHER = "other", _("Other")
    NONE = "none", _("No project")


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
        indexes = [models.Index(fields=["instrument", "starts_at", "ends_at"])]
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


class ServiceRecordQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("instrument", "instrument__unit", "user", "user_unit", "booking")

    def external(self):
        return self.filter(is_external=True)


class ServiceRecord(models.Model):
    """One use of an instrument as reported to the bureau (DOMAIN.md §4)."""

    class Rating(models.IntegerChoices):
        VERY_SATISFIED = 5, _("Very satisfied (非常满意)")
        SATISFIED = 4, _("Satisfied (满意)")
        NEUTRAL = 3, _("Neutral (一般)")
        DISSATISFIED = 2, _("Dissatisfied (不满意)")
        VERY_POOR = 1, _("Very poor (极差)")

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("instrument")
    )
    booking = models.OneToOneField(
        Booking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_record",
        verbose_name=_("booking"),
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    service_content = models.TextField(_("service content"), max_length=1000)
    service_way = models.CharField(_("service way"), max_length=15, choices=ServiceWay.choices)
    preparation_hours = models.DecimalField(_("preparation hours"), default=Decimal("0"), **HOURS)
    measurement_hours = models.DecimalField(_("measurement hours"), default=Decimal("0"), **HOURS)
    post_processing_hours = models.DecimalField(_("post-processing hours"), default=Decimal("0"), **HOURS)
    hours = models.DecimalField(_("service hours"), default=Decimal("0"), **HOURS)
    sample_count = models.PositiveIntegerField(_("number of samples"), default=0)
    computed_amount = models.DecimalField(_("amount from the fee items (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)
    amount = models.DecimalField(_("amount charged (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)
    amount_reason = models.TextField(_("reason for a different amount"), blank=True)
    project_name = models.CharField(_("supported project"), max_length=200, blank=True)
    funding_source = models.CharField(
        _("funding source"), max_length=12, choices=FundingSource.choices, default=FundingSource.NONE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("user"),
    )
    user_name = models.CharField(_("user's name"), max_length=50)
    user_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records_received",
        verbose_name=_("user's unit"),
    )
    user_unit_name = models.CharField(_("user's unit (name)"), max_length=100)
    # Derived at write time from user_unit ≠ owner unit, kept for the reports' aggregates.
    is_external = models.BooleanField(_("external"), default=False)

    rating = models.PositiveSmallIntegerField(
        _("rating"),
        choices=Rating.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("comment"), max_length=1000, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gte=models.F("started_at")), name="servicerecord_ordered"),
        ]
        indexes = [
            models.Index(fields=["instrument", "started_at"]),
            models.Index(fields=["started_at"]),
        ]

    def __str__(self):
        return f"{self.instrument} {self.started_at:%Y-%m-%d} {self.user_name}"

    def get_absolute_url(self):
        return reverse("bookings:record_detail", args=[self.pk])


class ChosenService(models.Model):
    """A service the user asked for: one of the instrument's fee items, as priced when chosen.

    An instrument's fee items are alternatives (DOMAIN.md §3): a booking or a service record is
    charged for its chosen services only, each at its basis (hours, samples or days begun). The
    owner may later reprice or delete fee items, so the choice is kept as a snapshot: the item's
    name, basis and the unit price that applied to this user (internal or external) at the time,
    with a link to the FeeItem while it exists (SET_NULL). A row belongs to one booking or one
    service record; completing a booking copies the booking's rows to its record, so an estimate
    and a charged amount are each explained by their own rows.
    """

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="chosen_services"
    )
    service_record = models.ForeignKey(
        ServiceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="chosen_services"
    )
    fee_item = models.ForeignKey(
        FeeItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("fee item")
    )
    name = models.CharField(_("service"), max_length=100)
    basis = models.CharField(_("charged"), max_length=10, choices=FeeItem.Basis.choices)
    unit_price = models.DecimalField(_("unit price (yuan)"), **MONEY_FIELD)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("chosen service")
        verbose_name_plural = _("chosen services")
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False, service_record__isnull=True)
                | Q(booking__isnull=True, service_record__isnull=False),
                name="chosenservice_one_owner",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.unit_price} ({self.basis})"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """The secret in a person's iCal feed URLs; resetting it makes the old URLs stop working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self):
        return f"{self.user}"


def import_file_path(instance, filename):
    return f"imports/service-records/{instance.unit_id}/{filename}"


class ServiceRecordImport(BackgroundJob):
    """A spreadsheet of service records: checked in a dry run, written only when confirmed.

    The dry run and the write are Celery tasks that record their progress here (``core.jobs``),
    so the review page polls this row instead of waiting on a long request.
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking the file")
        VALIDATED = "validated", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.VALIDATING: {Status.VALIDATED, Status.FAILED},
        Status.VALIDATED: {Status.IMPORTING, Status.CANCELLED},
        Status.IMPORTING: {Status.DONE, Status.FAILED},
    }
    ACTIVE_STATUSES = (Status.VALIDATING, Status.IMPORTING)
    FAILED_STATUS = Status.FAILED

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    file = models.FileField(_("file"), upload_to=import_file_path)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.VALIDATING, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    to_create = models.PositiveIntegerField(_("rows to create"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    # Each status step keeps who and why; the report (up to hundreds of listed errors) is not copied.
    history = HistoricalRecords(excluded_fields=["report"])

    class Meta(BackgroundJob.Meta):
        verbose_name = _("service record import")
        verbose_name_plural = _("service record imports")

    def __str__(self):
        return self.original_name
