"""The rules of a reimbursement claim: who may apply, which services count, at which rate, and the
arithmetic from fees to the subsidy, with every step kept so pages can show it line by line.

Rounding (STYLE.md rule 7): each line's subsidy is ``to_yuan(fee × rate)``, half up to the fen,
once; the application's subtotal is the exact sum of its lines; caps only lower that sum.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from bookings.models import FundingSource, ServiceRecord
from core.money import to_yuan
from members.models import Unit
from members.selectors import related_unit_ids

from .models import Programme, TierCondition

ZERO = Decimal("0.00")

# Services supporting these projects earn the "plan project" rate (Chongqing's 30%).
PLAN_FUNDING = {FundingSource.NATIONAL, FundingSource.NSFC, FundingSource.PROVINCIAL, FundingSource.LOCAL}

REASONS = {
    "own_unit": _("Service of the applicant's own unit"),
    "related_unit": _("Service of a related unit (same actual controller)"),
    "excluded_purpose": _("Excluded purpose: %(purpose)s"),
    "excluded_way": _("Service way not covered: %(way)s"),
    "outside_window": _("Outside the programme's service period (%(start)s – %(end)s)"),
    "below_value": _("Instrument below the value line of %(value)s yuan"),
    "outside_region": _("Provider outside the region (%(city)s)"),
    "already_claimed": _("Already claimed in another application"),
    "voucher_paid": _("Paid in part by an innovation voucher"),
    "not_paid": _("Not yet paid to the provider"),
    "nothing_charged": _("Nothing was charged"),
}


@dataclass(frozen=True)
class Ineligible:
    code: str
    params: dict = field(default_factory=dict)

    def __str__(self):
        return str(REASONS[self.code]) % self.params if self.params else str(REASONS[self.code])


def applicant_problem(programme: Programme, unit: Unit) -> str | None:
    """Why ``unit`` may not apply in ``programme`` at all, or None."""
    if not unit.is_approved:
        return _("Only an approved member unit can apply.")
    if programme.eligible_unit_types and unit.unit_type not in programme.eligible_unit_types:
        return _("This programme is not open to units of the type “%(type)s”.") % {"type": unit.get_unit_type_display()}
    if programme.eligible_scales and unit.scale not in programme.eligible_scales:
        return _("This programme is open to enterprises of these scales only: %(scales)s.") % {
            "scales": ", ".join(str(Unit.Scale(s).label) for s in programme.eligible_scales)
        }
    return None


def record_problem(
    programme: Programme,
    unit: Unit,
    record: ServiceRecord,
    *,
    claimed: bool,
    related_ids=None,
    require_paid=True,
    voucher_drawn=False,
) -> Ineligible | None:
    """The first reason why ``record`` cannot be claimed by ``unit`` in ``programme``, or None.
    ``claimed``: the record is in a live line of another application; ``related_ids``: the
    unit's confirmed group (``members.selectors.related_unit_ids``), read once for many records."""
    instrument = record.instrument
    if record.amount <= 0:
        return Ineligible("nothing_charged")
    if instrument.unit_id == unit.pk:
        return Ineligible("own_unit")
    if related_ids is None:
        related_ids = related_unit_ids(unit)
    if instrument.unit_id in related_ids:
        return Ineligible("related_unit")
    if record.purpose in programme.excluded_purposes:
        return Ineligible("excluded_purpose", {"purpose": record.get_purpose_display()})
    if programme.eligible_service_ways and record.service_way not in programme.eligible_service_ways:
        return Ineligible("excluded_way", {"way": record.get_service_way_display()})
    if not (programme.services_from <= _local_date(record) <= programme.services_until):
        return Ineligible("outside_window", {"start": programme.services_from, "end": programme.services_until})
    if instrument.original_value < programme.min_instrument_value:
        return Ineligible("below_value", {"value": f"{programme.min_instrument_value:,.2f}"})
    region = programme.region
    if programme.providers_in_region and region and instrument.city and instrument.city != region:
        return Ineligible("outside_region", {"city": region})
    if claimed:
        return Ineligible("already_claimed")
    if voucher_drawn:  # one subsidy per service: never a voucher's share and a reimbursement
        return Ineligible("voucher_paid")
    if require_paid and record.paid_on is None:  # a voucher pays its share as the service is charged
        return Ineligible("not_paid")
    return None


def _local_date(record: ServiceRecord) -> date:
    from django.utils import timezone

    return timezone.localdate(record.started_at)


def line_rate(programme: Programme, unit: Unit, record: ServiceRecord, *, tiers=None, listed_ids=None) -> Decimal:
    """The highest applicable rate (DOMAIN.md §6: "highest tier only"), never a sum of tiers."""
    tiers = programme.tiers.all() if tiers is None else tiers
    listed_ids = set(programme.listed_units.values_list("pk", flat=True)) if listed_ids is None else listed_ids
    rate = programme.base_rate
    for tier in tiers:
        applies = (
            (tier.condition == TierCondition.HIGH_TECH and unit.is_high_tech)
            or (tier.condition == TierCondition.LISTED and unit.pk in listed_ids)
            or (tier.condition == TierCondition.PLAN_PROJECT and record.funding_source in PLAN_FUNDING)
        )
        if applies and tier.rate > rate:
            rate = tier.rate
    return rate


def line_subsidy(fee: Decimal, rate: Decimal) -> Decimal:
    return to_yuan(fee * rate)


@dataclass
class Step:
    """One line of the arithmetic shown to people: a label, the amount after this step."""

    label: str
    amount: Decimal
    limit: Decimal | None = None


@dataclass
class Arithmetic:
    lines_total: Decimal
    result: Decimal
    steps: list[Step]


def cap_arithmetic(
    programme: Programme, *, lines_total: Decimal, holder_remaining: Decimal | None, group: bool
) -> Arithmetic:
    """From the sum of the lines to the subsidy: the cap per application, then what is left of the
    enterprise's (or its group's) cap this year."""
    steps = [Step(str(_("Sum of the lines")), lines_total)]
    amount = lines_total
    if programme.cap_per_application is not None and amount > programme.cap_per_application:
        amount = programme.cap_per_application
        steps.append(Step(str(_("Cap per application")), amount, programme.cap_per_application))
    if holder_remaining is not None and amount > holder_remaining:
        amount = max(holder_remaining, ZERO)
        label = (
            _("What is left of the group's yearly cap") if group else _("What is left of the enterprise's yearly cap")
        )
        steps.append(Step(str(label), amount, holder_remaining))
    return Arithmetic(lines_total=lines_total, result=amount, steps=steps)
