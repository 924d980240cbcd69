"""Subsidy applications, their claimed service lines and their evidence files."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bookings.models import ServiceRecord
from core.money import MONEY_FIELD
from members.models import Unit

from ..storage import evidence_storage
from .choices import RATE_FIELD
from .programme import Programme


class ApplicationQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("programme", "unit", "unit__district", "created_by")

    def publicised_on(self, day):
        """Applications on public notice on ``day``."""
        return self.filter(status=Application.Status.PUBLICISED, notice_from__lte=day, notice_until__gte=day)


class Application(models.Model):
    """A unit's claim for a share of the fees it paid for services in one programme (后补助)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, awaiting the providers")
        PROVIDER_CONFIRMED = "provider_confirmed", _("Confirmed by the providers")
        UNDER_REVIEW = "under_review", _("Under review")
        RETURNED = "returned", _("Returned for more information")
        APPROVED = "approved", _("Approved")
        PARTLY_APPROVED = "partly_approved", _("Partly approved")
        REJECTED = "rejected", _("Rejected")
        PUBLICISED = "publicised", _("On public notice")
        PAID = "paid", _("Paid")
        CLAWED_BACK = "clawed_back", _("Clawed back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    S = Status
    TRANSITIONS = {
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.PROVIDER_CONFIRMED, S.RETURNED, S.WITHDRAWN},
        S.PROVIDER_CONFIRMED: {S.UNDER_REVIEW, S.RETURNED, S.APPROVED, S.PARTLY_APPROVED, S.REJECTED},
        S.UNDER_REVIEW: {S.RETURNED, S.APPROVED, S.PARTLY_APPROVED, S.REJECTED},
        S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
        S.APPROVED: {S.PUBLICISED, S.PARTLY_APPROVED, S.REJECTED},
        S.PARTLY_APPROVED: {S.PUBLICISED, S.PARTLY_APPROVED, S.REJECTED},
        S.PUBLICISED: {S.PAID, S.PARTLY_APPROVED, S.REJECTED},
        S.PAID: {S.CLAWED_BACK},
        S.REJECTED: set(),
        S.CLAWED_BACK: set(),
        S.WITHDRAWN: set(),
    }
    # Lines of these applications no longer hold their service records (they may be claimed again);
    # a clawed-back claim keeps them, so it cannot be made again.
    DEAD_STATUSES = (S.REJECTED, S.WITHDRAWN)
    EDITABLE_STATUSES = (S.DRAFT, S.RETURNED)
    DECIDABLE_STATUSES = (S.PROVIDER_CONFIRMED, S.UNDER_REVIEW)
    GRANTED_STATUSES = (S.APPROVED, S.PARTLY_APPROVED, S.PUBLICISED, S.PAID)

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="applications", verbose_name=_("programme")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="subsidy_applications", verbose_name=_("applicant")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    project_name = models.CharField(_("R&D project"), max_length=200, blank=True)
    note = models.TextField(_("note to the bureau"), max_length=2000, blank=True)
    # The subsidy the applicant would receive after rates and caps, as computed at submission.
    requested_amount = models.DecimalField(_("requested (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)
    # What the ledger holds committed for this application now (0 before approval).
    approved_amount = models.DecimalField(_("approved (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)
    holder_key = models.CharField(_("cap holder"), max_length=30, blank=True, editable=False)
    decision_reason = models.TextField(_("reason for the decision"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    notice_from = models.DateField(_("on notice from"), null=True, blank=True)
    notice_until = models.DateField(_("on notice until"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        indexes = [models.Index(fields=["programme", "status"]), models.Index(fields=["unit", "programme"])]

    def __str__(self):
        return _("Application %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("subsidies:application_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"{self.programme.year}-{self.pk:05d}" if self.pk else "—"


class ApplicationLine(models.Model):
    """One claimed service: the fee paid, the rate that applies, the subsidy for it, and the
    provider's confirmation. ``subsidy`` is rounded half up to the fen once, here, per line; the
    application's total is the sum of its lines (then capped).

    ``live`` is true while the application holds the service record; a partial unique index keeps
    a service record in at most one live line."""

    class ProviderStatus(models.TextChoices):
        PENDING = "pending", _("Awaiting the provider")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="lines")
    service_record = models.ForeignKey(
        ServiceRecord, on_delete=models.PROTECT, related_name="subsidy_lines", verbose_name=_("service record")
    )
    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider unit"))
    fee = models.DecimalField(_("fee paid (yuan)"), **MONEY_FIELD)
    rate = models.DecimalField(_("rate"), **RATE_FIELD)
    subsidy = models.DecimalField(_("subsidy (yuan)"), **MONEY_FIELD)
    live = models.BooleanField(default=True, editable=False)
    provider_status = models.CharField(
        _("provider's confirmation"), max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.PENDING
    )
    provider_reason = models.TextField(_("provider's reason"), max_length=1000, blank=True)
    provider_decided_at = models.DateTimeField(_("confirmed or disputed at"), null=True, blank=True)
    provider_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or disputed by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("claimed service")
        verbose_name_plural = _("claimed services")
        constraints = [
            models.UniqueConstraint(
                fields=["service_record"], condition=Q(live=True), name="applicationline_one_live_claim"
            ),
        ]
        indexes = [models.Index(fields=["provider", "provider_status"])]

    def __str__(self):
        return f"{self.service_record_id}: {self.fee} × {self.rate} = {self.subsidy}"


def evidence_path(instance, filename):
    return f"subsidies/evidence/{instance.application_id}/{filename}"


class Evidence(models.Model):
    """A file the applicant attaches: an invoice (with its number), the test registration form,
    the project contract. PDF or image, checked by content on upload."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        REGISTRATION_FORM = "registration", _("Test registration form")
        CONTRACT = "contract", _("Project contract")
        OTHER = "other", _("Other")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path, storage=evidence_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        indexes = [models.Index(fields=["invoice_number"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self):
        return reverse("subsidies:evidence_file", args=[self.pk])
