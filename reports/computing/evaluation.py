"""The unit evaluation (开放共享评价): per unit, the rates of DOMAIN.md §5, average hours against the
national averages, and a grade from weighted indicators (weights and lines are ReportSettings).

Readings (the official weights are unpublished):
- eligible instruments: the unit's instruments in service in the period whose original value is at
  or above the large-instrument value (default 500,000 yuan);
- network entry rate: eligible instruments registered here ÷ the eligible instruments the unit
  owns by its asset census (``EligibleCount`` of the period's first year); without a census figure,
  the registered ones are taken as all (rate 1);
- normal-operation rate: eligible instruments whose status is normal, standby or remote service;
- participation rate: eligible instruments that served anybody in the period;
- external sharing rate: eligible instruments that served an external user in the period;
- open rate: instruments open to external sharing ÷ all the unit's instruments in service;
- score: 100 × Σ weight × min(1, indicator) ÷ Σ weights, the hours indicators being the unit's
  average effective (external) hours per eligible instrument ÷ the national average, pro-rated;
- a unit without eligible instruments is not graded (no division by zero).
"""

from collections import defaultdict
from decimal import Decimal

from instruments.models import Instrument
from members.models import Unit

from ..models import EligibleCount, NationalAverage
from .base import RunContext, dec, num, ratio
from .usage import instrument_use

NORMAL = {Instrument.OperatingStatus.NORMAL, Instrument.OperatingStatus.STANDBY, Instrument.OperatingStatus.REMOTE}
COLUMNS = [
    ("unit", "text"),
    ("instruments", "int"),
    ("eligible", "int"),
    ("entry_rate", "rate"),
    ("normal_operation_rate", "rate"),
    ("participation_rate", "rate"),
    ("external_sharing_rate", "rate"),
    ("open_rate", "rate"),
    ("average_effective_hours", "hours"),
    ("average_external_hours", "hours"),
    ("national_effective_hours", "hours"),
    ("national_external_hours", "hours"),
    ("score", "text"),
    ("grade", "label"),
]
GRADES = ("excellent", "good", "pass", "poor", "not_graded")
HUNDRED = Decimal(100)


def national_average(year: int) -> NationalAverage | None:
    """The published average of the year, else of the latest year before it, else the latest."""
    return (
        NationalAverage.objects.filter(year__lte=year).order_by("-year").first()
        or NationalAverage.objects.order_by("-year").first()
    )


def grade_of(score: Decimal | None, settings) -> str:
    if score is None:
        return "not_graded"
    if score >= settings.grade_excellent:
        return "excellent"
    if score >= settings.grade_good:
        return "good"
    if score >= settings.grade_pass:
        return "pass"
    return "poor"


def _tally(ctx: RunContext) -> dict:
    """Per unit: counts of instruments by the conditions of the rates, and hours of eligible ones."""
    large = ctx.settings.large_instrument_value
    units = defaultdict(lambda: defaultdict(Decimal))
    for row in instrument_use(ctx.period, ctx.scope, order_by=("unit_id", "pk"), people=False).iterator(
        chunk_size=2000
    ):
        tally = units[row["unit_id"]]
        tally["instruments"] += 1
        tally["open"] += row["sharing_mode"] == Instrument.SharingMode.EXTERNAL
        if Decimal(row["original_value"]) < large:
            continue
        tally["eligible"] += 1
        tally["normal"] += row["operating_status"] in NORMAL
        tally["participating"] += row["services"] > 0
        tally["external_sharing"] += row["external_services"] > 0
        tally["effective"] += dec(row["effective"])
        tally["external"] += dec(row["external"])
    return units


def compute(ctx: RunContext) -> None:
    ctx.progress(0, 3)
    settings, year_fraction = ctx.settings, ctx.period.year_fraction()
    tallies = _tally(ctx)
    ctx.progress(1, 3)
    average = national_average(ctx.period.start.year)
    national_effective = average.effective_hours * year_fraction if average else None
    national_external = average.external_hours * year_fraction if average else None
    census = dict(
        EligibleCount.objects.filter(year=ctx.period.start.year, unit_id__in=list(tallies)).values_list("unit", "count")
    )
    units = Unit.objects.filter(ctx.scope.unit_q(), status=Unit.Status.APPROVED).distinct().order_by("name", "pk")
    table = ctx.table("by_unit", COLUMNS)
    grades = dict.fromkeys(GRADES, 0)
    for unit_id, name in units.values_list("pk", "name").iterator(chunk_size=2000):
        tally = tallies.get(unit_id, {})
        eligible = int(tally.get("eligible", 0))
        rates = {
            "entry": _entry_rate(eligible, census.get(unit_id)),
            "normal_operation": ratio(tally.get("normal", 0), eligible),
            "participation": ratio(tally.get("participating", 0), eligible),
            "external_sharing": ratio(tally.get("external_sharing", 0), eligible),
            "open": ratio(tally.get("open", 0), tally.get("instruments", 0)),
        }
        avg_effective = dec(tally.get("effective")) / eligible if eligible else None
        avg_external = dec(tally.get("external")) / eligible if eligible else None
        score = _score(settings, rates, avg_effective, avg_external, national_effective, national_external)
        grade = grade_of(score, settings)
        grades[grade] += 1
        ctx.row(
            table,
            [
                name,
                int(tally.get("instruments", 0)),
                eligible,
                rates["entry"],
                rates["normal_operation"],
                rates["participation"],
                rates["external_sharing"],
                rates["open"],
                num(avg_effective),
                num(avg_external),
                num(national_effective),
                num(national_external),
                num(score),
                grade,
            ],
        )
    ctx.progress(2, 3)
    ctx.figure("graded_units", sum(grades.values()) - grades["not_graded"], "int")
    for grade in GRADES:
        ctx.figure(grade, grades[grade], "int")
    ctx.figure("national_effective_hours", num(national_effective), "hours")
    ctx.figure("national_external_hours", num(national_external), "hours")
    ctx.chart("grades", "bar", list(GRADES), [("units", [grades[g] for g in GRADES])])


def _entry_rate(eligible: int, census: int | None) -> str | None:
    if not eligible:
        return None
    if not census:
        return num(1, Decimal("0.0001"))
    return ratio(min(eligible, census), census)


def _score(settings, rates, avg_effective, avg_external, national_effective, national_external) -> Decimal | None:
    if avg_effective is None:
        return None
    indicators = {
        "utilisation": _share(avg_effective, national_effective),
        "external_hours": _share(avg_external, national_external),
        **{name: Decimal(value) if value is not None else Decimal(0) for name, value in rates.items()},
    }
    weights = settings.weights()
    total_weight = sum(weights.values())
    if not total_weight:
        return None
    return HUNDRED * sum(weights[name] * min(Decimal(1), indicators[name]) for name in weights) / total_weight


def _share(value: Decimal, national: Decimal | None) -> Decimal:
    if not national:
        return Decimal(0)
    return value / national
