"""Provider rewards at a programme's close: a share of each provider's confirmed external income.

Reading taken (Qingdao: "10% of external fees, ≤ 2,000,000 per unit per year"): the income that
counts is the fee of every service line the provider confirmed in this programme's applications
that the bureau granted (approved, publicised or paid) — the external income the bureau has
verified — not every external booking the provider ever recorded.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError, InvalidTransition, PermissionDenied
from core.money import format_yuan, to_yuan
from core.transitions import transition

from ..models import Application, ApplicationLine, CounterKind, EntryKind, Programme, ProviderReward
from ..permissions import can_decide, can_pay
from . import ledger

S = ProviderReward.Status
ZERO = Decimal("0.00")


def reward_income(programme: Programme):
    """(provider unit id, confirmed external income, services) for the programme, in the database."""
    return (
        ApplicationLine.objects.filter(
            application__programme=programme,
            application__status__in=Application.GRANTED_STATUSES,
            provider_status=ApplicationLine.ProviderStatus.CONFIRMED,
            live=True,
        )
        .order_by()
        .values("provider_id")
        .annotate(income=Sum("fee"), services=Count("pk"))
    )


@transaction.atomic
def provider_rewards_compute(*, actor, programme: Programme) -> list[ProviderReward]:
    """Compute (or recompute, while still under review) each provider's reward:
    ``to_yuan(income × rate)``, lowered to its yearly cap. Rewards already decided stay as they are."""
    if not can_decide(actor):
        raise PermissionDenied
    programme = ledger.programme_lock(programme.pk)
    if programme.provider_reward_rate is None:
        raise DomainError(_("This programme has no provider reward rate."))
    results = []
    for row in reward_income(programme):
        computed = to_yuan(row["income"] * programme.provider_reward_rate)
        if programme.provider_reward_cap is not None:
            computed = min(computed, programme.provider_reward_cap)
        reward, created = ProviderReward.objects.select_for_update().get_or_create(
            programme=programme,
            unit_id=row["provider_id"],
            defaults={
                "external_income": row["income"],
                "services": row["services"],
                "rate": programme.provider_reward_rate,
                "computed_amount": computed,
            },
        )
        if not created and reward.status == S.COMPUTED:
            reward.external_income, reward.services = row["income"], row["services"]
            reward.rate, reward.computed_amount = programme.provider_reward_rate, computed
            reward._history_user, reward._change_reason = actor, "recomputed"
            reward.save()
        results.append(reward)
    return results


def _locked(reward: ProviderReward, actor, *, pay=False) -> ProviderReward:
    if not (can_pay(actor) if pay else can_decide(actor)):
        raise PermissionDenied
    return ProviderReward.objects.select_for_update().select_related("programme", "unit").get(pk=reward.pk)


def _counter(programme, reward):
    return ledger.counter_lock(
        programme=programme, kind=CounterKind.PROVIDER, holder_key=reward.holder_key, cap=programme.provider_reward_cap
    )


@transaction.atomic
def reward_approve(*, actor, reward: ProviderReward, amount: Decimal | None = None, reason: str = "") -> ProviderReward:
    reward = _locked(reward, actor)
    target = reward.computed_amount if amount is None else to_yuan(amount)
    if reward.status in ProviderReward.GRANTED_STATUSES and reward.approved_amount == target:
        return reward
    if reward.status != S.COMPUTED:
        raise InvalidTransition(_("Only a computed reward can be approved."))
    if not (0 < target <= reward.computed_amount):
        raise DomainError(
            _("Approve an amount above zero and at most the computed %(amount)s.")
            % {"amount": format_yuan(reward.computed_amount)},
            field="amount",
        )
    status = S.APPROVED
    if target < reward.computed_amount:
        if not reason.strip():
            raise DomainError(_("Give the reason for approving less than computed."), field="reason")
        status = S.PARTLY_APPROVED
    programme = ledger.programme_lock(reward.programme_id)
    counter = _counter(programme, reward)
    _entry, written = ledger.entry_write(
        key=f"reward:{reward.pk}:commitment",
        programme=programme,
        kind=EntryKind.COMMITMENT,
        amount=target,
        holder_key=reward.holder_key,
        actor=actor,
        reward=reward,
        note=reason,
    )
    if written:
        ledger.check_and_commit(programme=programme, counter=counter, amount=target)
    transition(
        reward,
        to=status,
        actor=actor,
        reason=reason.strip(),
        approved_amount=target,
        decision_reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=actor,
    )
    return reward


@transaction.atomic
def reward_reject(*, actor, reward: ProviderReward, reason: str) -> ProviderReward:
    if not reason.strip():
        raise DomainError(_("Give the reason for the rejection."), field="reason")
    reward = _locked(reward, actor)
    if reward.status == S.REJECTED:
        return reward
    if reward.status not in (S.COMPUTED, S.APPROVED, S.PARTLY_APPROVED, S.PUBLICISED):
        raise InvalidTransition(_("A paid reward cannot be rejected; claw it back instead."))
    if reward.approved_amount > 0:
        programme = ledger.programme_lock(reward.programme_id)
        counter = _counter(programme, reward)
        _entry, written = ledger.entry_write(
            key=f"reward:{reward.pk}:release:to:0.00",
            programme=programme,
            kind=EntryKind.RELEASE,
            amount=reward.approved_amount,
            holder_key=reward.holder_key,
            actor=actor,
            reward=reward,
            note=reason,
        )
        if written:
            ledger.release(programme=programme, counter=counter, amount=reward.approved_amount)
    transition(
        reward,
        to=S.REJECTED,
        actor=actor,
        reason=reason.strip(),
        approved_amount=ZERO,
        decision_reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=actor,
    )
    return reward


@transaction.atomic
def reward_publicise(*, actor, reward: ProviderReward, today=None) -> ProviderReward:
    from datetime import timedelta

    reward = _locked(reward, actor)
    if reward.status == S.PUBLICISED:
        return reward
    today = today or timezone.localdate()
    days = max(reward.programme.notice_days, 1)
    transition(reward, to=S.PUBLICISED, actor=actor, notice_from=today, notice_until=today + timedelta(days=days - 1))
    return reward


@transaction.atomic
def reward_pay(*, actor, reward: ProviderReward, reference: str, today=None) -> ProviderReward:
    if not reference.strip():
        raise DomainError(_("Give the payment reference of the finance office."), field="reference")
    reward = _locked(reward, actor, pay=True)
    if reward.status == S.PAID:
        return reward
    if reward.status != S.PUBLICISED:
        raise InvalidTransition(_("Only a reward that has been on public notice can be paid."))
    if (today or timezone.localdate()) <= reward.notice_until:
        raise DomainError(
            _("The public notice runs until %(date)s; pay after it ends.") % {"date": reward.notice_until}
        )
    programme = ledger.programme_lock(reward.programme_id)
    ledger.entry_write(
        key=f"reward:{reward.pk}:payment",
        programme=programme,
        kind=EntryKind.PAYMENT,
        amount=reward.approved_amount,
        holder_key=reward.holder_key,
        actor=actor,
        reward=reward,
        note=reference.strip()[:60],
    )
    transition(
        reward,
        to=S.PAID,
        actor=actor,
        reason=reference.strip(),
        paid_at=timezone.now(),
        payment_reference=reference.strip()[:60],
    )
    return reward


@transaction.atomic
def reward_claw_back(*, actor, reward: ProviderReward, reason: str) -> ProviderReward:
    if not reason.strip():
        raise DomainError(_("Give the reason for the clawback."), field="reason")
    reward = _locked(reward, actor, pay=True)
    if reward.status == S.CLAWED_BACK:
        return reward
    if reward.status != S.PAID:
        raise InvalidTransition(_("Only a paid reward can be clawed back."))
    programme = ledger.programme_lock(reward.programme_id)
    counter = _counter(programme, reward)
    _entry, written = ledger.entry_write(
        key=f"reward:{reward.pk}:clawback",
        programme=programme,
        kind=EntryKind.CLAWBACK,
        amount=reward.approved_amount,
        holder_key=reward.holder_key,
        actor=actor,
        reward=reward,
        note=reason,
    )
    if written:
        ledger.release(programme=programme, counter=counter, amount=reward.approved_amount)
    transition(reward, to=S.CLAWED_BACK, actor=actor, reason=reason.strip(), decision_reason=reason.strip())
    return reward
