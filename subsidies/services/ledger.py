"""Writing the ledger and keeping the counters in step with it, under row locks in one fixed order.

Lock order, everywhere: the application (or reward) row, then the programme row, then cap-counter
rows in ``holder_key`` order. Every decision that moves money takes them in that order inside its
transaction, so concurrent decisions queue on the programme row and never deadlock. The counters'
check constraints (``programme_within_budget``, ``capcounter_within_cap``, ``…_not_negative``) are
the database's own guard behind these checks: even raw SQL cannot overspend.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.money import format_yuan, to_yuan

from ..models import (
    COMMITTED_SIGN,
    DRAWN_SIGN,
    PAID_SIGN,
    CapCounter,
    CounterKind,
    EntryKind,
    LedgerEntry,
    Programme,
    Voucher,
)

ZERO = Decimal("0.00")


def programme_lock(programme_id: int) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme_id)


def counter_lock(*, programme: Programme, kind: str, holder_key: str, cap: Decimal | None) -> CapCounter:
    """The holder's counter row, locked; made (with the programme's cap) if it is the first grant.
    The caller holds the programme's lock, so two first grants cannot race to create it."""
    counter = (
        CapCounter.objects.select_for_update().filter(programme=programme, kind=kind, holder_key=holder_key).first()
    )
    if counter is None:
        counter = CapCounter.objects.create(programme=programme, kind=kind, holder_key=holder_key, cap=cap)
    return counter


def _refuse_over(limit_message: str, limit: Decimal, over: Decimal):
    raise Conflict(limit_message % {"limit": format_yuan(limit), "over": format_yuan(over)})


def check_and_commit(*, programme: Programme, counter: CapCounter, amount: Decimal, budget_message=None) -> None:
    """Add ``amount`` to the programme's committed total and the holder's granted total, or refuse
    with the limit that would be broken and by how much. Both rows are locked by the caller."""
    over_budget = programme.committed + amount - programme.budget
    if over_budget > 0:
        _refuse_over(
            budget_message or _("The programme's budget of %(limit)s would be exceeded by %(over)s."),
            programme.budget,
            over_budget,
        )
    if counter.cap is not None and counter.granted + amount > counter.cap:
        if counter.kind == CounterKind.PROVIDER:
            message = _("The provider's yearly reward cap of %(limit)s would be exceeded by %(over)s.")
        elif counter.holder_key.startswith("group:"):
            message = _("The cap of %(limit)s for the group of related units would be exceeded by %(over)s.")
        else:
            message = _("The enterprise cap of %(limit)s would be exceeded by %(over)s.")
        _refuse_over(message, counter.cap, counter.granted + amount - counter.cap)
    _move(programme=programme, counter=counter, amount=amount)


def _move(*, programme: Programme, counter: CapCounter, amount: Decimal) -> None:
    Programme.objects.filter(pk=programme.pk).update(committed=F("committed") + amount)
    CapCounter.objects.filter(pk=counter.pk).update(granted=F("granted") + amount)
    programme.committed += amount
    counter.granted += amount


def release(*, programme: Programme, counter: CapCounter, amount: Decimal) -> None:
    """Give back ``amount`` to the budget and the holder's cap (a reduction, a rejection after
    approval, a clawback)."""
    _move(programme=programme, counter=counter, amount=-amount)


def entry_write(
    *, key: str, programme: Programme, kind: str, amount: Decimal, holder_key: str, actor, note="", **subject
):
    """Append one entry, or nothing if an entry with this ``key`` exists (a retried decision).
    Returns the entry and whether it was written now."""
    amount = to_yuan(amount)
    existing = LedgerEntry.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                key=key,
                programme=programme,
                kind=kind,
                amount=amount,
                holder_key=holder_key,
                created_by=actor,
                note=note[:200],
                **subject,
            )
    except IntegrityError:
        return LedgerEntry.objects.get(key=key), False
    return entry, True


def _signed(signs: dict):
    return Sum(
        Case(
            *[When(kind=kind, then=F("amount") * Value(sign)) for kind, sign in signs.items() if sign],
            default=Value(ZERO),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        )
    )


def ledger_totals(queryset) -> dict:
    """Totals of the entries in ``queryset`` by kind, and the committed and paid balances they give."""
    rows = dict(queryset.order_by().values_list("kind").annotate(total=Sum("amount")))
    totals = {kind: to_yuan(rows.get(kind, ZERO)) for kind in EntryKind.values}
    balances = queryset.order_by().aggregate(committed=_signed(COMMITTED_SIGN), paid=_signed(PAID_SIGN))
    totals["committed"] = to_yuan(balances["committed"] or ZERO)
    totals["paid"] = to_yuan(balances["paid"] or ZERO)
    return totals


def ledger_check(programme: Programme) -> list[str]:
    """Differences between the counters and the ledger, to the fen; empty when they agree."""
    problems = []
    programme.refresh_from_db(fields=["committed"])
    totals = ledger_totals(LedgerEntry.objects.filter(programme=programme))
    if totals["committed"] != programme.committed:
        problems.append(f"programme {programme.pk}: counter {programme.committed} ≠ ledger {totals['committed']}")
    by_holder = {
        (kind, key): to_yuan(total or ZERO)
        for kind, key, total in LedgerEntry.objects.filter(programme=programme)
        .annotate(counter_kind=Case(When(reward__isnull=True, then=Value("applicant")), default=Value("provider")))
        .order_by()
        .values_list("counter_kind", "holder_key")
        .annotate(total=_signed(COMMITTED_SIGN))
    }
    for counter in CapCounter.objects.filter(programme=programme):
        ledger = by_holder.pop((counter.kind, counter.holder_key), ZERO)
        if ledger != counter.granted:
            problems.append(f"{counter.kind} {counter.holder_key}: counter {counter.granted} ≠ ledger {ledger}")
    problems.extend(
        f"{kind} {key}: ledger {total} with no counter" for (kind, key), total in by_holder.items() if total
    )
    drawn = dict(
        LedgerEntry.objects.filter(programme=programme, voucher__isnull=False)
        .order_by()
        .values_list("voucher")
        .annotate(total=_signed(DRAWN_SIGN))
    )
    for voucher_id, counter in Voucher.objects.filter(programme=programme).values_list("pk", "drawn"):
        if to_yuan(drawn.get(voucher_id) or ZERO) != counter:
            problems.append(f"voucher {voucher_id}: drawn {counter} ≠ ledger {drawn.get(voucher_id) or ZERO}")
    return problems
