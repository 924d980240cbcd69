"""Voucher redemptions: a provider unit claims the voucher-paid part of its services in a
settlement period; the bureau reviews (returns, approves or rejects), publicises and pays. The
payment is a ledger entry (``redemption``); the quota was committed at the grant and moved to
"drawn" at each service, so a redemption moves no budget counter.

A draw belongs to at most one redemption (``VoucherDraw.redemption``); a rejected redemption lets
its draws go, so the provider can claim them again."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError, InvalidTransition, PermissionDenied
from core.transitions import transition

from ..models import EntryKind, Mode, Programme, VoucherDraw, VoucherRedemption
from ..permissions import can_confirm_for, can_decide, can_pay
from . import ledger

S = VoucherRedemption.Status
ZERO = Decimal("0.00")


def unredeemed_draws(*, programme: Programme, provider, period_start, period_end):
    """The provider's voucher-paid services in the period not yet in a live redemption."""
    return VoucherDraw.objects.filter(
        voucher__programme=programme,
        service_record__instrument__unit=provider,
        service_record__started_at__date__gte=period_start,
        service_record__started_at__date__lte=period_end,
        redemption__isnull=True,
        amount__gt=0,
    )


def _locked(redemption: VoucherRedemption) -> VoucherRedemption:
    return VoucherRedemption.objects.select_for_update().select_related("programme", "provider").get(pk=redemption.pk)


def _refresh_totals(redemption: VoucherRedemption) -> None:
    totals = redemption.draws.aggregate(amount=Sum("amount"), services=Count("pk"))
    redemption.amount, redemption.services = totals["amount"] or ZERO, totals["services"]
    redemption.save(update_fields=["amount", "services"])


@transaction.atomic
def redemption_create(*, actor, programme: Programme, provider, period_start, period_end) -> VoucherRedemption:
    """A draft claiming every unredeemed voucher-paid service of the provider in the period."""
    if not can_confirm_for(actor, provider):
        raise PermissionDenied
    if programme.mode != Mode.VOUCHER:
        raise DomainError(_("Only a voucher programme's services are redeemed."))
    if period_end < period_start:
        raise DomainError(_("The period must end on or after its first day."), field="period_end")
    if period_end >= timezone.localdate():
        raise DomainError(_("Redeem a period once it has ended."), field="period_end")
    draws = unredeemed_draws(programme=programme, provider=provider, period_start=period_start, period_end=period_end)
    ids = list(draws.select_for_update().values_list("pk", flat=True))
    if not ids:
        raise DomainError(_("No voucher-paid services of yours in this period are waiting to be redeemed."))
    redemption = VoucherRedemption(
        programme=programme, provider=provider, created_by=actor, period_start=period_start, period_end=period_end
    )
    redemption._history_user, redemption._change_reason = actor, "created"
    redemption.full_clean()
    redemption.save()
    VoucherDraw.objects.filter(pk__in=ids).update(redemption=redemption)
    _refresh_totals(redemption)
    return redemption


@transaction.atomic
def redemption_submit(*, actor, redemption: VoucherRedemption) -> VoucherRedemption:
    redemption = _locked(redemption)
    if not can_confirm_for(actor, redemption.provider):
        raise PermissionDenied
    if redemption.status == S.SUBMITTED:
        return redemption
    _refresh_totals(redemption)
    transition(redemption, to=S.SUBMITTED, actor=actor, submitted_at=timezone.now(), decision_reason="")
    return redemption


def _bureau(actor, redemption, *, pay=False) -> VoucherRedemption:
    if not (can_pay(actor) if pay else can_decide(actor)):
        raise PermissionDenied
    return _locked(redemption)


def _reason(reason: str, message) -> str:
    if not (reason or "").strip():
        raise DomainError(message, field="reason")
    return reason.strip()


@transaction.atomic
def redemption_start_review(*, actor, redemption: VoucherRedemption) -> VoucherRedemption:
    redemption = _bureau(actor, redemption)
    if redemption.status != S.UNDER_REVIEW:
        transition(redemption, to=S.UNDER_REVIEW, actor=actor)
    return redemption


@transaction.atomic
def redemption_return(*, actor, redemption: VoucherRedemption, reason: str) -> VoucherRedemption:
    reason = _reason(reason, _("Say what the provider must add or correct."))
    redemption = _bureau(actor, redemption)
    transition(
        redemption,
        to=S.RETURNED,
        actor=actor,
        reason=reason,
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    return redemption


@transaction.atomic
def redemption_approve(*, actor, redemption: VoucherRedemption, reason: str = "") -> VoucherRedemption:
    redemption = _bureau(actor, redemption)
    if redemption.status in (S.APPROVED, S.PUBLICISED, S.PAID):
        return redemption
    transition(
        redemption,
        to=S.APPROVED,
        actor=actor,
        reason=reason.strip(),
        decision_reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=actor,
    )
    return redemption


@transaction.atomic
def redemption_reject(*, actor, redemption: VoucherRedemption, reason: str) -> VoucherRedemption:
    """Reject (the provider sees why); its services may be claimed again in a new redemption."""
    reason = _reason(reason, _("Give the reason for the rejection (the provider sees it)."))
    redemption = _bureau(actor, redemption)
    if redemption.status == S.REJECTED:
        return redemption
    transition(
        redemption,
        to=S.REJECTED,
        actor=actor,
        reason=reason,
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    redemption.draws.update(redemption=None)
    return redemption


@transaction.atomic
def redemption_publicise(*, actor, redemption: VoucherRedemption, today=None) -> VoucherRedemption:
    redemption = _bureau(actor, redemption)
    if redemption.status == S.PUBLICISED:
        return redemption
    today = today or timezone.localdate()
    days = max(redemption.programme.notice_days, 1)
    transition(
        redemption, to=S.PUBLICISED, actor=actor, notice_from=today, notice_until=today + timedelta(days=days - 1)
    )
    return redemption


@transaction.atomic
def redemption_pay(*, actor, redemption: VoucherRedemption, reference: str, today=None) -> VoucherRedemption:
    """Pay the provider after the notice; one ``redemption`` entry however often it is asked."""
    if not (reference or "").strip():
        raise DomainError(_("Give the payment reference of the finance office."), field="reference")
    redemption = _bureau(actor, redemption, pay=True)
    if redemption.status == S.PAID:
        return redemption
    if redemption.status != S.PUBLICISED:
        raise InvalidTransition(_("Only a redemption that has been on public notice can be paid."))
    if (today or timezone.localdate()) <= redemption.notice_until:
        raise DomainError(
            _("The public notice runs until %(date)s; pay after it ends.") % {"date": redemption.notice_until}
        )
    programme = ledger.programme_lock(redemption.programme_id)
    ledger.entry_write(
        key=f"redemption:{redemption.pk}:payment",
        programme=programme,
        kind=EntryKind.REDEMPTION,
        amount=redemption.amount,
        holder_key=f"unit:{redemption.provider_id}",
        actor=actor,
        redemption=redemption,
        note=reference.strip()[:60],
    )
    transition(
        redemption,
        to=S.PAID,
        actor=actor,
        reason=reference.strip(),
        paid_at=timezone.now(),
        payment_reference=reference.strip()[:60],
    )
    return redemption
