"""SQL building blocks the reports share: seconds since the epoch, and a service's hours that
fall inside a period (a service spanning two periods is split by its hours, in proportion to
the time it ran in each), written once for PostgreSQL and SQLite."""

import contextlib
import datetime as dt

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Case, DateTimeField, DecimalField, ExpressionWrapper, F, Func, Q, Value, When
from django.db.models.functions import Greatest, Least

PRECISE = DecimalField(max_digits=24, decimal_places=6)


class EpochSeconds(Func):
    """Seconds since 1970-01-01 UTC of a timestamp (numeric on PostgreSQL, real on SQLite)."""

    output_field = PRECISE

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


def instant(value: dt.datetime) -> Value:
    return Value(value, output_field=DateTimeField())


def in_period_q(start: dt.datetime, end: dt.datetime, prefix: str = "") -> Q:
    """Records that ran at some time inside [start, end), and instantaneous ones started in it
    (one ending exactly at ``start`` is included with no hours inside). Both bounds are indexed
    (``started_at`` and ``ended_at``), so a period reads its own records, not the whole history."""
    return Q(**{f"{prefix}started_at__lt": end, f"{prefix}ended_at__gte": start})


def started_in_q(start: dt.datetime, end: dt.datetime, prefix: str = "") -> Q:
    """Records whose service began in [start, end): what counts, earns and is rated in a period."""
    return Q(**{f"{prefix}started_at__gte": start, f"{prefix}started_at__lt": end})


def hours_in_period(start: dt.datetime, end: dt.datetime, prefix: str = ""):
    """The part of a record's hours inside [start, end): hours × (time inside ÷ time it ran).

    A record with no duration (only a date) counts whole in the period it started in. The caller
    restricts the rows to ``in_period_q`` (the expression assumes an overlap). A record wholly
    inside the period (nearly all of them) counts whole without the division, which is exact
    and spares the arithmetic on timestamps for every such row."""
    started, ended, hours = F(f"{prefix}started_at"), F(f"{prefix}ended_at"), F(f"{prefix}hours")
    inside = EpochSeconds(Least(ended, instant(end))) - EpochSeconds(Greatest(started, instant(start)))
    ran = EpochSeconds(ended) - EpochSeconds(started)
    return Case(
        When(
            Q(**{f"{prefix}started_at__gte": start, f"{prefix}ended_at__lte": end}),
            then=ExpressionWrapper(hours * Value(1), output_field=PRECISE),
        ),
        When(
            Q(**{f"{prefix}ended_at__gt": F(f"{prefix}started_at")}),
            then=ExpressionWrapper(hours * inside / ran, output_field=PRECISE),
        ),
        When(started_in_q(start, end, prefix), then=ExpressionWrapper(hours * Value(1), output_field=PRECISE)),
        default=Value(0, output_field=PRECISE),
        output_field=PRECISE,
    )


@contextlib.contextmanager
def analytic_session(alias: str):
    """The report's reads on PostgreSQL with the session tuned for a few large aggregates: more
    memory per sort and hash (``REPORTS_WORK_MEM``: the grouping of a year's records then stays
    in memory instead of spilling to disk) and no JIT (its compilation costs more than it saves
    on the report's queries, each run once). Restored afterwards: a worker's connection serves
    other tasks too. Nothing changes on SQLite."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, false), set_config('jit', 'off', false)", [settings.REPORTS_WORK_MEM]
        )
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET work_mem; RESET jit")
