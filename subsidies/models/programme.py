"""Subsidy programmes: their rules (every value a setting), tier rates and the budget counter."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import MONEY_FIELD
from core.punctuation import aside, labelled
from members.models import Unit

from .choices import RATE_FIELD, CounterKind, Mode, SettlementCycle, TierCondition


def default_excluded_purposes():
    return ["certification", "enforcement", "commercial", "medical"]


class ProgrammeQuerySet(models.QuerySet):
    def open_on(self, day):
        """Programmes that accept applications on ``day``."""
        return self.filter(applies_from__lte=day, applies_until__gte=day)


BY_HAND = "by hand"  # a programme made without a preset, as its history row says


class Programme(models.Model):
    """A subsidy programme of the bureau for one year: who may claim, for which services, at which
    rates, up to which caps, from which budget.

    ``committed`` is the budget counter: the sum of what the ledger has committed and not
    released or clawed back. Services change it only under this row's lock, and a check constraint
    keeps it between 0 and the budget, so concurrent approvals can never overspend.
    """

    name = models.CharField(_("name"), max_length=100)
    mode = models.CharField(_("mode"), max_length=15, choices=Mode.choices, default=Mode.REIMBURSEMENT)
    year = models.PositiveSmallIntegerField(_("year"))
    services_from = models.DateField(_("services from"), help_text=_("First day of the services that count."))
    services_until = models.DateField(_("services until"), help_text=_("Last day of the services that count."))
    applies_from = models.DateField(_("applications from"))
    applies_until = models.DateField(_("applications until"))
    budget = models.DecimalField(_("total budget (yuan)"), **MONEY_FIELD)
    committed = models.DecimalField(_("committed (yuan)"), default=Decimal("0.00"), editable=False, **MONEY_FIELD)

    base_rate = models.DecimalField(
        _("user subsidy rate"), help_text=_("0.1000 means 10 per cent of the fee."), **RATE_FIELD
    )
    listed_units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("the programme's own list of enterprises")
    )
    cap_per_application = models.DecimalField(
        _("cap per application (yuan)"), null=True, blank=True, help_text=_("Empty: no cap."), **MONEY_FIELD
    )
    cap_per_enterprise = models.DecimalField(
        _("cap per enterprise per year (yuan)"), null=True, blank=True, help_text=_("Empty: no cap."), **MONEY_FIELD
    )
    cap_counts_group = models.BooleanField(
        _("count the cap across a group of related units"),
        default=True,
        help_text=_("Units under one actual controller (实际控制人) share one cap."),
    )
    provider_reward_rate = models.DecimalField(
        _("provider reward rate"), null=True, blank=True, help_text=_("Empty: no provider rewards."), **RATE_FIELD
    )
    provider_reward_cap = models.DecimalField(
        _("provider reward cap per unit per year (yuan)"), null=True, blank=True, **MONEY_FIELD
    )
    eligible_unit_types = models.JSONField(_("eligible unit types"), default=list, blank=True)
    eligible_scales = models.JSONField(_("eligible enterprise scales"), default=list, blank=True)
    eligible_service_ways = models.JSONField(_("eligible service ways"), default=list, blank=True)
    excluded_purposes = models.JSONField(_("excluded service purposes"), default=default_excluded_purposes, blank=True)
    min_instrument_value = models.DecimalField(
        _("minimum instrument value (yuan)"), default=Decimal("0.00"), **MONEY_FIELD
    )
    providers_in_region = models.BooleanField(_("providers must be in the region"), default=True)
    region_city = models.CharField(
        _("region (city)"),
        max_length=30,
        blank=True,
        help_text=_("An instrument installed in another city is outside the region; empty: the platform's city."),
    )
    settlement_cycle = models.CharField(
        _("settlement cycle"), max_length=12, choices=SettlementCycle.choices, default=SettlementCycle.YEARLY
    )
    notice_days = models.PositiveSmallIntegerField(_("public notice (days)"), default=7)
    voucher_validity_days = models.PositiveSmallIntegerField(
        _("vouchers valid for (days)"),
        null=True,
        blank=True,
        help_text=_("Voucher mode: days from the grant until what is not drawn lapses."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["committed"])

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("subsidy programme")
        verbose_name_plural = _("subsidy programmes")
        permissions = [
            ("decide_application", _("Can approve, return or reject subsidy applications and rewards")),
            ("pay_application", _("Can mark subsidies paid or claw them back")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(committed__gte=0), name="programme_committed_not_negative"),
            models.CheckConstraint(condition=Q(committed__lte=F("budget")), name="programme_within_budget"),
            models.CheckConstraint(
                condition=Q(services_until__gte=F("services_from")), name="programme_services_ordered"
            ),
            models.CheckConstraint(condition=Q(applies_until__gte=F("applies_from")), name="programme_applies_ordered"),
        ]

    def __str__(self):
        return f"{self.name}{aside(self.year)}"

    @staticmethod
    def reason_note(rest: str) -> str:
        """How the admin's history shows "created: <preset>": the preset's name, or "by hand"
        (core.transitions.history_note); the preset table is read only then."""
        from ..presets import PRESETS

        if rest == BY_HAND:
            return str(_("by hand"))
        preset = PRESETS.get(rest)
        return str(preset["label"]) if preset else rest

    @property
    def remaining_budget(self) -> Decimal:
        return self.budget - self.committed

    @property
    def region(self) -> str:
        return self.region_city or settings.PLATFORM_CITY


class TierRule(models.Model):
    """A higher user rate for applicants or services that meet a condition."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tiers")
    condition = models.CharField(_("condition"), max_length=15, choices=TierCondition.choices)
    rate = models.DecimalField(_("rate"), **RATE_FIELD)

    class Meta:
        ordering = ["-rate"]
        verbose_name = _("higher rate")
        verbose_name_plural = _("higher rates")
        constraints = [models.UniqueConstraint(fields=["programme", "condition"], name="tier_one_per_condition")]

    def __str__(self):
        return labelled(self.get_condition_display(), f"{self.rate:%}")


class CapCounter(models.Model):
    """What one cap holder has been granted in a programme: an applicant (a unit, or a group of
    related units under one controller) or a provider (its rewards).

    ``cap`` is copied from the programme when the row is made (and kept in step when the bureau
    edits the programme), so one check constraint on this row keeps ``granted`` within the cap."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="counters")
    kind = models.CharField(_("kind"), max_length=10, choices=CounterKind.choices)
    holder_key = models.CharField(_("holder"), max_length=30, help_text=_("unit:<id> or group:<id>"))
    cap = models.DecimalField(_("cap (yuan)"), null=True, blank=True, **MONEY_FIELD)
    granted = models.DecimalField(_("granted (yuan)"), default=Decimal("0.00"), **MONEY_FIELD)

    class Meta:
        ordering = ["programme", "kind", "holder_key"]
        verbose_name = _("cap counter")
        verbose_name_plural = _("cap counters")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind", "holder_key"], name="capcounter_unique_holder"),
            models.CheckConstraint(condition=Q(granted__gte=0), name="capcounter_not_negative"),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(granted__lte=F("cap")), name="capcounter_within_cap"
            ),
        ]

    def __str__(self):
        return f"{self.programme_id} {self.kind} {self.holder_key}: {self.granted}"

    @property
    def remaining(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.granted
