"""Provider rewards: a share of a provider unit's confirmed external service income in a programme."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import MONEY_FIELD
from members.models import Unit

from .choices import RATE_FIELD
from .programme import Programme


class ProviderReward(models.Model):
    """One provider unit's reward in one programme, computed at the programme's close and then
    reviewed like an application: approved in full or in part, or rejected; publicised; paid."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed, awaiting review")
        APPROVED = "approved", _("Approved")
        PARTLY_APPROVED = "partly_approved", _("Partly approved")
        REJECTED = "rejected", _("Rejected")
        PUBLICISED = "publicised", _("On public notice")
        PAID = "paid", _("Paid")
        CLAWED_BACK = "clawed_back", _("Clawed back")

    S = Status
    TRANSITIONS = {
        S.COMPUTED: {S.COMPUTED, S.APPROVED, S.PARTLY_APPROVED, S.REJECTED},
        S.APPROVED: {S.PUBLICISED, S.PARTLY_APPROVED, S.REJECTED},
        S.PARTLY_APPROVED: {S.PUBLICISED, S.PARTLY_APPROVED, S.REJECTED},
        S.PUBLICISED: {S.PAID, S.PARTLY_APPROVED, S.REJECTED},
        S.PAID: {S.CLAWED_BACK},
        S.REJECTED: set(),
        S.CLAWED_BACK: set(),
    }
    GRANTED_STATUSES = (S.APPROVED, S.PARTLY_APPROVED, S.PUBLICISED, S.PAID)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rewards")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="provider_rewards", verbose_name=_("provider")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.COMPUTED)
    external_income = models.DecimalField(_("confirmed external income (yuan)"), **MONEY_FIELD)
    services = models.PositiveIntegerField(_("confirmed services"), default=0)
    rate = models.DecimalField(_("rate"), **RATE_FIELD)
    computed_amount = models.DecimalField(_("computed reward (yuan)"), **MONEY_FIELD)
    approved_amount = models.DecimalField(_("approved (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)
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
    notice_from = models.DateField(_("on notice from"), null=True, blank=True)
    notice_until = models.DateField(_("on notice until"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "-computed_amount"]
        verbose_name = _("provider reward")
        verbose_name_plural = _("provider rewards")
        constraints = [models.UniqueConstraint(fields=["programme", "unit"], name="providerreward_one_per_unit")]

    def __str__(self):
        return f"{self.unit} · {self.programme}"

    @property
    def holder_key(self) -> str:
        return f"unit:{self.unit_id}"
