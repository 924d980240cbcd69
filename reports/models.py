"""Report runs (on the background-job base) with their rows, and the settings the figures use."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.jobs import BackgroundJob
from core.money import MONEY_FIELD
from instruments.models import Category
from members.models import Unit

RATE = {"max_digits": 5, "decimal_places": 4, "validators": [MinValueValidator(0), MaxValueValidator(1)]}
HOURS_FIELD = {"max_digits": 8, "decimal_places": 1, "validators": [MinValueValidator(0)]}


class ReportKind(models.TextChoices):
    UTILISATION = "utilisation", _("Utilisation")
    IDLE = "idle", _("Idle and under-used instruments")
    EVALUATION = "evaluation", _("Unit evaluation (开放共享评价)")
    PLATFORM = "platform", _("Platform figures")
    SUBSIDIES = "subsidies", _("Subsidy accounts")
    DATA_PACK = "data_pack", _("Yearly data pack")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom")


class ScopeKind(models.TextChoices):
    PLATFORM = "platform", _("Whole platform")
    DISTRICT = "district", _("District")
    CATEGORY = "category", _("Category")
    UNIT = "unit", _("Unit")
    INSTRUMENT = "instrument", _("Instrument")


class ReportRunQuerySet(models.QuerySet):
    def done(self):
        return self.filter(status=ReportRun.Status.DONE)

    def same_parameters(self, *, kind, period_start, period_end, scope_kind, scope_id):
        return self.filter(
            kind=kind, period_start=period_start, period_end=period_end, scope_kind=scope_kind, scope_id=scope_id
        )


class ReportRun(BackgroundJob):
    """One computation of a report over a period and a scope. The figures and charts are in
    ``result``; the tables' rows in ``ReportRow``; ``checksum`` is the SHA-256 of both, so the
    same parameters over unchanged data give the same checksum."""

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until (exclusive)"))
    scope_kind = models.CharField(_("scope"), max_length=12, choices=ScopeKind.choices, default=ScopeKind.PLATFORM)
    scope_id = models.PositiveBigIntegerField(_("scope id"), null=True, blank=True)
    scope_label = models.CharField(_("scope name"), max_length=200, blank=True)
    automatic = models.BooleanField(_("started by the schedule"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to="reports/", blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta(BackgroundJob.Meta):
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            *BackgroundJob.Meta.constraints,
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="reportrun_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["kind", "scope_kind", "scope_id", "period_start", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end} {self.scope_label}".strip()

    def get_absolute_url(self):
        return reverse("reports:run_detail", args=[self.pk])


class ReportRow(models.Model):
    """One row of one table of a run (``table``: "instruments", "units", …), values in column order."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="rows")
    table = models.CharField(max_length=30)
    position = models.PositiveIntegerField()
    values = models.JSONField()

    class Meta:
        ordering = ["run", "table", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "table", "position"], name="reportrow_unique_position")]

    def __str__(self):
        return f"{self.run_id} {self.table} {self.position}"


class ReportSettings(models.Model):
    """The lines and weights the reports use; one row (pk 1), edited by the bureau in the admin.

    The official weights of the open-sharing evaluation are unpublished (DOMAIN.md §5); the
    defaults are the portal's, documented in reports/README or the admin help texts."""

    benchmark_hours = models.DecimalField(
        _("benchmark hours per year"),
        default=Decimal("1600.0"),
        help_text=_(
            "Utilisation is effective hours ÷ this, pro-rated for shorter periods "
            "(DOMAIN.md §5: 1,600; Chongqing and the Ministry of Education use 1,400)."
        ),
        **HOURS_FIELD,
    )
    underuse_hours = models.DecimalField(
        _("under-use line (hours per year)"),
        default=Decimal("1200.0"),
        help_text=_("Below this an instrument is under-used (财科教〔2019〕1号), pro-rated for shorter periods."),
        **HOURS_FIELD,
    )
    idle_months = models.PositiveSmallIntegerField(
        _("idle after months without use"), default=6, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    large_instrument_value = models.DecimalField(
        _("large instrument from (yuan)"),
        default=Decimal("500000.00"),
        help_text=_(
            "Instruments at or above this original value are eligible for the unit evaluation "
            "(国发〔2014〕70号: 500,000)."
        ),
        **MONEY_FIELD,
    )
    purchase_review_value = models.DecimalField(
        _("duplicate-purchase review from (yuan)"),
        default=Decimal("2000000.00"),
        help_text=_("Purchases at or above this price need a duplicate-purchase review (nationally 2,000,000)."),
        **MONEY_FIELD,
    )
    weight_utilisation = models.DecimalField(
        _("weight: effective hours against the national average"), default=Decimal("0.2500"), **RATE
    )
    weight_external_hours = models.DecimalField(
        _("weight: external hours against the national average"), default=Decimal("0.2000"), **RATE
    )
    weight_participation = models.DecimalField(_("weight: participation rate"), default=Decimal("0.1500"), **RATE)
    weight_external_sharing = models.DecimalField(_("weight: external sharing rate"), default=Decimal("0.1500"), **RATE)
    weight_open = models.DecimalField(_("weight: open rate"), default=Decimal("0.1000"), **RATE)
    weight_normal_operation = models.DecimalField(_("weight: normal-operation rate"), default=Decimal("0.1000"), **RATE)
    weight_entry = models.DecimalField(_("weight: network entry rate"), default=Decimal("0.0500"), **RATE)
    grade_excellent = models.DecimalField(
        _("优秀 from score"), max_digits=5, decimal_places=2, default=Decimal("85.00")
    )
    grade_good = models.DecimalField(_("良好 from score"), max_digits=5, decimal_places=2, default=Decimal("70.00"))
    grade_pass = models.DecimalField(_("合格 from score"), max_digits=5, decimal_places=2, default=Decimal("60.00"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="reportsettings_single_row"),
            models.CheckConstraint(
                condition=Q(grade_excellent__gte=models.F("grade_good"), grade_good__gte=models.F("grade_pass")),
                name="reportsettings_grades_ordered",
            ),
        ]

    def __str__(self):
        return str(_("Report settings"))

    @classmethod
    def current(cls) -> "ReportSettings":
        return cls.objects.get_or_create(pk=1)[0]

    WEIGHTS = (
        "utilisation",
        "external_hours",
        "participation",
        "external_sharing",
        "open",
        "normal_operation",
        "entry",
    )

    def weights(self) -> dict[str, Decimal]:
        return {name: getattr(self, f"weight_{name}") for name in self.WEIGHTS}


class NationalAverage(models.Model):
    """Effective and external hours per instrument in a year, as the national network published them."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    effective_hours = models.DecimalField(_("effective hours per instrument"), **HOURS_FIELD)
    external_hours = models.DecimalField(_("external hours per instrument"), **HOURS_FIELD)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("national average")
        verbose_name_plural = _("national averages")

    def __str__(self):
        return f"{self.year}: {self.effective_hours} / {self.external_hours}"


class EligibleCount(models.Model):
    """How many instruments at or above the large-instrument value a unit owns in a year, from its
    asset census: the denominator of the network entry rate (registered ÷ all eligible). Without
    one, the entry rate counts the registered instruments as all of them."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    count = models.PositiveIntegerField(_("eligible instruments owned"))

    class Meta:
        ordering = ["-year", "unit"]
        verbose_name = _("eligible instrument count")
        verbose_name_plural = _("eligible instrument counts")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="eligiblecount_unique_unit_year")]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.count}"


class DuplicateReview(models.Model):
    """A duplicate-purchase review (查重评议): what a unit plans to buy, and what the portal found
    in the region on that day, kept as the dated record for the purchase file."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("instrument class")
    )
    name = models.CharField(_("instrument planned"), max_length=50)
    model = models.CharField(_("model / specification"), max_length=100, blank=True)
    specifications = models.TextField(_("key specifications"), max_length=500)
    price = models.DecimalField(
        _("planned price (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    result = models.JSONField(_("result"), default=dict)
    verdict = models.CharField(_("verdict"), max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("duplicate-purchase review")
        verbose_name_plural = _("duplicate-purchase reviews")

    def __str__(self):
        return f"{self.name} {self.model} ({self.unit})"

    def get_absolute_url(self):
        return reverse("reports:review_detail", args=[self.pk])
