"""Choices and column settings shared by the subsidies models (DOMAIN.md §6)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# A rate as a fraction of the fee: 0.1000 is 10%.
RATE_FIELD = {
    "max_digits": 5,
    "decimal_places": 4,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
}


class Mode(models.TextChoices):
    REIMBURSEMENT = "reimbursement", _("Reimbursement (后补助)")
    VOUCHER = "voucher", _("Innovation voucher (创新券)")


class SettlementCycle(models.TextChoices):
    YEARLY = "yearly", _("Yearly")
    HALF_YEARLY = "half_yearly", _("Twice a year")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")


class TierCondition(models.TextChoices):
    """What earns a higher rate. Only the highest applicable rate counts (DOMAIN.md §6)."""

    HIGH_TECH = "high_tech", _("The applicant is a high-tech enterprise (高新技术企业)")
    LISTED = "listed", _("The applicant is on the programme's own list")
    PLAN_PROJECT = "plan_project", _("The service supports a government plan project")


class CounterKind(models.TextChoices):
    APPLICANT = "applicant", _("Applicant's cap")
    PROVIDER = "provider", _("Provider's reward cap")
