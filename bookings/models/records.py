"""Service records (what a completed use becomes) and the services chosen for a booking or record."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import MONEY_FIELD
from instruments.models import FeeItem, Instrument
from members.models import Unit

from .booking import Booking
from .choices import HOURS, FundingSource, ServicePurpose, ServiceWay


class ServiceRecordQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("instrument", "instrument__unit", "user", "user_unit", "booking")

    def external(self):
        return self.filter(is_external=True)

    def provided_by(self, unit):
        """Services given on the unit's instruments."""
        return self.filter(instrument__unit=unit)

    def started_since(self, moment):
        return self.filter(started_at__gte=moment)


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
    # Subsidies count research and development only; the owner states what the service was for.
    purpose = models.CharField(
        _("purpose of the service"), max_length=15, choices=ServicePurpose.choices, default=ServicePurpose.RD
    )
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

    # The user's payment, the evidence a subsidy claim needs (DOMAIN.md §6: the invoice).
    paid_on = models.DateField(_("paid by the user on"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)

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
            # Reports read the records that overlap a period: started before its end, ended after its start.
            models.Index(fields=["ended_at"], name="servicerecord_ended_at"),
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
