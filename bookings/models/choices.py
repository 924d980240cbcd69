"""Choices and column settings shared by the bookings models (DOMAIN.md §4)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
