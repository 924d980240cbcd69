"""Subsidy accounts: per programme the budget and where its money went, by district, enterprise
scale and unit, and the provider rewards — every figure summed from the append-only ledger (the
programme's balances to the day of the run) and reconciled with the programme's counters to the fen; any
difference is reported as an error of the run.

Programmes in the report are those whose year falls in the period. Columns: committed = the
ledger's committed balance; drawn = voucher draws less corrections; redeemed = voucher
redemptions paid; paid = payments and redemptions less clawbacks; released = releases and voucher
expiries; remaining = budget − committed."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce

from members.models import Unit
from subsidies.models import LedgerEntry, Programme
from subsidies.models.ledger import COMMITTED_SIGN, DRAWN_SIGN, PAID_SIGN, EntryKind
from subsidies.services.ledger import ledger_check

from ..models import ScopeKind
from .base import RunContext, num

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
PROGRAMME_COLUMNS = [
    ("programme", "text"),
    ("budget", "money"),
    ("committed", "money"),
    ("drawn", "money"),
    ("redeemed", "money"),
    ("paid", "money"),
    ("released", "money"),
    ("remaining", "money"),
    ("difference", "money"),
]
GROUP_COLUMNS = [("name", "text"), ("committed", "money"), ("drawn", "money"), ("paid", "money")]
RELEASED_SIGN = dict.fromkeys(EntryKind, 0) | {EntryKind.RELEASE: 1, EntryKind.EXPIRY: 1}
REDEEMED_SIGN = dict.fromkeys(EntryKind, 0) | {EntryKind.REDEMPTION: 1}


def signed(signs: dict):
    return Coalesce(
        Sum(
            Case(
                *[When(kind=kind, then=F("amount") * Value(sign)) for kind, sign in signs.items() if sign],
                default=Value(ZERO),
                output_field=MONEY,
            )
        ),
        Value(ZERO),
        output_field=MONEY,
    )


BALANCES = {
    "committed": COMMITTED_SIGN,
    "drawn": DRAWN_SIGN,
    "redeemed": REDEEMED_SIGN,
    "paid": PAID_SIGN,
    "released": RELEASED_SIGN,
}


def entries(ctx: RunContext):
    """The ledger entries of the programmes in the period, made before its end, with the unit that
    benefits (the applicant, the voucher's enterprise, the rewarded or the redeeming provider)."""
    queryset = LedgerEntry.objects.filter(
        programme__year__gte=ctx.period.start.year, programme__year__lte=ctx.period.last_day.year
    ).annotate(beneficiary=Coalesce("application__unit", "voucher__unit", "reward__unit", "redemption__provider"))
    if ctx.scope.kind != ScopeKind.PLATFORM:
        queryset = queryset.filter(beneficiary__in=Unit.objects.filter(ctx.scope.unit_q()).values("pk"))
    return queryset


def compute(ctx: RunContext) -> None:
    ctx.progress(0, 4)
    programmes = Programme.objects.filter(year__gte=ctx.period.start.year, year__lte=ctx.period.last_day.year).order_by(
        "year", "pk"
    )
    balances = {
        row["programme"]: row
        for row in entries(ctx).order_by().values("programme").annotate(**{k: signed(v) for k, v in BALANCES.items()})
    }
    all_time = dict(
        LedgerEntry.objects.filter(programme__in=programmes)
        .order_by()
        .values_list("programme")
        .annotate(committed=signed(COMMITTED_SIGN))
    )
    table = ctx.table("programmes", PROGRAMME_COLUMNS)
    totals = dict.fromkeys([*BALANCES, "budget", "remaining"], ZERO)
    for programme in programmes:
        row = balances.get(programme.pk, {})
        values = {key: row.get(key, ZERO) for key in BALANCES}
        difference = programme.committed - all_time.get(programme.pk, ZERO)
        remaining = programme.budget - values["committed"]
        for key, value in values.items():
            totals[key] += value
        totals["budget"] += programme.budget
        totals["remaining"] += remaining
        ctx.row(
            table,
            [
                f"{programme.year} {programme.name}",
                num(programme.budget),
                *(num(values[k]) for k in BALANCES),
                num(remaining),
                num(difference),
            ],
        )
        if ctx.scope.kind == ScopeKind.PLATFORM:
            ctx.errors.extend(_reconcile(programme))
    ctx.progress(1, 4)
    for key in ("budget", *BALANCES, "remaining"):
        ctx.figure(key, num(totals[key]), "money")
    _groups(ctx)
    ctx.progress(3, 4)


def _reconcile(programme) -> list[str]:
    """Every counter of the programme against the whole ledger, to the fen (``ledger_check``)."""
    problems = ledger_check(programme)
    return [f"{programme.year} {programme.name}: {problem}" for problem in problems]


def _groups(ctx: RunContext) -> None:
    keys = {"by_district": "district", "by_scale": "scale", "by_unit": "unit"}
    base = entries(ctx)
    units = Unit.objects.filter(pk__in=entries(ctx).values("beneficiary"))
    names = dict(units.values_list("pk", "name"))
    districts = dict(units.values_list("pk", "district__name"))
    scales = dict(units.values_list("pk", "scale"))
    scale_labels = dict(Unit.Scale.choices)
    sums = {
        row["beneficiary"]: row
        for row in base.order_by()
        .values("beneficiary")
        .annotate(committed=signed(COMMITTED_SIGN), drawn=signed(DRAWN_SIGN), paid=signed(PAID_SIGN))
    }
    for table_key, group in keys.items():
        grouped = {}
        for unit_id, row in sums.items():
            if group == "unit":
                name = names.get(unit_id, "—")
            elif group == "district":
                name = districts.get(unit_id) or "—"
            else:
                name = str(scale_labels.get(scales.get(unit_id), "—"))
            into = grouped.setdefault(name, dict.fromkeys(("committed", "drawn", "paid"), ZERO))
            for key in into:
                into[key] += row[key]
        table = ctx.table(table_key, GROUP_COLUMNS)
        for name in sorted(grouped):
            values = grouped[name]
            ctx.row(table, [name, num(values["committed"]), num(values["drawn"]), num(values["paid"])])
    rewards = ctx.table("rewards", GROUP_COLUMNS)
    reward_rows = (
        entries(ctx)
        .filter(reward__isnull=False)
        .order_by()
        .values("reward__unit__name")
        .annotate(committed=signed(COMMITTED_SIGN), drawn=signed(DRAWN_SIGN), paid=signed(PAID_SIGN))
        .order_by("reward__unit__name")
    )
    for row in reward_rows:
        ctx.row(rewards, [row["reward__unit__name"], num(row["committed"]), num(row["drawn"]), num(row["paid"])])
