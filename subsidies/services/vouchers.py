"""Innovation vouchers on the subsidies ledger: an enterprise applies for a quota, the bureau grants
it (committing it against the budget and the enterprise's or group's cap, like an approval), each
eligible completed service draws the voucher's share of its charge at once (never more than the
balance), a correction of the charge adjusts the draw with a new entry, and what is not drawn at
the end of the validity is released.

Lock order as everywhere in this app: the voucher row, then the programme, then the cap counter.
A draw changes no programme counter (the quota was committed at the grant); it locks the voucher
row only, and ``voucher_within_quota`` keeps the drawn total within the quota in the database.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.models import ServiceRecord
from core.exceptions import DomainError, InvalidTransition, PermissionDenied
from core.money import format_yuan, to_yuan
from core.transitions import transition
from members.services import notification_send

from .. import rules, selectors
from ..models import ApplicationLine, CounterKind, EntryKind, Mode, Programme, Voucher, VoucherDraw
from ..permissions import can_apply_for, can_decide
from . import ledger

S = Voucher.Status
ZERO = Decimal("0.00")
DEFAULT_VALIDITY_DAYS = 365


def _locked(voucher: Voucher) -> Voucher:
    return Voucher.objects.select_for_update().select_related("programme", "unit").get(pk=voucher.pk)


@transaction.atomic
def voucher_apply(
    *, actor, programme: Programme, unit, amount: Decimal, purpose: str, project_name: str = ""
) -> Voucher:
    """An enterprise's administrator asks for a quota in an open voucher programme."""
    if not can_apply_for(actor, unit):
        raise PermissionDenied
    if programme.mode != Mode.VOUCHER:
        raise DomainError(_("This programme pays by reimbursement; apply with your service records instead."))
    today = timezone.localdate()
    if not (programme.applies_from <= today <= programme.applies_until):
        raise DomainError(
            _("This programme accepts applications from %(start)s to %(end)s.")
            % {"start": programme.applies_from, "end": programme.applies_until}
        )
    problem = rules.applicant_problem(programme, unit)
    if problem:
        raise DomainError(problem)
    amount = to_yuan(amount)
    if amount <= 0:
        raise DomainError(_("Ask for a quota above zero."), field="amount")
    if not purpose.strip():
        raise DomainError(_("Say what the work is for."), field="purpose")
    voucher = Voucher(
        programme=programme,
        unit=unit,
        created_by=actor,
        requested_amount=amount,
        purpose=purpose.strip(),
        project_name=project_name.strip(),
    )
    voucher._history_user, voucher._change_reason = actor, "requested"
    voucher.full_clean()
    voucher.save()
    return voucher


@transaction.atomic
def voucher_grant(*, actor, voucher: Voucher, amount: Decimal | None = None, reason: str = "", today=None) -> Voucher:
    """Grant the quota asked (``amount`` None) or a smaller one with a reason; the quota is
    committed against the budget and the cap, or refused naming the limit and by how much.
    Granting again what is granted with the same quota changes nothing."""
    if not can_decide(actor):
        raise PermissionDenied
    voucher = _locked(voucher)
    target = voucher.requested_amount if amount is None else to_yuan(amount)
    if voucher.status in (S.GRANTED, S.ACTIVE, S.EXHAUSTED) and voucher.quota == target:
        return voucher
    if voucher.status != S.REQUESTED:
        raise InvalidTransition(_("Only a requested voucher can be granted."))
    if not (0 < target <= voucher.requested_amount):
        raise DomainError(
            _("Grant a quota above zero and at most the %(asked)s asked.")
            % {"asked": format_yuan(voucher.requested_amount)},
            field="amount",
        )
    reason = reason.strip()
    if target < voucher.requested_amount and not reason:
        raise DomainError(_("Give the reason for granting less than asked (the enterprise sees it)."), field="reason")
    programme = ledger.programme_lock(voucher.programme_id)
    key = selectors.holder_key_for(programme, voucher.unit)
    counter = ledger.counter_lock(
        programme=programme, kind=CounterKind.APPLICANT, holder_key=key, cap=programme.cap_per_enterprise
    )
    ledger.check_and_commit(programme=programme, counter=counter, amount=target)
    ledger.entry_write(
        key=f"voucher:{voucher.pk}:grant",
        programme=programme,
        kind=EntryKind.GRANT,
        amount=target,
        holder_key=key,
        actor=actor,
        voucher=voucher,
        note=reason,
    )
    today = today or timezone.localdate()
    days = programme.voucher_validity_days or DEFAULT_VALIDITY_DAYS
    transition(
        voucher,
        to=S.GRANTED,
        actor=actor,
        reason=reason,
        quota=target,
        holder_key=key,
        valid_from=today,
        valid_until=today + timedelta(days=days - 1),
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    _tell_unit(
        voucher,
        gettext_lazy("Voucher %(number)s granted: %(amount)s yuan until %(until)s"),
        amount=voucher.quota,
        until=voucher.valid_until,
    )
    return voucher


@transaction.atomic
def voucher_refuse(*, actor, voucher: Voucher, reason: str) -> Voucher:
    if not can_decide(actor):
        raise PermissionDenied
    if not reason.strip():
        raise DomainError(_("Give the reason for the refusal (the enterprise sees it)."), field="reason")
    voucher = _locked(voucher)
    if voucher.status == S.REFUSED:
        return voucher
    transition(
        voucher,
        to=S.REFUSED,
        actor=actor,
        reason=reason.strip(),
        decision_reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=actor,
    )
    return voucher


def _tell_unit(voucher: Voucher, subject, **params) -> None:
    from members.selectors import unit_managers

    notification_send(
        recipients=[*unit_managers(voucher.unit), voucher.created_by],
        subject=subject,
        body=subject,
        params={"number": voucher.number, **{k: str(v) for k, v in params.items()}},
    )


# --- Draws at completion ----------------------------------------------------------------------


def _candidates(record: ServiceRecord, day):
    return (
        Voucher.objects.filter(
            unit_id=record.user_unit_id,
            status__in=Voucher.USABLE_STATUSES,
            programme__mode=Mode.VOUCHER,
            valid_from__lte=day,
            valid_until__gte=day,
        )
        .select_related("programme", "unit")
        .order_by("valid_until", "pk")
    )


def _eligible(voucher: Voucher, record: ServiceRecord) -> bool:
    claimed = ApplicationLine.objects.filter(service_record=record, live=True).exists()
    problem = rules.record_problem(voucher.programme, voucher.unit, record, claimed=claimed, require_paid=False)
    return problem is None


def _share(voucher: Voucher, record: ServiceRecord) -> Decimal:
    return rules.line_subsidy(record.amount, rules.line_rate(voucher.programme, voucher.unit, record))


def voucher_draw_for_record(*, record: ServiceRecord, actor=None) -> VoucherDraw | None:
    """The ``service_record_charged`` hook: draw the voucher share of ``record``'s charge from the
    user's unit's voucher (the one expiring first that the service is eligible for), or adjust the
    draw already made after a correction of the charge. Never more than the balance; with no
    balance the user pays in full and is told so. Runs in the caller's transaction."""
    existing = VoucherDraw.objects.filter(service_record=record).first()
    if existing is not None:
        return voucher_draw_correct(record=record, actor=actor)
    if record.user_unit_id is None or record.amount <= 0:
        return None
    day = timezone.localdate(record.started_at)
    for candidate in _candidates(record, day):
        if not _eligible(candidate, record):
            continue
        voucher = _locked(candidate)
        if voucher.status not in Voucher.USABLE_STATUSES:
            continue  # used up or expired while we waited for the lock
        share = _share(voucher, record)
        amount = min(share, voucher.remaining)
        if amount <= 0:
            continue
        draw = VoucherDraw.objects.create(
            voucher=voucher,
            service_record=record,
            charged=record.amount,
            share=share,
            amount=amount,
            note=""
            if amount == share
            else _("The voucher's balance covered %(amount)s of its share.") % {"amount": format_yuan(amount)},
        )
        _move(voucher, record=record, draw=draw, kind=EntryKind.DRAW, amount=amount, actor=actor, revision=1)
        _tell_user(record, draw)
        return draw
    if (
        _candidates(record, day).exists()
        or Voucher.objects.filter(
            unit_id=record.user_unit_id, status=S.EXHAUSTED, programme__mode=Mode.VOUCHER
        ).exists()
    ):
        _tell_user(record, None)
    return None


def voucher_draw_correct(*, record: ServiceRecord, actor=None) -> VoucherDraw:
    """After the owner corrects the charged amount: the draw follows it with one new entry (a
    draw for more, a draw return for less), within the voucher's balance."""
    draw = VoucherDraw.objects.select_related("voucher").get(service_record=record)
    voucher = _locked(draw.voucher)
    draw = VoucherDraw.objects.select_for_update().get(pk=draw.pk)
    if draw.redemption_id is not None and draw.redemption.status not in ("draft", "returned", "rejected"):
        raise DomainError(_("This service's voucher share is claimed for redemption; it cannot change now."))
    share = _share(voucher, record)
    if voucher.status == S.EXPIRED:
        # What the voucher did not pay was released at expiry: the draw stays, the user pays the rest.
        if record.amount < draw.amount:
            raise DomainError(
                _("The voucher, now expired, paid %(paid)s of this service; the charge cannot go below it.")
                % {"paid": format_yuan(draw.amount)},
                field="amount",
            )
        draw.charged, draw.share, draw.revision = record.amount, share, draw.revision + 1
        draw.note = _("The voucher had expired when the charge was corrected; it pays what it paid.")
        draw._history_user, draw._change_reason = actor, "charge corrected after expiry"
        draw.save()
        return draw
    amount = min(share, voucher.remaining + draw.amount)
    difference = amount - draw.amount
    draw.charged, draw.share, draw.revision = record.amount, share, draw.revision + 1
    if difference == 0:
        draw.save()
        return draw
    draw.amount = amount
    draw._history_user, draw._change_reason = actor, "charge corrected"
    draw.save()
    kind = EntryKind.DRAW if difference > 0 else EntryKind.DRAW_RETURN
    _move(voucher, record=record, draw=draw, kind=kind, amount=abs(difference), actor=actor, revision=draw.revision)
    return draw


def _move(voucher: Voucher, *, record, draw, kind, amount: Decimal, actor, revision: int) -> None:
    """Change the voucher's drawn total (the row is locked) and write the entry; the check
    constraint refuses an overdraw whatever a caller did wrong."""
    sign = 1 if kind == EntryKind.DRAW else -1
    Voucher.objects.filter(pk=voucher.pk).update(drawn=voucher.drawn + sign * amount)
    voucher.drawn += sign * amount
    ledger.entry_write(
        key=f"voucher:{voucher.pk}:draw:{record.pk}:{revision}",
        programme=voucher.programme,
        kind=kind,
        amount=amount,
        holder_key=voucher.holder_key,
        actor=actor,
        voucher=voucher,
        note=f"service record {record.pk}",
    )
    to = S.EXHAUSTED if voucher.remaining == 0 else S.ACTIVE
    if voucher.status != to:
        transition(voucher, to=to, actor=actor, reason=f"service record {record.pk}")


def _tell_user(record: ServiceRecord, draw: VoucherDraw | None) -> None:
    if record.user is None:
        return
    if draw is None:
        subject = gettext_lazy("No voucher balance left: you pay %(amount)s yuan in full")
        notification_send(
            recipients=[record.user],
            subject=subject,
            body=subject,
            params={"amount": f"{record.amount:,.2f}"},
            url=record.get_absolute_url(),
        )
        return
    subject = gettext_lazy("Voucher %(number)s paid %(voucher)s yuan; you pay %(user)s yuan")
    notification_send(
        recipients=[record.user],
        subject=subject,
        body=subject,
        params={"number": draw.voucher.number, "voucher": f"{draw.amount:,.2f}", "user": f"{draw.paid_by_user:,.2f}"},
        url=record.get_absolute_url(),
    )


# --- Expiry -----------------------------------------------------------------------------------


def vouchers_expire(*, today=None) -> int:
    """Expire every voucher whose validity ended before ``today`` and release what was not drawn
    to the budget and the cap. Idempotent: an expired voucher is never released twice (its
    release entry has one key). Returns how many vouchers expired now."""
    today = today or timezone.localdate()
    due = Voucher.objects.filter(status__in=(S.GRANTED, S.ACTIVE, S.EXHAUSTED), valid_until__lt=today).values_list(
        "pk", flat=True
    )
    count = 0
    for pk in list(due):
        with transaction.atomic():
            if voucher_expire(voucher=Voucher(pk=pk), today=today):
                count += 1
    return count


@transaction.atomic
def voucher_expire(*, voucher: Voucher, today=None) -> bool:
    voucher = _locked(voucher)
    today = today or timezone.localdate()
    if voucher.status not in (S.GRANTED, S.ACTIVE, S.EXHAUSTED) or voucher.valid_until >= today:
        return False
    left = voucher.remaining
    if left > 0:
        programme = ledger.programme_lock(voucher.programme_id)
        counter = ledger.counter_lock(
            programme=programme,
            kind=CounterKind.APPLICANT,
            holder_key=voucher.holder_key,
            cap=programme.cap_per_enterprise,
        )
        _entry, written = ledger.entry_write(
            key=f"voucher:{voucher.pk}:expiry",
            programme=programme,
            kind=EntryKind.EXPIRY,
            amount=left,
            holder_key=voucher.holder_key,
            actor=None,
            voucher=voucher,
            note="expired",
        )
        if written:
            ledger.release(programme=programme, counter=counter, amount=left)
    transition(voucher, to=S.EXPIRED, reason="validity ended")
    return True


REMINDERS = (("reminded_month_at", 30), ("reminded_week_at", 7))


def voucher_expiry_reminders(*, today=None) -> int:
    """Tell each enterprise a month and a week before its voucher lapses what is left of it; each
    reminder once (the row remembers it was sent). Returns how many reminders went out."""
    today = today or timezone.localdate()
    sent = 0
    for field, days in REMINDERS:
        due = Voucher.objects.filter(
            status__in=Voucher.USABLE_STATUSES,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=days),
            **{f"{field}__isnull": True},
        ).select_related("programme", "unit", "created_by")
        for voucher in due:
            with transaction.atomic():
                if not Voucher.objects.filter(pk=voucher.pk, **{f"{field}__isnull": True}).update(
                    **{field: timezone.now()}
                ):
                    continue  # another run sent it
                _tell_unit(
                    voucher,
                    gettext_lazy("Voucher %(number)s lapses on %(until)s: %(amount)s yuan left"),
                    until=voucher.valid_until,
                    amount=f"{voucher.remaining:,.2f}",
                )
                sent += 1
    return sent
