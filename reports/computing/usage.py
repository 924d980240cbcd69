"""Per-instrument and grouped use of instruments in a period, aggregated by the database.

Every figure comes from one grouped query over the service records of the period; Python only
reads the aggregated rows (one per instrument or per group) as they stream, so memory does not
grow with the number of service records. Conventions (DOMAIN.md §5):

- effective hours: every service's hours inside the period (split by time when it spans two);
- external hours: the same for services whose user's unit is not the owner unit;
- services, users, income and ratings count the services that began in the period;
- an instrument counts from its commissioning day until its retirement, and its benchmark hours
  are pro-rated to that part of the period.
"""

import datetime as dt
from decimal import Decimal

from django.db import connections, router
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Collate, Concat
from django.utils import timezone

from bookings.models import ServiceRecord
from instruments.models import Category, Instrument
from members.models import Unit

from .sql import PRECISE, EpochSeconds, hours_in_period, in_period_q, instant, started_in_q

ZERO = Decimal(0)


def instruments_in_period_q(period, prefix: str = "") -> Q:
    """Instruments in service at some time in the period: commissioned before its end, and not
    retired before its start."""
    start, _end = period.bounds()
    return Q(**{f"{prefix}commissioned_on__lt": period.end}) & (
        Q(**{f"{prefix}retired_at__isnull": True}) | Q(**{f"{prefix}retired_at__gt": start})
    )


def _user_key(prefix: str):
    """Who was served: the platform user when known, else the name and unit the record gives."""
    # Not Coalesce(Concat("u", user_id), …): Concat turns a NULL part into "", so every record
    # without a platform user would be the one user "u".
    return Case(
        When(**{f"{prefix}user_id__isnull": False}, then=Concat(Value("u"), Cast(F(f"{prefix}user_id"), CharField()))),
        default=Concat(Value("n"), F(f"{prefix}user_name"), Value("|"), F(f"{prefix}user_unit_name")),
        output_field=CharField(),
    )


def use_aggregates(period, prefix: str = "") -> dict:
    """The aggregate expressions of use over rows of service records reached by ``prefix``."""
    start, end = period.bounds()
    began = started_in_q(start, end, prefix)
    external = Q(**{f"{prefix}is_external": True})
    hours = hours_in_period(start, end, prefix)
    row = F(f"{prefix}pk")
    return {
        "effective": Sum(hours),
        "external": Sum(hours, filter=external),
        "services": Count(row, filter=began),
        "external_services": Count(row, filter=began & external),
        "internal_users": Count(_user_key(prefix), distinct=True, filter=began & ~external),
        "external_users": Count(_user_key(prefix), distinct=True, filter=began & external),
        "enterprises": Count(
            f"{prefix}user_unit",
            distinct=True,
            filter=began & external & Q(**{f"{prefix}user_unit__unit_type": Unit.Type.ENTERPRISE}),
        ),
        "income": Sum(f"{prefix}amount", filter=began),
        "external_income": Sum(f"{prefix}amount", filter=began & external),
        "rating": Avg(f"{prefix}rating", filter=began),
    }


INSTRUMENT_FIELDS = (
    "pk",
    "name",
    "model",
    "original_value",
    "operating_status",
    "sharing_mode",
    "commissioned_on",
    "retired_at",
    "unit_id",
    "unit__name",
    "category__code",
    "category__name",
    "district_key",
)


PEOPLE = ("internal_users", "external_users", "enterprises", "rating", "income", "external_income")


def instrument_use(period, scope, *, order_by=("pk",), extra_filter: Q | None = None, people: bool = True):
    """One row (a dict) per instrument in scope and in service in the period, with its use.

    Instruments without any service in the period are there, with zero hours (a LEFT JOIN on
    the period's records). Without ``people``, the counts of people served, the income and the
    rating are left out (their distinct counts are the dearest part)."""
    start, end = period.bounds()
    aggregates = use_aggregates(period, "period_records__")
    if not people:
        aggregates = {name: value for name, value in aggregates.items() if name not in PEOPLE}
    queryset = (
        Instrument.objects.filter(scope.instrument_q(), instruments_in_period_q(period))
        .annotate(
            period_records=FilteredRelation("service_records", condition=in_period_q(start, end, "service_records__")),
            district_key=Coalesce("district_id", "unit__district_id"),
        )
        .filter(extra_filter or Q())
        .values(*INSTRUMENT_FIELDS)
        .annotate(**aggregates)
        .order_by(*order_by)
    )
    return queryset


def active_fraction(row: dict, period) -> Decimal:
    """The part of the period the instrument was in service (commissioning to retirement)."""
    start, end = period.bounds()
    tz = timezone.get_default_timezone()
    commissioned = dt.datetime.combine(row["commissioned_on"], dt.time.min, tzinfo=tz)
    active_start = max(start, commissioned)
    active_end = min(end, row["retired_at"] or end)
    if active_end <= active_start:
        return ZERO
    return Decimal(int((active_end - active_start).total_seconds())) / Decimal(int((end - start).total_seconds()))


def last_services(instrument_ids, before: dt.datetime) -> dict:
    """The start of the latest service before ``before`` of each instrument, one query."""
    return dict(
        ServiceRecord.objects.filter(instrument_id__in=instrument_ids, started_at__lt=before)
        .order_by()
        .values_list("instrument_id")
        .annotate(last=Max("started_at"))
    )


# --- Everything in one pass ---------------------------------------------------------------------

LEVELS = {"a": "instrument", "b": "unit", "c": "district", "d": "category", "e": "total"}
ALL_LEVELS = tuple(LEVELS.values())
MEASURES = (
    "effective",
    "external",
    "services",
    "external_services",
    "internal_users",
    "external_users",
    "enterprises",
    "income",
    "external_income",
    "rating_sum",
    "rating_n",
)

COUNTS = ("services", "external_services", "internal_users", "external_users", "enterprises", "rating_n")


def _pairs(period, scope, vendor: str = "postgresql"):
    """The period's service records folded into one row per instrument and person served (and
    whether external, and the enterprise unit served): their hours inside the period, services
    begun, income and ratings. Every distinct count of people then reads these rows, far fewer
    than the records (a person comes back to the same instrument); where the instrument is and
    what it is are joined to them afterwards (``_PLACED``), not to every record."""
    start, end = period.bounds()
    began = started_in_q(start, end)
    hours = hours_in_period(start, end)
    return (
        ServiceRecord.objects.filter(
            in_period_q(start, end), scope.instrument_q("instrument__"), instruments_in_period_q(period, "instrument__")
        )
        .annotate(
            k_instrument=F("instrument_id"),
            # Compared byte for byte: the person's key is an identity, not text to sort for people
            # (PostgreSQL's locale collation would make every grouping and distinct count slower).
            k_who=Collate(_user_key(""), "C" if vendor == "postgresql" else "BINARY"),
            k_external=F("is_external"),
            k_enterprise=Case(When(user_unit__unit_type=Unit.Type.ENTERPRISE, then=F("user_unit_id"))),
        )
        .values("k_instrument", "k_who", "k_external", "k_enterprise")
        .annotate(
            p_hours=Sum(hours),
            p_services=Count("pk", filter=began),
            p_income=Sum("amount", filter=began),
            p_rating_sum=Sum("rating", filter=began),
            p_rating_n=Count("rating", filter=began),
        )
        .order_by()
    )


def _placed_sql() -> str:
    """The pairs with their instrument's unit, district (its own, else its unit's) and 大类."""
    instrument, unit, category = Instrument._meta.db_table, Unit._meta.db_table, Category._meta.db_table
    return (
        "SELECT pairs.*, i.unit_id AS k_unit, COALESCE(i.district_id, u.district_id) AS k_district, "  # noqa: S608
        f"SUBSTR(c.code, 1, 2) AS k_category FROM pairs JOIN {instrument} i ON i.id = pairs.k_instrument "
        f"JOIN {unit} u ON u.id = i.unit_id JOIN {category} c ON c.id = i.category_id"
    )


def _level_select(level: str, key_int: str, key_text: str, source: str = "pairs") -> str:
    began = "p_services > 0"
    group = f" GROUP BY {key_int or key_text}" if (key_int or key_text) else ""
    # Only the module's own constants are put into the text; the values are parameters.
    return (
        f"SELECT '{level}' AS level, {key_int or 'CAST(NULL AS BIGINT)'} AS key_int, "  # noqa: S608
        f"{key_text or 'CAST(NULL AS VARCHAR(6))'} AS key_text, "
        "SUM(p_hours) AS effective, "
        "SUM(CASE WHEN k_external THEN p_hours ELSE 0 END) AS external, "
        "SUM(p_services) AS services, "
        "SUM(CASE WHEN k_external THEN p_services ELSE 0 END) AS external_services, "
        f"COUNT(DISTINCT CASE WHEN {began} AND NOT k_external THEN k_who END) AS internal_users, "
        f"COUNT(DISTINCT CASE WHEN {began} AND k_external THEN k_who END) AS external_users, "
        f"COUNT(DISTINCT CASE WHEN {began} AND k_external THEN k_enterprise END) AS enterprises, "
        "SUM(p_income) AS income, "
        "SUM(CASE WHEN k_external THEN p_income ELSE 0 END) AS external_income, "
        "SUM(p_rating_sum) AS rating_sum, SUM(p_rating_n) AS rating_n"
        f" FROM {source}{group}"
    )


_LEVEL_SELECTS = {
    "instrument": ("a", "k_instrument", "", "pairs"),
    "unit": ("b", "k_unit", "", "placed"),
    "district": ("c", "k_district", "", "placed"),
    "category": ("d", "", "k_category", "placed"),
    "total": ("e", "", "", "pairs"),
}


def use_levels(period, scope, *, levels=ALL_LEVELS, chunk: int = 2000):
    """Use per instrument, unit, district, category (大类) and in total (or only the ``levels``
    asked for), from one pass over the period's records (``_pairs``), streamed in that order,
    each level by its key. A dict per row: ``level`` ("instrument"…"total"), ``key`` and the
    ``MEASURES``.

    Only instruments and groups with records in the period appear; the caller joins the
    instruments themselves (those without any use count with zeros). The total is always one
    row (its counts 0 and its sums None when nothing was used)."""
    alias = router.db_for_read(ServiceRecord)
    connection = connections[alias]
    pairs_sql, params = _pairs(period, scope, connection.vendor).query.get_compiler(using=alias).as_sql()
    chosen = [_LEVEL_SELECTS[level] for level in LEVELS.values() if level in levels]
    selects = [_level_select(*arguments) for arguments in chosen]
    placed = f", placed AS MATERIALIZED ({_placed_sql()})" if any(a[3] == "placed" for a in chosen) else ""
    # The compiled queryset (its parameters apart) and the module's constants only.
    sql = (
        f"WITH pairs AS MATERIALIZED ({pairs_sql}){placed} "  # noqa: S608
        + " UNION ALL ".join(f"SELECT * FROM ({select}) AS level_{n}" for n, select in enumerate(selects))  # noqa: S608
        + " ORDER BY level, key_int, key_text"
    )
    names = ["level", "key_int", "key_text", *MEASURES]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            for row in rows:
                values = dict(zip(names, row, strict=True))
                for name in COUNTS:  # PostgreSQL sums counts as numeric
                    values[name] = int(values[name] or 0)
                level = LEVELS[values.pop("level")]
                key_int, key_text = values.pop("key_int"), values.pop("key_text")
                yield {"level": level, "key": key_int if key_int is not None else key_text, **values}


def _month_index(field: str, bounds: list, *, inclusive: bool):
    """Which month of the period an instant falls in (−1 before it, ``len(bounds) - 1`` after),
    by comparisons with the months' bounds only; an end exactly on a bound belongs to the month
    before it (``inclusive``)."""
    lookup = "lte" if inclusive else "lt"
    return Case(
        *[When(**{f"{field}__{lookup}": bound}, then=Value(index - 1)) for index, bound in enumerate(bounds)],
        default=Value(len(bounds) - 1),
        output_field=IntegerField(),
    )


def monthly_use(period, scope) -> list[tuple]:
    """(month, effective hours, external hours, services) per month of the period, in one grouped
    query over the period's records by the month each starts and ends in (found by comparisons,
    no date arithmetic per row).

    A record inside one month counts there whole. One that crosses months (or the period's edge)
    is split by its hours in proportion to time: with w = hours ÷ its duration, its part in month
    m is w × (min(end, mᵉ) − max(start, mˢ)); summed over a group of records that start in month
    i and end in month j, that is (Σw)·i₁ − Σ(w·start) in month i, Σ(w·end) − (Σw)·jₛ in month j,
    and (Σw)·(length of m) in each month between, so three sums per group give every split."""
    start, end = period.bounds()
    months = period.months()
    count = len(months)
    bounds = [month.bounds()[0] for month in months] + [end]
    origin = instant(start)
    began_at, ended_at = (
        EpochSeconds(F("started_at")) - EpochSeconds(origin),
        EpochSeconds(F("ended_at")) - EpochSeconds(origin),
    )
    ran = EpochSeconds(F("ended_at")) - EpochSeconds(F("started_at"))
    moving = Q(ended_at__gt=F("started_at"))
    # A record crosses a month's edge when it starts before the next month's first instant.
    crossing = Q(ended_at__gt=F("started_at")) & _crossing_q(bounds)
    rate = Case(
        When(moving, then=ExpressionWrapper(F("hours") / ran, output_field=PRECISE)),
        default=Value(0),
        output_field=PRECISE,
    )
    rows = (
        ServiceRecord.objects.filter(
            in_period_q(start, end), scope.instrument_q("instrument__"), instruments_in_period_q(period, "instrument__")
        )
        .annotate(
            first=_month_index("started_at", bounds, inclusive=False),
            last=_month_index("ended_at", bounds, inclusive=True),
        )
        .values("first", "last", "is_external")
        .annotate(
            hours_sum=Sum("hours"),
            still=Sum("hours", filter=~moving),
            n=Count("pk"),
            # Only records that cross a month's edge need the split (a few in a hundred).
            w=Sum(rate, filter=crossing),
            ws=Sum(ExpressionWrapper(rate * began_at, output_field=PRECISE), filter=crossing),
            we=Sum(ExpressionWrapper(rate * ended_at, output_field=PRECISE), filter=crossing),
        )
        .order_by()
    )
    offsets = [Decimal(int((bound - start).total_seconds())) for bound in bounds]
    hours = [[Decimal(0), Decimal(0)] for _ in months]  # [effective, external]
    services = [0] * count
    for row in rows:
        first, last, external = row["first"], row["last"], bool(row["is_external"])
        if 0 <= first < count:
            services[first] += row["n"]
        for month, part in _parts(first, last, row, offsets, count):
            hours[month][0] += part
            if external:
                hours[month][1] += part
    return [(month.start, hours[i][0], hours[i][1], services[i]) for i, month in enumerate(months)]


def _crossing_q(bounds: list) -> Q:
    """Records running over one of the months' bounds (inside the period or at its edges)."""
    condition = Q(pk__in=[])
    for bound in bounds:
        condition |= Q(started_at__lt=bound, ended_at__gt=bound)
    return condition


def _parts(first: int, last: int, row: dict, offsets: list, count: int):
    """(month, hours) of one group of records starting in month ``first`` and ending in ``last``."""
    if first == last:
        if 0 <= first < count:
            yield first, _exact(row["hours_sum"])
        return
    # Records with no duration count whole in the month they start in.
    if 0 <= first < count and row["still"]:
        yield first, _exact(row["still"])
    w, ws, we = _exact(row["w"]), _exact(row["ws"]), _exact(row["we"])
    for month in range(max(first, 0), min(last, count - 1) + 1):
        low = offsets[month] * w if month > first else ws
        high = offsets[month + 1] * w if month < last else we
        yield month, high - low


def _exact(value) -> Decimal:
    """A part of a month's hours as it is, not rounded (``base.dec`` rounds a figure once it is
    summed; the parts are added up first)."""
    return Decimal(str(value)) if value is not None else Decimal(0)


def instrument_rows(period, scope):
    """The instruments in scope and in service in the period, with what their rows show, by pk."""
    return (
        Instrument.objects.filter(scope.instrument_q(), instruments_in_period_q(period))
        .annotate(district_key=Coalesce("district_id", "unit__district_id"))
        .values(*INSTRUMENT_FIELDS)
        .order_by("pk")
    )
