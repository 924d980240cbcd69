"""The utilisation report: per instrument in scope, rolled up by unit, category and district,
with the monthly hours, the utilisation bands and the top and bottom ten."""

import heapq
from collections import defaultdict
from decimal import Decimal

from instruments.models import Category
from members.models import District, Unit

from .base import RATE_STEP, RunContext, dec, num, ratio
from .usage import MEASURES, ZERO, active_fraction, instrument_rows, monthly_use, use_levels

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
    """One pass over the period's records (``usage.use_levels``) gives every figure; the
    instruments' own rows are joined to it here, in pk order, as both stream."""
    ctx.progress(0, 5)
    instruments = ctx.table("instruments", INSTRUMENT_COLUMNS)
    benchmark_by = {"unit": defaultdict(Decimal), "district": defaultdict(Decimal), "category": defaultdict(Decimal)}
    count_by = {"unit": defaultdict(int), "district": defaultdict(int), "category": defaultdict(int)}
    bands = dict.fromkeys((key for key, _lower in BANDS), 0)
    top, bottom, total_benchmark, count = [], [], ZERO, 0
    per_year = ctx.settings.benchmark_hours
    levels = use_levels(ctx.period, ctx.scope)
    use = next(levels, None)
    for row in instrument_rows(ctx.period, ctx.scope).iterator(chunk_size=2000):
        while use is not None and use["level"] == "instrument" and use["key"] < row["pk"]:
            use = next(levels, None)  # records of an instrument out of the list (none expected)
        mine = use if use is not None and use["level"] == "instrument" and use["key"] == row["pk"] else EMPTY
        benchmark = benchmark_for(row, ctx, per_year)
        effective, external = dec(mine["effective"]), dec(mine["external"])
        utilisation = effective / benchmark if benchmark else ZERO
        keys = {"unit": row["unit_id"], "district": row["district_key"], "category": row["category__code"][:2]}
        for group, key in keys.items():
            benchmark_by[group][key] += benchmark
            count_by[group][key] += 1
        total_benchmark += benchmark
        count += 1
        bands[band_of(utilisation)] += 1
        label = f"{row['name']} {row['model']}".strip()
        _keep(top, (utilisation.quantize(RATE_STEP), -row["pk"], row["pk"], label, row["unit__name"]))
        _keep(bottom, (-utilisation.quantize(RATE_STEP), row["pk"], row["pk"], label, row["unit__name"]))
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
                *_people(mine),
                num(mine["external_income"] or 0),
                _rating(mine),
            ],
        )
        if mine is not EMPTY:
            use = next(levels, None)
    ctx.progress(2, 5)
    while use is not None and use["level"] == "instrument":
        use = next(levels, None)
    uses = {"unit": {}, "district": {}, "category": {}}
    totals = EMPTY
    while use is not None:
        if use["level"] == "total":
            totals = use
        else:
            uses[use["level"]][use["key"]] = use
        use = next(levels, None)
    names = _group_names(benchmark_by)
    for group in ("unit", "category", "district"):
        table = ctx.table(f"by_{group}", GROUP_COLUMNS)
        for key in sorted(count_by[group].keys() | uses[group].keys(), key=lambda k: (names[group].get(k, ""), str(k))):
            _group_row(
                ctx,
                table,
                names[group].get(key, "—"),
                count_by[group][key],
                benchmark_by[group][key],
                uses[group].get(key),
            )
    ctx.progress(3, 5)
    _figures(ctx, totals, count, total_benchmark)
    monthly = monthly_use(ctx.period, ctx.scope)
    ctx.chart(
        "monthly_hours",
        "bar",
        [f"{month:%Y-%m}" for month, _e, _x, _n in monthly],
        [
            ("effective_hours", [num(e) for _m, e, _x, _n in monthly]),
            ("external_hours", [num(x) for _m, _e, x, _n in monthly]),
        ],
    )
    ctx.chart(
        "utilisation_bands", "bar", [key for key, _lower in BANDS], [("instruments", [bands[k] for k, _ in BANDS])]
    )
    ranked = sorted(top, reverse=True)
    ctx.chart("top_10", "hbar", [e[3] for e in ranked], [("utilisation", [str(e[0]) for e in ranked])])
    ranked = sorted(bottom, reverse=True)
    ctx.chart("bottom_10", "hbar", [e[3] for e in ranked], [("utilisation", [str(-e[0]) for e in ranked])])
    ctx.progress(4, 5)


EMPTY = dict.fromkeys(MEASURES) | {
    "services": 0,
    "external_services": 0,
    "internal_users": 0,
    "external_users": 0,
    "enterprises": 0,
    "months": None,
}


def _people(use) -> list:
    return [use["services"] or 0, use["internal_users"] or 0, use["external_users"] or 0, use["enterprises"] or 0]


def _rating(use) -> str | None:
    if not use.get("rating_n"):
        return None
    return num(Decimal(str(use["rating_sum"])) / Decimal(use["rating_n"]))


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
    use = use or EMPTY
    effective, external = dec(use["effective"]), dec(use["external"])
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
            *_people(use),
            num(use["external_income"] or 0),
            _rating(use),
        ],
    )


def _figures(ctx, totals, count, benchmark) -> None:
    effective, external = dec(totals["effective"]), dec(totals["external"])
    people = _people(totals)
    ctx.figure("instruments", count, "int")
    ctx.figure("benchmark_hours", num(benchmark), "hours")
    ctx.figure("effective_hours", num(effective), "hours")
    ctx.figure("external_hours", num(external), "hours")
    ctx.figure("sharing_rate", ratio(external, effective), "rate")
    ctx.figure("utilisation", ratio(effective, benchmark), "rate")
    ctx.figure("services", people[0], "int")
    ctx.figure("internal_users", people[1], "int")
    ctx.figure("external_users", people[2], "int")
    ctx.figure("enterprises", people[3], "int")
    ctx.figure("external_income", num(totals["external_income"] or 0), "money")
    ctx.figure("rating", _rating(totals), "rating")
