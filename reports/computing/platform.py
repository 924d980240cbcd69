"""Platform figures: what city platforms publish ("617 services for 178 enterprises, 2.73 million
yuan; subsidies of 200,000 yuan"), with services by month and original value by category.

Subsidies granted are the ledger's net commitments made in the period (commitments and voucher
grants less releases, clawbacks and expiries); subsidies paid the payments and voucher redemptions
paid less clawbacks. They are platform-wide figures, given for the platform scope only."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from instruments.models import Category, Instrument
from members.models import Unit
from subsidies.models import LedgerEntry
from subsidies.services.ledger import ledger_totals

from ..models import ScopeKind
from .base import RunContext, num
from .usage import instruments_in_period_q, monthly_use, use_levels


def compute(ctx: RunContext) -> None:
    ctx.progress(0, 4)
    start, end = ctx.bounds
    units = Unit.objects.filter(ctx.scope.unit_q(), status=Unit.Status.APPROVED, created_at__lt=end).distinct()
    instruments = Instrument.objects.filter(ctx.scope.instrument_q(), instruments_in_period_q(ctx.period))
    registry = instruments.aggregate(count=Count("pk"), value=Sum("original_value"))
    (use,) = use_levels(ctx.period, ctx.scope, levels=("total",))
    ctx.progress(1, 4)
    ctx.figure("units", units.count(), "int")
    ctx.figure("instruments", registry["count"], "int")
    ctx.figure("total_value", num(registry["value"] or 0), "wan")
    ctx.figure("services", use["services"], "int")
    ctx.figure("enterprises", use["enterprises"], "int")
    ctx.figure("income", num(use["income"] or 0), "wan")
    ctx.figure("external_income", num(use["external_income"] or 0), "wan")
    if ctx.scope.kind == ScopeKind.PLATFORM:
        totals = ledger_totals(LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end))
        ctx.figure("subsidies_granted", num(totals["committed"]), "money")
        ctx.figure("subsidies_paid", num(totals["paid"]), "money")
    ctx.progress(2, 4)
    months = monthly_use(ctx.period, ctx.scope)
    ctx.chart("monthly_services", "bar", [f"{m[0]:%Y-%m}" for m in months], [("services", [m[3] for m in months])])
    by_category = (
        instruments.annotate(main=Substr("category__code", 1, 2))
        .values("main")
        .annotate(value=Sum("original_value"))
        .order_by("main")
    )
    values = [(row["main"], row["value"] or Decimal(0)) for row in by_category if row["value"]]
    names = dict(Category.objects.filter(code__in=[code for code, _value in values]).values_list("code", "name"))
    ctx.chart(
        "value_by_category",
        "hbar",
        [f"{code} {names.get(code, '')}".strip() for code, _value in values],
        [("original_value", [num(value) for _code, value in values])],
    )
    ctx.progress(3, 4)
