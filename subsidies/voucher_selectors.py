"""Reads of the voucher pages: the one way in to a voucher (its enterprise's members and the
bureau) and to a redemption (its provider's managers and the bureau), a voucher's draws and
history, what a voucher would pay on a booking's estimate, the provider's voucher-paid services per
settlement period, and a unit's voucher part of its statement."""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import FundingSource, ServicePurpose, ServiceRecord, ServiceWay
from members.models import Membership, Unit
from members.permissions import is_bureau_staff
from members.selectors import related_unit_ids, unit_ids_managed_by

from . import page_selectors, rules
from .models import Mode, Programme, SettlementCycle, Voucher, VoucherDraw, VoucherRedemption
from .permissions import can_confirm_for, can_view_applications_of

ZERO = Decimal("0.00")
V = Voucher.Status
R = VoucherRedemption.Status
# At most this many unredeemed services are listed under their periods (the totals count them all).
UNREDEEMED_ROWS = 500
# Reasons a service cannot draw that the instrument alone decides (known before any estimate).
INSTRUMENT_PROBLEMS = {"own_unit", "related_unit", "below_value", "outside_region"}
CYCLE_MONTHS = {
    SettlementCycle.MONTHLY: 1,
    SettlementCycle.QUARTERLY: 3,
    SettlementCycle.HALF_YEARLY: 6,
    SettlementCycle.YEARLY: 12,
}
SERVICE_RECORD_REASON = re.compile(r"^service record (\d+)$")


# --- Vouchers ---------------------------------------------------------------------------------


def voucher_list_for_user(*, user):
    """The vouchers of the units the user is an active member of, newest first."""
    units = Membership.objects.active().filter(user=user).values("unit_id")
    return Voucher.objects.filter(unit__in=units).select_related("programme", "unit").order_by("-created_at", "-pk")


def voucher_get_for_viewer(*, user, pk) -> Voucher:
    """A voucher for the active members of its enterprise and the bureau; the same 404 for missing
    and not yours."""
    voucher = Voucher.objects.select_related("programme", "unit", "decided_by").filter(pk=pk).first()
    if voucher is None or not (can_view_applications_of(user, voucher.unit) or is_bureau_staff(user)):
        raise Http404
    return voucher


def voucher_programme_get(*, pk) -> Programme:
    """A voucher-mode programme (404 for a reimbursement one: it is applied for with services)."""
    return get_object_or_404(Programme.objects.prefetch_related("tiers"), pk=pk, mode=Mode.VOUCHER)


def voucher_draws(voucher: Voucher):
    """Every draw on the voucher with its service record, oldest service first."""
    return voucher.draws.select_related(
        "service_record", "service_record__instrument", "service_record__instrument__unit"
    ).order_by("service_record__started_at", "pk")


def status_history(obj) -> list[dict]:
    """The status steps of a voucher or a redemption, oldest first, with the reasons in words."""
    steps = page_selectors.application_decisions(obj)
    for step in steps:
        match = SERVICE_RECORD_REASON.match(step["reason"])
        if match:
            step["reason"] = _("Service record %(pk)s") % {"pk": match.group(1)}
        elif step["reason"] == "validity ended":
            step["reason"] = _("Its validity ended")
    return steps


# --- What a voucher would pay on a booking ----------------------------------------------------


@dataclass
class VoucherOffer:
    """A usable voucher of one of the user's units on a booking page: why this booking would not
    draw on it (or None), and, once the fee is estimated, the share it would pay."""

    voucher: Voucher
    rate: Decimal
    problem: str | None = None
    draws: bool = False  # the voucher this booking would draw on (the one expiring first)
    share: Decimal | None = None
    paid_by_voucher: Decimal | None = None
    paid_by_user: Decimal | None = None

    @property
    def capped(self) -> bool:
        return self.share is not None and self.paid_by_voucher < self.share


def _hypothetical_record(instrument, unit, data, amount) -> ServiceRecord:
    """The service a booking would become, as far as the rules look at it (never saved): the owner
    states the purpose at completion, so research and development is assumed."""
    data = data or {}
    return ServiceRecord(
        instrument=instrument,
        user_unit=unit,
        started_at=data.get("starts_at") or timezone.now(),
        service_way=data.get("service_way") or ServiceWay.USER_OPERATES,
        funding_source=data.get("funding_source") or FundingSource.NONE,
        purpose=ServicePurpose.RD,
        amount=amount,
    )


def booking_voucher_offers(*, instrument, units, data=None, estimate_total=None) -> list[VoucherOffer]:
    """The usable vouchers of ``units`` (or of the unit chosen in ``data``) for a booking of
    ``instrument``: each with its rate and, for the booking asked (``data`` and the estimate's
    total), the reason it would not pay or the share it would pay, capped by its balance, as
    ``voucher_draw_for_record`` would draw it at completion."""
    if data and data.get("unit") is not None:
        units = [data["unit"]]
    if not units:
        return []
    today = timezone.localdate()
    vouchers = (
        Voucher.objects.filter(
            unit__in=[u.pk for u in units],
            status__in=Voucher.USABLE_STATUSES,
            programme__mode=Mode.VOUCHER,
            valid_until__gte=today,
        )
        .select_related("programme", "unit")
        .prefetch_related("programme__tiers", "programme__listed_units")
        .order_by("valid_until", "pk")
    )
    related = {}
    offers, drawn_units = [], set()
    for voucher in vouchers:
        unit, programme = voucher.unit, voucher.programme
        if unit.pk not in related:
            related[unit.pk] = related_unit_ids(unit)
        record = _hypothetical_record(instrument, unit, data, estimate_total or Decimal("1.00"))
        listed = {u.pk for u in programme.listed_units.all()}
        rate = rules.line_rate(programme, unit, record, tiers=list(programme.tiers.all()), listed_ids=listed)
        offer = VoucherOffer(voucher=voucher, rate=rate)
        problem = rules.record_problem(
            programme, unit, record, claimed=False, related_ids=related[unit.pk], require_paid=False
        )
        if data is None:
            offer.problem = str(problem) if problem and problem.code in INSTRUMENT_PROBLEMS else None
        else:
            day = timezone.localdate(record.started_at)
            if not (voucher.valid_from <= day <= voucher.valid_until):
                offer.problem = _("The voucher is valid from %(start)s to %(end)s, not on the day booked.") % {
                    "start": voucher.valid_from,
                    "end": voucher.valid_until,
                }
            elif problem:
                offer.problem = str(problem)
        if data is not None and estimate_total is not None and offer.problem is None and unit.pk not in drawn_units:
            offer.share = rules.line_subsidy(estimate_total, rate)
            offer.paid_by_voucher = min(offer.share, voucher.remaining)
            if offer.paid_by_voucher > 0:
                offer.draws = True
                offer.paid_by_user = estimate_total - offer.paid_by_voucher
                drawn_units.add(unit.pk)
        offers.append(offer)
    return offers


def record_voucher_draw(record: ServiceRecord) -> VoucherDraw | None:
    """What a voucher paid of a service, with the voucher and the redemption that claims it."""
    return (
        VoucherDraw.objects.select_related(
            "voucher", "voucher__programme", "voucher__unit", "redemption", "redemption__programme"
        )
        .filter(service_record=record)
        .first()
    )


# --- Redemptions ------------------------------------------------------------------------------


def settlement_period(cycle: str, day: date) -> tuple[date, date]:
    """The settlement period of ``cycle`` that contains ``day``: its first and last day
    (a month, a quarter, a half-year or the calendar year)."""
    months = CYCLE_MONTHS.get(cycle, 12)
    first = (day.month - 1) // months * months + 1
    last = first + months - 1
    return date(day.year, first, 1), date(day.year, last, calendar.monthrange(day.year, last)[1])


def _unredeemed(user):
    return VoucherDraw.objects.filter(
        redemption__isnull=True,
        amount__gt=0,
        voucher__programme__mode=Mode.VOUCHER,
        service_record__instrument__unit__in=unit_ids_managed_by(user),
    )


def _month(value) -> date:
    return value.date() if hasattr(value, "date") else value


def unredeemed_periods(*, user, today=None) -> list[dict]:
    """The voucher-paid services of the units the user manages that no live redemption claims,
    per programme, provider and settlement period (the programme's cycle), latest period first:
    each with its totals, whether it has ended (only then it can be redeemed) and its services
    (at most ``UNREDEEMED_ROWS`` listed over all periods). A fixed number of queries."""
    today = today or timezone.localdate()
    months = (
        _unredeemed(user)
        .annotate(month=TruncMonth("service_record__started_at"))
        .values("voucher__programme_id", "service_record__instrument__unit_id", "month")
        .annotate(count=Count("pk"), charged=Sum("charged"), amount=Sum("amount"))
        .order_by()
    )
    months = list(months)
    if not months:
        return []
    programmes = Programme.objects.in_bulk({m["voucher__programme_id"] for m in months})
    providers = Unit.objects.in_bulk({m["service_record__instrument__unit_id"] for m in months})
    periods: dict[tuple, dict] = {}
    for m in months:
        programme = programmes[m["voucher__programme_id"]]
        start, end = settlement_period(programme.settlement_cycle, _month(m["month"]))
        key = (programme.pk, m["service_record__instrument__unit_id"], start)
        period = periods.setdefault(
            key,
            {
                "programme": programme,
                "provider": providers[m["service_record__instrument__unit_id"]],
                "start": start,
                "end": end,
                "ended": end < today,
                "count": 0,
                "charged": ZERO,
                "amount": ZERO,
                "draws": [],
            },
        )
        period["count"] += m["count"]
        period["charged"] += m["charged"] or ZERO
        period["amount"] += m["amount"] or ZERO
    draws = (
        _unredeemed(user)
        .select_related(
            "service_record", "service_record__instrument", "voucher", "voucher__unit", "voucher__programme"
        )
        .order_by("service_record__started_at", "pk")[:UNREDEEMED_ROWS]
    )
    for draw in draws:
        programme = draw.voucher.programme
        start, _end = settlement_period(programme.settlement_cycle, timezone.localdate(draw.service_record.started_at))
        period = periods.get((programme.pk, draw.service_record.instrument.unit_id, start))
        if period is not None:
            period["draws"].append(draw)
    result = sorted(periods.values(), key=lambda p: (p["start"], p["programme"].pk, p["provider"].pk), reverse=True)
    for period in result:
        period["listed_all"] = len(period["draws"]) == period["count"]
    return result


def redemption_list_for_user(*, user):
    """The redemptions of the provider units the user manages, latest period first."""
    return (
        VoucherRedemption.objects.filter(provider__in=unit_ids_managed_by(user))
        .select_related("programme", "provider")
        .order_by("-period_end", "-pk")
    )


def redemption_get_for_viewer(*, user, pk) -> VoucherRedemption:
    """A redemption for the managers of its provider unit and the bureau; the same 404 for missing
    and not yours."""
    redemption = VoucherRedemption.objects.select_related("programme", "provider").filter(pk=pk).first()
    if redemption is None or not (can_confirm_for(user, redemption.provider) or is_bureau_staff(user)):
        raise Http404
    return redemption


def redemption_draws(redemption: VoucherRedemption):
    return redemption.draws.select_related(
        "service_record", "service_record__instrument", "voucher", "voucher__unit", "voucher__programme"
    ).order_by("service_record__started_at", "pk")


# --- A unit's statement -----------------------------------------------------------------------


def voucher_statement(*, programme: Programme, unit: Unit) -> dict:
    """A unit's voucher part of its statement in a voucher programme: its vouchers and their draws
    (as enterprise), and the voucher-paid services of its instruments and its redemptions (as
    provider), with totals."""
    draws = VoucherDraw.objects.select_related("service_record", "service_record__instrument__unit").order_by(
        "service_record__started_at", "pk"
    )
    vouchers = list(
        Voucher.objects.filter(programme=programme, unit=unit)
        .select_related("programme")
        .prefetch_related(Prefetch("draws", queryset=draws))
        .order_by("pk")
    )
    provided = list(
        VoucherDraw.objects.filter(voucher__programme=programme, service_record__instrument__unit=unit)
        .select_related("service_record", "service_record__instrument", "voucher", "voucher__unit", "redemption")
        .order_by("service_record__started_at", "pk")
    )
    redemptions = list(
        VoucherRedemption.objects.filter(programme=programme, provider=unit)
        .select_related("programme")
        .order_by("period_start", "pk")
    )
    granted = [v for v in vouchers if v.status not in (V.REQUESTED, V.REFUSED)]
    return {
        "vouchers": vouchers,
        "voucher_services": provided,
        "redemptions": redemptions,
        "voucher_totals": {
            "quota": sum((v.quota for v in granted), ZERO),
            "drawn": sum((v.drawn for v in granted), ZERO),
            "provided_charged": sum((d.charged for d in provided), ZERO),
            "provided_voucher": sum((d.amount for d in provided), ZERO),
            "redeemed_paid": sum((r.amount for r in redemptions if r.status == R.PAID), ZERO),
        },
    }
