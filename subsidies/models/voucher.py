"""Innovation vouchers (创新券): a quota granted before use, drawn on as services complete."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bookings.models import ServiceRecord
from core.money import MONEY_FIELD
from members.models import Unit

from .programme import Programme


class Voucher(models.Model):
    """An enterprise's voucher quota in a voucher-mode programme.

    ``quota`` is what the bureau granted (committed against the budget and the cap when granted);
    ``drawn`` what completed services have used of it. Services change ``drawn`` only under this
    row's lock, and a check constraint keeps it between 0 and the quota: a voucher is never
    overdrawn, whatever races. What is not drawn at ``valid_until`` is released (expiry)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        ACTIVE = "active", _("In use")
        EXHAUSTED = "exhausted", _("Used up")
        EXPIRED = "expired", _("Expired")
        REFUSED = "refused", _("Refused")

    S = Status
    TRANSITIONS = {
        S.REQUESTED: {S.GRANTED, S.REFUSED},
        S.GRANTED: {S.ACTIVE, S.EXHAUSTED, S.EXPIRED},
        S.ACTIVE: {S.ACTIVE, S.EXHAUSTED, S.EXPIRED},
        # A correction that gives money back makes an exhausted voucher usable again.
        S.EXHAUSTED: {S.ACTIVE, S.EXPIRED},
        S.EXPIRED: set(),
        S.REFUSED: set(),
    }
    USABLE_STATUSES = (S.GRANTED, S.ACTIVE)

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("programme")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("enterprise"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_amount = models.DecimalField(_("quota asked (yuan)"), **MONEY_FIELD)
    purpose = models.TextField(_("what the work is for"), max_length=1000)
    project_name = models.CharField(_("project"), max_length=200, blank=True)
    quota = models.DecimalField(_("quota granted (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)
    drawn = models.DecimalField(_("drawn (yuan)"), default=Decimal("0.00"), editable=False, **MONEY_FIELD)
    holder_key = models.CharField(_("cap holder"), max_length=30, blank=True, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # When the enterprise was told the voucher lapses in a month, and in a week (each once).
    reminded_month_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_week_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["drawn", "reminded_month_at", "reminded_week_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("innovation voucher")
        verbose_name_plural = _("innovation vouchers")
        constraints = [
            models.CheckConstraint(condition=Q(drawn__gte=0), name="voucher_drawn_not_negative"),
            models.CheckConstraint(condition=Q(drawn__lte=F("quota")), name="voucher_within_quota"),
        ]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status", "valid_until"])]

    def __str__(self):
        return _("Voucher %(number)s") % {"number": self.number}

    @property
    def number(self) -> str:
        return f"V{self.programme.year}-{self.pk:05d}" if self.pk else "—"

    @property
    def remaining(self) -> Decimal:
        return self.quota - self.drawn


class VoucherDraw(models.Model):
    """What one completed service drew from a voucher: the voucher's share of the charged amount,
    never more than the balance. A service record is drawn on at most one voucher (unique), and
    never also claimed in a reimbursement application (a PostgreSQL trigger and the services)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="draws", verbose_name=_("voucher"))
    service_record = models.OneToOneField(
        ServiceRecord, on_delete=models.PROTECT, related_name="voucher_draw", verbose_name=_("service record")
    )
    charged = models.DecimalField(_("charged (yuan)"), **MONEY_FIELD)
    share = models.DecimalField(_("voucher share (yuan)"), **MONEY_FIELD)
    amount = models.DecimalField(_("paid by voucher (yuan)"), **MONEY_FIELD)
    note = models.CharField(_("note"), max_length=200, blank=True)
    revision = models.PositiveSmallIntegerField(default=1, editable=False)
    # The redemption claim of the provider that includes this draw (none while unclaimed).
    redemption = models.ForeignKey(
        "VoucherRedemption", on_delete=models.SET_NULL, null=True, blank=True, related_name="draws"
    )
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("voucher draw")
        verbose_name_plural = _("voucher draws")
        constraints = [
            models.CheckConstraint(condition=Q(amount__lte=F("charged")), name="voucherdraw_within_charge"),
        ]

    def __str__(self):
        return f"{self.voucher_id}: {self.amount}"

    @property
    def paid_by_user(self) -> Decimal:
        return self.charged - self.amount


class VoucherRedemption(models.Model):
    """A provider unit's claim for the voucher-paid part of its services in one settlement period
    (Shanghai: quarterly; Shandong: monthly), reviewed, publicised and paid like an application."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        RETURNED = "returned", _("Returned for more information")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PUBLICISED = "publicised", _("On public notice")
        PAID = "paid", _("Paid")

    S = Status
    TRANSITIONS = {
        S.DRAFT: {S.SUBMITTED},
        S.SUBMITTED: {S.UNDER_REVIEW, S.RETURNED, S.APPROVED, S.REJECTED},
        S.UNDER_REVIEW: {S.RETURNED, S.APPROVED, S.REJECTED},
        S.RETURNED: {S.SUBMITTED},
        S.APPROVED: {S.PUBLICISED, S.REJECTED},
        S.PUBLICISED: {S.PAID, S.REJECTED},
        S.PAID: set(),
        S.REJECTED: set(),
    }

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("programme")
    )
    provider = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="voucher_redemptions", verbose_name=_("provider unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.DRAFT)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    amount = models.DecimalField(_("voucher-paid amount (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)
    services = models.PositiveIntegerField(_("services"), default=0)
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

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("voucher redemption")
        verbose_name_plural = _("voucher redemptions")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="redemption_period_ordered"),
        ]

    def __str__(self):
        return _("Redemption %(number)s") % {"number": self.number}

    @property
    def number(self) -> str:
        return f"R{self.programme.year}-{self.pk:05d}" if self.pk else "—"
