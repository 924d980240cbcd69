"""Instrument classification and the instrument record (fields of the national reporting interface)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.addresses import compose_address
from core.i18n import localized_name, reads_english
from core.jobs import BackgroundJob
from core.timeparse import validate_not_future
from members.models import District, Unit
from members.validators import validate_phone


class Category(models.Model):
    """A class of the instrument classification: 大类 (2-digit code) or 中类 (4-digit code).

    Seeded from shared/DOMAIN.md §2 by a data migration; codes are strings and the operator may
    add classes in the admin.
    """

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent class"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("instrument class")
        verbose_name_plural = _("instrument classes")

    def __str__(self):  # choice lists and the admin: in the reader's language
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The class's name in the reader's language (English when it has one)."""
        return localized_name(self)

    @property
    def level(self) -> int:
        return 1 if self.parent_id is None else 2


class InstrumentQuerySet(models.QuerySet):
    def active(self):
        """Not retired."""
        return self.filter(retired_at__isnull=True)

    def public(self):
        """Shown in the public catalogue: not retired, owned by an approved unit."""
        return self.active().filter(unit__status=Unit.Status.APPROVED)

    def owned_by(self, unit):
        return self.filter(unit=unit)

    def bookable(self):
        """Open to outside users and in a state that can take bookings."""
        return self.public().filter(
            sharing_mode=Instrument.SharingMode.EXTERNAL,
            operating_status__in=Instrument.BOOKABLE_STATUSES,
        )

    def with_related(self):
        return self.select_related("unit", "unit__district", "category", "category__parent", "district")


class Instrument(models.Model):
    """A large instrument owned by a member unit."""

    class Source(models.TextChoices):
        PURCHASED = "purchased", _("Purchased")
        SELF_BUILT = "self_built", _("Self-built")
        DONATED = "donated", _("Donated")
        OTHER = "other", _("Other")

    class OperatingStatus(models.TextChoices):
        NORMAL = "normal", _("Normal")
        STANDBY = "standby", _("Standby")
        REMOTE = "remote", _("Remote service")
        OCCASIONAL_FAULTS = "occasional_faults", _("Occasional faults")
        FREQUENT_FAULTS = "frequent_faults", _("Frequent faults")
        AWAITING_REPAIR = "awaiting_repair", _("Awaiting repair")
        AWAITING_DISPOSAL = "awaiting_disposal", _("Awaiting disposal")

    class SharingMode(models.TextChoices):
        INTERNAL = "internal", _("Internal sharing")
        EXTERNAL = "external", _("External sharing")
        NONE = "none", _("Not shared")

    BOOKABLE_STATUSES = (
        OperatingStatus.NORMAL,
        OperatingStatus.STANDBY,
        OperatingStatus.REMOTE,
        OperatingStatus.OCCASIONAL_FAULTS,
        OperatingStatus.FREQUENT_FAULTS,
    )

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="instruments", verbose_name=_("owner unit"))
    asset_number = models.CharField(
        _("asset number"), max_length=50, help_text=_("The owner unit's asset number; unique within the unit.")
    )
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("instrument class"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.PURCHASED)
    customs_supervised = models.BooleanField(_("under customs supervision"), default=False)
    original_value = models.DecimalField(
        _("original value (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    country_of_origin = models.CharField(_("country of origin"), max_length=50)
    manufacturer = models.CharField(_("manufacturer"), max_length=100)
    model = models.CharField(_("model / specification"), max_length=100)
    commissioned_on = models.DateField(_("commissioning date"), validators=[validate_not_future])
    technical_indicators = models.TextField(_("main technical indicators"), max_length=500)
    functions = models.TextField(_("main functions"), max_length=300)
    subject_areas = models.CharField(
        _("subject areas"), max_length=200, blank=True, help_text=_("Up to 4 disciplines (GB/T 13745), separated by ；")
    )
    service_content = models.TextField(_("service content"), max_length=200, blank=True)
    typical_results = models.TextField(_("typical results"), max_length=1000, blank=True)
    operating_status = models.CharField(
        _("operating status"), max_length=20, choices=OperatingStatus.choices, default=OperatingStatus.NORMAL
    )
    sharing_mode = models.CharField(
        _("sharing mode"), max_length=10, choices=SharingMode.choices, default=SharingMode.EXTERNAL
    )
    sharing_rules = models.TextField(_("sharing rules"), max_length=1000, blank=True)
    reference_fees = models.TextField(_("reference fees"), max_length=500, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("district"))
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20, validators=[validate_phone])
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    # Booking settings (used by the bookings app).
    needs_approval = models.BooleanField(_("bookings need the owner's approval"), default=True)
    min_slot_minutes = models.PositiveIntegerField(
        _("shortest booking (minutes)"), default=30, validators=[MinValueValidator(5)]
    )
    max_slot_minutes = models.PositiveIntegerField(
        _("longest booking (minutes)"), default=480, validators=[MinValueValidator(5)]
    )
    min_lead_hours = models.PositiveIntegerField(_("minimum notice (hours)"), default=24)
    max_advance_days = models.PositiveIntegerField(
        _("furthest bookable day (days ahead)"), default=60, validators=[MaxValueValidator(366)]
    )
    cancel_deadline_hours = models.PositiveIntegerField(_("cancellation deadline (hours before)"), default=24)

    # Maintained by the instruments services (see instruments/search.py), never typed by people.
    search_document = models.TextField(editable=False, blank=True, default="")

    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["search_document", "updated_at"])
    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(fields=["unit", "asset_number"], name="instrument_unique_asset_number"),
            models.CheckConstraint(condition=Q(original_value__gte=0), name="instrument_value_not_negative"),
            models.CheckConstraint(
                condition=Q(max_slot_minutes__gte=models.F("min_slot_minutes")),
                name="instrument_slot_range_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["operating_status"]),
            models.Index(fields=["sharing_mode"]),
            models.Index(fields=["original_value"]),
        ]

    def __str__(self):  # choice lists and the admin: in the reader's language
        return f"{self.display_name} {self.model}".strip()

    def get_absolute_url(self):
        return reverse("instruments:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The name in the reader's language: English on English pages when the record has one."""
        return localized_name(self)

    @property
    def other_name(self) -> str:
        """The Chinese name, shown beside ``display_name`` when that is the English one; else ""."""
        return self.name if reads_english() and self.name_en else ""

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def location(self) -> str:
        """The installation address as one line (province, city, district, street, each once),
        the parts that are filled; empty when none is. Reads ``district``."""
        district = self.district.name if self.district_id else ""
        return compose_address((self.province, self.city, district), self.street_address)

    @property
    def display_address(self) -> str:
        """Where to go: the installation address, else the owner unit's address. Reads
        ``district``, and without an installation address ``unit`` and ``unit.district``."""
        return self.location or self.unit.display_address


class FeeItem(models.Model):
    """A priced service of an instrument, with prices for internal and for external users."""

    class Basis(models.TextChoices):
        HOUR = "hour", _("per hour")
        SAMPLE = "sample", _("per sample")
        DAY = "day", _("per day")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="fee_items")
    name = models.CharField(_("item"), max_length=100)
    basis = models.CharField(_("charged"), max_length=10, choices=Basis.choices, default=Basis.HOUR)
    internal_price = models.DecimalField(
        _("internal price (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    external_price = models.DecimalField(
        _("external price (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")

    def __str__(self):
        return self.name


class OpeningHours(models.Model):
    """A weekly opening period (local time of the platform); a day may have several."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="opening_hours_ordered")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


def photo_path(instance, filename):
    return f"instruments/{instance.instrument_id}/{filename}"


class Photo(models.Model):
    """A photo of an instrument (JPEG or PNG, checked by content) with its thumbnail."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=photo_path, editable=False, blank=True)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.caption or self.image.name


def import_file_path(instance, filename):
    return f"imports/{instance.unit_id}/{filename}"


class SpreadsheetImport(BackgroundJob):
    """A spreadsheet uploaded by a unit: validated in a dry run, written only when confirmed.

    The dry run and the write are Celery tasks that record their progress here (``core.jobs``),
    so the page polls this row instead of waiting on a long request. Abstract: the instrument
    import and the service-record import (bookings) add their unit, file and counts.
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

    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.VALIDATING, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    to_create = models.PositiveIntegerField(_("rows to create"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta(BackgroundJob.Meta):
        abstract = True


class ImportJob(SpreadsheetImport):
    """One spreadsheet of instruments (see ``SpreadsheetImport``)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=30, default="instruments")
    file = models.FileField(_("file"), upload_to=import_file_path)
    to_update = models.PositiveIntegerField(_("rows to update"), default=0)
    # Each status step keeps who and why; the report (up to thousands of listed rows) is not copied.
    history = HistoricalRecords(excluded_fields=["report"])

    class Meta(SpreadsheetImport.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"
