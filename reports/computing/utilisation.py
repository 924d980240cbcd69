"""The utilisation report: per instrument in scope, rolled up by unit, category and district,
with the monthly hours, the utilisation bands and the top and bottom ten."""

import heapq
from collections import defaultdict
from decimal import Decimal

from instruments.models import Category
from members.models import District, Unit

from .base import RATE_STEP, RunContext, dec, num, ratio
from .usage import ZERO, active_fraction, group_use, instrument_use, monthly_hours, total_use

INSTRUMENT_COLUMNS = [
    ("instrument_id", "int"),
    ("instrument", "text"),
    ("model", "text"),
    ("unit", "text"),
    ("category", "text"),
    ("original_value", "wan"),
    ("benchmark_hours", "hours"),
    ("effective_hours", "hours"),
    ("external_hours", "hours"),
    ("sharing_rate", "rate"),
    ("utilisation", "rate"),
    ("services", "int"),
    ("internal_users", "int"),
    ("external_users", "int"),
    ("enterprises", "int"),
    ("external_income", "money"),
    ("rating", "rating"),
]
GROUP_COLUMNS = [
    ("name", "text"),
    ("instruments", "int"),
    ("benchmark_hours", "hours"),
    ("effective_hours", "hours"),
    ("external_hours", "hours"),
    ("sharing_rate", "rate"),
    ("utilisation", "rate"),
    ("services", "int"),
    ("internal_users", "int"),
    ("external_users", "int"),
    ("enterprises", "int"),
    ("external_income", "money"),
    ("rating", "rating"),
]
# Utilisation bands (lower bounds), as the bureau reads them.
BANDS = [
    ("band_0_25", Decimal("0")),
    ("band_25_50", Decimal("0.25")),
    ("band_50_75", Decimal("0.5")),
    ("band_75_100", Decimal("0.75")),
    ("band_100", Decimal("1")),
]


def benchmark_for(row: dict, ctx: RunContext, per_year: Decimal) -> Decimal:
    return per_year * ctx.period.year_fraction() * active_fraction(row, ctx.period)


def band_of(utilisation: Decimal) -> str:
    name = BANDS[0][0]
    for key, lower in BANDS:
        if utilisation >= lower:
            name = key
    return name


def compute(ctx: RunContext) -> None:
    ctx.progress(0, 5)
    instruments = ctx.table("instruments", INSTRUMENT_COLUMNS)
    benchmark_by = {"unit": defaultdict(Decimal), "district": defaultdict(Decimal), "category": defaultdict(Decimal)}
    count_by = {"unit": defaultdict(int), "district": defaultdict(int), "category": defaultdict(int)}
    bands = dict.fromkeys((key for key, _lower in BANDS), 0)
    top, bottom, total_benchmark, count = [], [], ZERO, 0
    per_year = ctx.settings.benchmark_hours
    for row in instrument_use(ctx.period, ctx.scope).iterator(chunk_size=2000):
        benchmark = benchmark_for(row, ctx, per_year)
        effective, external = dec(row["effective"]), dec(row["external"])
        utilisation = effective / benchmark if benchmark else ZERO
        keys = {"unit": row["unit_id"], "district": row["district_key"], "category": row["category__code"][:2]}
        for group, key in keys.items():
            benchmark_by[group][key] += benchmark
            count_by[group][key] += 1
        total_benchmark += benchmark
        count += 1
        bands[band_of(utilisation)] += 1
        label = f"{row['name']} {row['model']}".strip()
        entry = (utilisation.quantize(RATE_STEP), -row["pk"], row["pk"], label, row["unit__name"])
        _keep(top, entry)
        _keep(bottom, (-entry[0], row["pk"], row["pk"], label, row["unit__name"]))
        ctx.row(
            instruments,
            [
                row["pk"],
                row["name"],
                row["model"],
                row["unit__name"],
                f"{row['category__code']} {row['category__name']}",
                num(row["original_value"]),
                num(benchmark),
                num(effective),
                num(external),
                ratio(external, effective),
                ratio(effective, benchmark),
                row["services"],
                row["internal_users"],
                row["external_users"],
                row["enterprises"],
                num(row["external_income"] or 0),
                num(row["rating"]) if row["rating"] is not None else None,
            ],
        )
    ctx.progress(2, 5)
    names = _group_names(benchmark_by)
    for group in ("unit", "category", "district"):
        table = ctx.table(f"by_{group}", GROUP_COLUMNS)
        uses = {use["group_key"]: use for use in group_use(ctx.period, ctx.scope, group)}
        for key in sorted(count_by[group].keys() | uses.keys(), key=lambda k: (names[group].get(k, ""), str(k))):
            _group_row(
                ctx, table, names[group].get(key, "—"), count_by[group][key], benchmark_by[group][key], uses.get(key)
            )
    ctx.progress(3, 5)
    totals = total_use(ctx.period, ctx.scope)
    _figures(ctx, totals, count, total_benchmark)
    months = monthly_hours(ctx.period, ctx.scope)
    ctx.chart(
        "monthly_hours",
        "bar",
        [m[0] for m in months],
        [("effective_hours", [num(m[1]) for m in months]), ("external_hours", [num(m[2]) for m in months])],
    )
    ctx.chart(
        "utilisation_bands", "bar", [key for key, _lower in BANDS], [("instruments", [bands[k] for k, _ in BANDS])]
    )
    ctx.chart(
        "top_10",
        "hbar",
        [e[3] for e in sorted(top, reverse=True)],
        [("utilisation", [str(e[0]) for e in sorted(top, reverse=True)])],
    )
    ctx.chart(
        "bottom_10",
        "hbar",
        [e[3] for e in sorted(bottom, reverse=True)],
        [("utilisation", [str(-e[0]) for e in sorted(bottom, reverse=True)])],
    )
    ctx.progress(4, 5)


def _keep(heap: list, entry: tuple, *, size: int = 10) -> None:
    if len(heap) < size:
        heapq.heappush(heap, entry)
    elif entry > heap[0]:
        heapq.heapreplace(heap, entry)


def _group_names(benchmark_by) -> dict:
    units = dict(Unit.objects.filter(pk__in=list(benchmark_by["unit"])).values_list("pk", "name"))
    districts = dict(
        District.objects.filter(pk__in=[k for k in benchmark_by["district"] if k]).values_list("pk", "name")
    )
    categories = {
        code: f"{code} {name}"
        for code, name in Category.objects.filter(code__in=list(benchmark_by["category"])).values_list("code", "name")
    }
    return {"unit": units, "district": districts, "category": categories}


def _group_row(ctx, table, name, instruments, benchmark, use) -> None:
    use = use or {}
    effective, external = dec(use.get("effective")), dec(use.get("external"))
    ctx.row(
        table,
        [
            name,
            instruments,
            num(benchmark),
            num(effective),
            num(external),
            ratio(external, effective),
            ratio(effective, benchmark),
            use.get("services", 0),
            use.get("internal_users", 0),
            use.get("external_users", 0),
            use.get("enterprises", 0),
            num(use.get("external_income") or 0),
            num(use["rating"]) if use.get("rating") is not None else None,
        ],
    )


def _figures(ctx, totals, count, benchmark) -> None:
    effective, external = dec(totals["effective"]), dec(totals["external"])
    ctx.figure("instruments", count, "int")
    ctx.figure("benchmark_hours", num(benchmark), "hours")
    ctx.figure("effective_hours", num(effective), "hours")
    ctx.figure("external_hours", num(external), "hours")
    ctx.figure("sharing_rate", ratio(external, effective), "rate")
    ctx.figure("utilisation", ratio(effective, benchmark), "rate")
    ctx.figure("services", totals["services"], "int")
    ctx.figure("internal_users", totals["internal_users"], "int")
    ctx.figure("external_users", totals["external_users"], "int")
    ctx.figure("enterprises", totals["enterprises"], "int")
    ctx.figure("external_income", num(totals["external_income"] or 0), "money")
    ctx.figure("rating", num(totals["rating"]) if totals["rating"] is not None else None, "rating")
