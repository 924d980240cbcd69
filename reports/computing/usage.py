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

from django.db.models import Avg, CharField, Count, F, FilteredRelation, Max, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django.utils import timezone

from bookings.models import ServiceRecord
from instruments.models import Instrument
from members.models import Unit

from .sql import hours_in_period, in_period_q, started_in_q

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
    return Coalesce(
        Concat(Value("u"), Cast(F(f"{prefix}user_id"), CharField())),
        Concat(Value("n"), F(f"{prefix}user_name"), Value("|"), F(f"{prefix}user_unit_name")),
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


def instrument_use(period, scope, *, order_by=("pk",), extra_filter: Q | None = None):
    """One row (a dict) per instrument in scope and in service in the period, with its use.

    Instruments without any service in the period are there, with zero hours (a LEFT JOIN on
    the period's records)."""
    start, end = period.bounds()
    aggregates = use_aggregates(period, "period_records__")
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


def group_use(period, scope, group: str):
    """Use grouped by "unit", "district" or "category" (大类, the first two digits of the code)."""
    start, end = period.bounds()
    keys = {
        "unit": F("instrument__unit_id"),
        "district": Coalesce("instrument__district_id", "instrument__unit__district_id"),
        "category": Substr("instrument__category__code", 1, 2),
    }
    aggregates = use_aggregates(period)
    return (
        ServiceRecord.objects.filter(
            in_period_q(start, end), scope.instrument_q("instrument__"), instruments_in_period_q(period, "instrument__")
        )
        .annotate(group_key=keys[group])
        .values("group_key")
        .annotate(**aggregates)
        .order_by("group_key")
    )


def total_use(period, scope) -> dict:
    start, end = period.bounds()
    aggregates = use_aggregates(period)
    return ServiceRecord.objects.filter(
        in_period_q(start, end), scope.instrument_q("instrument__"), instruments_in_period_q(period, "instrument__")
    ).aggregate(**aggregates)


def monthly_hours(period, scope) -> list[tuple]:
    """(month label, effective hours, external hours, services) per month of the period, one query."""
    start, end = period.bounds()
    months = period.months()
    aggregates = {}
    for index, month in enumerate(months):
        m_start, m_end = month.bounds()
        hours = hours_in_period(m_start, m_end)
        inside = in_period_q(m_start, m_end)
        aggregates[f"e{index}"] = Sum(hours, filter=inside)
        aggregates[f"x{index}"] = Sum(hours, filter=inside & Q(is_external=True))
        aggregates[f"s{index}"] = Count("pk", filter=started_in_q(m_start, m_end))
    totals = ServiceRecord.objects.filter(
        in_period_q(start, end), scope.instrument_q("instrument__"), instruments_in_period_q(period, "instrument__")
    ).aggregate(**aggregates)
    return [
        (f"{month.start:%Y-%m}", totals[f"e{i}"] or ZERO, totals[f"x{i}"] or ZERO, totals[f"s{i}"] or 0)
        for i, month in enumerate(months)
    ]


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
