"""The bureau's decisions on reimbursement applications. Money moves only in ``approve``, ``reduce``,
``reject``, ``pay`` and ``claw_back``, through ``services.ledger`` (lock order: application, programme,
counter)."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError, InvalidTransition, PermissionDenied
from core.money import format_yuan, to_yuan
from core.transitions import transition

from .. import selectors
from ..models import Application, CounterKind, EntryKind
from ..permissions import can_decide, can_pay
from . import ledger
from .applications import application_lock, required_reason
from .notify import notify_applicant

S = Application.Status
ZERO = Decimal("0.00")


def _bureau(actor, application: Application, *, pay: bool = False) -> Application:
    if not (can_pay(actor) if pay else can_decide(actor)):
        raise PermissionDenied
    return application_lock(application)


@transaction.atomic
def application_start_review(*, actor, application: Application) -> Application:
    application = _bureau(actor, application)
    if application.status == S.UNDER_REVIEW:
        return application
    transition(application, to=S.UNDER_REVIEW, actor=actor)
    return application


@transaction.atomic
def application_return(*, actor, application: Application, reason: str) -> Application:
    reason = required_reason(reason, _("Say what the applicant must add or correct."))
    application = _bureau(actor, application)
    if application.status not in Application.DECIDABLE_STATUSES:
        raise InvalidTransition(_("Only an application under review can be returned."))
    transition(
        application,
        to=S.RETURNED,
        actor=actor,
        reason=reason,
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    notify_applicant(application, reason=reason)
    return application


def _approval_target(application: Application, amount: Decimal | None, reason: str) -> tuple[Decimal, str]:
    requested = application.requested_amount
    amount = requested if amount is None else to_yuan(amount)
    if amount <= 0:
        raise DomainError(_("Approve an amount above zero, or reject the application."), field="amount")
    if amount > requested:
        raise DomainError(
            _("At most the requested %(requested)s can be approved.") % {"requested": format_yuan(requested)},
            field="amount",
        )
    if amount < requested:
        required_reason(reason, _("Give the reason for approving less than requested (the applicant sees it)."))
        return amount, S.PARTLY_APPROVED
    return amount, S.APPROVED


@transaction.atomic
def application_approve(
    *, actor, application: Application, amount: Decimal | None = None, reason: str = ""
) -> Application:
    """Approve in full (``amount`` None) or a smaller amount with a reason; commits the amount
    against the budget and the applicant's (or its group's) cap, or refuses naming the limit.
    Approving again what is already approved with the same amount changes nothing."""
    application = _bureau(actor, application)
    if application.status in Application.GRANTED_STATUSES and application.approved_amount == (
        application.requested_amount if amount is None else to_yuan(amount)
    ):
        return application
    if application.status not in Application.DECIDABLE_STATUSES:
        raise InvalidTransition(_("Only an application confirmed by its providers can be approved."))
    amount, status = _approval_target(application, amount, reason)
    programme = ledger.programme_lock(application.programme_id)
    key = selectors.holder_key_for(programme, application.unit)
    counter = ledger.counter_lock(
        programme=programme, kind=CounterKind.APPLICANT, holder_key=key, cap=programme.cap_per_enterprise
    )
    entry, written = ledger.entry_write(
        key=f"application:{application.pk}:commitment",
        programme=programme,
        kind=EntryKind.COMMITMENT,
        amount=amount,
        holder_key=key,
        actor=actor,
        application=application,
        note=reason,
    )
    if written:
        ledger.check_and_commit(programme=programme, counter=counter, amount=amount)
    transition(
        application,
        to=status,
        actor=actor,
        reason=reason.strip(),
        approved_amount=entry.amount,
        holder_key=key,
        decision_reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=actor,
    )
    notify_applicant(application, reason=reason.strip())
    return application


def _release(application: Application, *, to_amount: Decimal, actor, reason: str) -> None:
    """Give back what is committed above ``to_amount`` (a reduction, or 0 for a rejection)."""
    difference = application.approved_amount - to_amount
    if difference <= 0:
        return
    programme = ledger.programme_lock(application.programme_id)
    counter = ledger.counter_lock(
        programme=programme,
        kind=CounterKind.APPLICANT,
        holder_key=application.holder_key,
        cap=programme.cap_per_enterprise,
    )
    _entry, written = ledger.entry_write(
        key=f"application:{application.pk}:release:to:{to_amount}",
        programme=programme,
        kind=EntryKind.RELEASE,
        amount=difference,
        holder_key=application.holder_key,
        actor=actor,
        application=application,
        note=reason,
    )
    if written:
        ledger.release(programme=programme, counter=counter, amount=difference)


@transaction.atomic
def application_reduce(*, actor, application: Application, amount: Decimal, reason: str) -> Application:
    """Lower an approved amount (before payment); the difference is released in the ledger."""
    reason = required_reason(reason, _("Give the reason for the reduction (the applicant sees it)."))
    application = _bureau(actor, application)
    amount = to_yuan(amount)
    if application.status == S.PARTLY_APPROVED and application.approved_amount == amount:
        return application
    if application.status not in (S.APPROVED, S.PARTLY_APPROVED, S.PUBLICISED):
        raise InvalidTransition(_("Only an approved application that is not yet paid can be reduced."))
    if not (0 < amount < application.approved_amount):
        raise DomainError(
            _("Give an amount above zero and below the approved %(approved)s; to withdraw it all, reject.")
            % {"approved": format_yuan(application.approved_amount)},
            field="amount",
        )
    _release(application, to_amount=amount, actor=actor, reason=reason)
    transition(
        application,
        to=S.PARTLY_APPROVED,
        actor=actor,
        reason=reason,
        approved_amount=amount,
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
        notice_from=None,
        notice_until=None,
    )
    notify_applicant(application, reason=reason)
    return application


@transaction.atomic
def application_reject(*, actor, application: Application, reason: str) -> Application:
    """Reject (the applicant sees the reason); after an approval the committed amount is released.
    The claimed services become claimable again."""
    reason = required_reason(reason, _("Give the reason for the rejection (the applicant sees it)."))
    application = _bureau(actor, application)
    if application.status == S.REJECTED:
        return application
    if application.status not in (*Application.DECIDABLE_STATUSES, S.APPROVED, S.PARTLY_APPROVED, S.PUBLICISED):
        raise InvalidTransition(_("Only an application under review or approved and not yet paid can be rejected."))
    _release(application, to_amount=ZERO, actor=actor, reason=reason)
    transition(
        application,
        to=S.REJECTED,
        actor=actor,
        reason=reason,
        approved_amount=ZERO,
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    application.lines.update(live=False)
    notify_applicant(application, reason=reason)
    return application


@transaction.atomic
def application_publicise(*, actor, application: Application, today=None) -> Application:
    """Put an approved application on the public notice page for the programme's notice days."""
    application = _bureau(actor, application)
    if application.status == S.PUBLICISED:
        return application
    today = today or timezone.localdate()
    days = application.programme.notice_days
    transition(
        application,
        to=S.PUBLICISED,
        actor=actor,
        notice_from=today,
        notice_until=today + timedelta(days=max(days, 1) - 1),
    )
    notify_applicant(application)
    return application


@transaction.atomic
def application_pay(*, actor, application: Application, reference: str, today=None) -> Application:
    """Mark paid after the notice period, with the payment reference; one payment entry however
    often it is asked."""
    reference = required_reason(reference, _("Give the payment reference of the finance office."), field="reference")
    application = _bureau(actor, application, pay=True)
    if application.status == S.PAID:
        return application
    if application.status != S.PUBLICISED:
        raise InvalidTransition(_("Only an application that has been on public notice can be paid."))
    today = today or timezone.localdate()
    if today <= application.notice_until:
        raise DomainError(
            _("The public notice runs until %(date)s; pay after it ends.") % {"date": application.notice_until}
        )
    programme = ledger.programme_lock(application.programme_id)
    ledger.entry_write(
        key=f"application:{application.pk}:payment",
        programme=programme,
        kind=EntryKind.PAYMENT,
        amount=application.approved_amount,
        holder_key=application.holder_key,
        actor=actor,
        application=application,
        note=reference[:60],
    )
    transition(
        application, to=S.PAID, actor=actor, reason=reference, paid_at=timezone.now(), payment_reference=reference[:60]
    )
    notify_applicant(application)
    return application


@transaction.atomic
def application_claw_back(*, actor, application: Application, reason: str) -> Application:
    """Recover a paid subsidy (reason required): the amount leaves the committed and paid totals.
    The services stay claimed: a clawed-back claim cannot be made again."""
    reason = required_reason(reason, _("Give the reason for the clawback (the applicant sees it)."))
    application = _bureau(actor, application, pay=True)
    if application.status == S.CLAWED_BACK:
        return application
    if application.status != S.PAID:
        raise InvalidTransition(_("Only a paid application can be clawed back."))
    programme = ledger.programme_lock(application.programme_id)
    counter = ledger.counter_lock(
        programme=programme,
        kind=CounterKind.APPLICANT,
        holder_key=application.holder_key,
        cap=programme.cap_per_enterprise,
    )
    _entry, written = ledger.entry_write(
        key=f"application:{application.pk}:clawback",
        programme=programme,
        kind=EntryKind.CLAWBACK,
        amount=application.approved_amount,
        holder_key=application.holder_key,
        actor=actor,
        application=application,
        note=reason,
    )
    if written:
        ledger.release(programme=programme, counter=counter, amount=application.approved_amount)
    transition(application, to=S.CLAWED_BACK, actor=actor, reason=reason, decision_reason=reason)
    notify_applicant(application, reason=reason)
    return application
