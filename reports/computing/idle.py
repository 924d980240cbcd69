"""Idle and under-used instruments: below the under-use line (pro-rated) or unused for N months,
with their original value — the money sitting idle — most valuable first, so the bureau can act."""

import datetime as dt
from decimal import Decimal

from .base import RunContext, dec, num, ratio
from .usage import ZERO, active_fraction, instrument_use, last_services

COLUMNS = [
    ("instrument_id", "int"),
    ("instrument", "text"),
    ("model", "text"),
    ("unit", "text"),
    ("category", "text"),
    ("original_value", "wan"),
    ("effective_hours", "hours"),
    ("underuse_line", "hours"),
    ("utilisation", "rate"),
    ("last_service", "date"),
    ("idle", "bool"),
    ("under_used", "bool"),
]
BATCH = 2000


def idle_since(period_end: dt.datetime, months: int) -> dt.datetime:
    """The instant ``months`` months before the end of the period (same day of month, clamped)."""
    index = period_end.year * 12 + period_end.month - 1 - months
    year, month = index // 12, index % 12 + 1
    day = min(period_end.day, 28)
    return period_end.replace(year=year, month=month, day=day)


def compute(ctx: RunContext) -> None:
    ctx.progress(0, 3)
    start, end = ctx.bounds
    settings = ctx.settings
    line_per_year = settings.underuse_hours * ctx.period.year_fraction()
    since = idle_since(end, settings.idle_months)
    table = ctx.table("instruments", COLUMNS)
    counts = {"idle": 0, "under": 0}
    values = {"idle": ZERO, "under": ZERO}
    total = 0
    rows = instrument_use(ctx.period, ctx.scope, order_by=("-original_value", "pk"), people=False).iterator(
        chunk_size=BATCH
    )
    batch = []
    for row in rows:
        total += 1
        batch.append(row)
        if len(batch) >= BATCH:
            _write(ctx, table, batch, line_per_year, since, end, counts, values)
            batch = []
    _write(ctx, table, batch, line_per_year, since, end, counts, values)
    ctx.progress(2, 3)
    ctx.figure("instruments", total, "int")
    ctx.figure("underuse_line", num(line_per_year), "hours")
    ctx.figure("underused_instruments", counts["under"], "int")
    ctx.figure("underused_value", num(values["under"]), "wan")
    ctx.figure("idle_instruments", counts["idle"], "int")
    ctx.figure("idle_value", num(values["idle"]), "wan")
    ctx.notes.append(["idle_months", settings.idle_months])


def _write(ctx, table, batch, line_per_year, since, end, counts, values) -> None:
    """Write the idle and under-used instruments of one batch (one query for their last services)."""
    if not batch:
        return
    last = last_services([row["pk"] for row in batch], end)
    for row in batch:
        fraction = active_fraction(row, ctx.period)
        line = line_per_year * fraction
        effective = dec(row["effective"])
        under = effective < line
        last_at = last.get(row["pk"])
        commissioned = row["commissioned_on"]
        idle = (last_at is None or last_at < since) and commissioned < since.date()
        if not (under or idle):
            continue
        value = Decimal(row["original_value"])
        if under:
            counts["under"] += 1
            values["under"] += value
        if idle:
            counts["idle"] += 1
            values["idle"] += value
        ctx.row(
            table,
            [
                row["pk"],
                row["name"],
                row["model"],
                row["unit__name"],
                f"{row['category__code']} {row['category__name']}",
                num(value),
                num(effective),
                num(line),
                ratio(effective, ctx.settings.benchmark_hours * ctx.period.year_fraction() * fraction),
                last_at.astimezone(since.tzinfo).date().isoformat() if last_at else None,
                idle,
                under,
            ],
        )
