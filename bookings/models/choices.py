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


class ServicePurpose(models.TextChoices):
    """What the service was for: subsidies count research and development only (DOMAIN.md §6)."""

    RD = "rd", _("Research and development (研发)")
    CERTIFICATION = "certification", _("Statutory certification (法定认证)")
    ENFORCEMENT = "enforcement", _("Enforcement inspection (执法检验)")
    COMMERCIAL = "commercial", _("Commercial goods inspection (商品检验)")
    MEDICAL = "medical", _("Medical services (医疗服务)")
