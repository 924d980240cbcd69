"""Reimbursement applications, from draft to payment: the applicant's, the provider's and the
bureau's use cases. Money moves only in ``approve``, ``reduce``, ``reject``, ``pay`` and
``claw_back``, through ``services.ledger`` (lock order: application, programme, counter)."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError, InvalidTransition, PermissionDenied
from core.money import format_yuan, to_yuan
from core.transitions import transition
from members.models import Unit

from .. import rules, selectors
from ..models import Application, ApplicationLine, CounterKind, EntryKind, Evidence, Programme
from ..permissions import can_apply_for, can_confirm_for, can_decide, can_pay
from . import ledger
from .notify import notify_applicant, notify_providers

S = Application.Status
ZERO = Decimal("0.00")


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("programme", "unit").get(pk=application.pk)


def _require_reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(message, field="reason")
    return reason


# --- The applicant ----------------------------------------------------------------------------


@transaction.atomic
def application_create(
    *, actor, programme: Programme, unit: Unit, project_name: str = "", note: str = ""
) -> Application:
    """A unit's administrator starts a draft in a programme open today."""
    if not can_apply_for(actor, unit):
        raise PermissionDenied
    today = timezone.localdate()
    if not (programme.applies_from <= today <= programme.applies_until):
        raise DomainError(
            _("This programme accepts applications from %(start)s to %(end)s.")
            % {"start": programme.applies_from, "end": programme.applies_until}
        )
    problem = rules.applicant_problem(programme, unit)
    if problem:
        raise DomainError(problem)
    application = Application(
        programme=programme, unit=unit, created_by=actor, project_name=project_name.strip(), note=note.strip()
    )
    application._history_user = actor
    application._change_reason = "created"
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def application_set_lines(*, actor, application: Application, record_ids) -> Application:
    """Claim exactly these service records (the applicant's choice replaces the previous one).
    Each must be the unit's own and eligible; a record claimed by another live application is
    refused (and the database refuses a race to claim it: ``applicationline_one_live_claim``)."""
    application = _locked(application)
    if not can_apply_for(actor, application.unit):
        raise PermissionDenied
    if application.status not in Application.EDITABLE_STATUSES:
        raise DomainError(_("Services can be changed only while the application is a draft or returned to you."))
    ids = {int(i) for i in record_ids}
    rows = {
        row["record"].pk: row
        for row in selectors.claimable_records(
            programme=application.programme, unit=application.unit, application=application
        )
        if row["record"].pk in ids
    }
    missing = ids - rows.keys()
    if missing:
        raise DomainError(_("Service record %(id)s is not one of your unit's charged services.") % {"id": min(missing)})
    for row in rows.values():
        if row["problem"] is not None:
            raise DomainError(
                _("Service record %(id)s cannot be claimed: %(reason)s.")
                % {"id": row["record"].pk, "reason": row["problem"]}
            )
    kept = set(application.lines.filter(service_record_id__in=ids).values_list("service_record_id", flat=True))
    application.lines.exclude(service_record_id__in=ids).delete()
    new = [
        ApplicationLine(
            application=application,
            service_record=row["record"],
            provider_id=row["record"].instrument.unit_id,
            fee=row["record"].amount,
            rate=row["rate"],
            subsidy=row["subsidy"],
        )
        for pk, row in rows.items()
        if pk not in kept
    ]
    try:
        with transaction.atomic():
            ApplicationLine.objects.bulk_create(new)
    except IntegrityError as err:
        raise DomainError(_("One of these services was just claimed in another application; reload the list.")) from err
    return _recompute(application, actor=actor, reason="services chosen")


def _recompute(application: Application, *, actor, reason: str) -> Application:
    application.requested_amount = selectors.application_arithmetic(application).result
    application._history_user = actor
    application._change_reason = reason
    application.save(update_fields=["requested_amount"])
    return application


@transaction.atomic
def application_update(*, actor, application: Application, project_name: str, note: str) -> Application:
    application = _locked(application)
    if not can_apply_for(actor, application.unit):
        raise PermissionDenied
    if application.status not in Application.EDITABLE_STATUSES:
        raise DomainError(_("The application can be changed only while it is a draft or returned to you."))
    application.project_name, application.note = project_name.strip(), note.strip()
    application._history_user, application._change_reason = actor, "edited"
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def application_submit(*, actor, application: Application) -> Application:
    """Send the claim to the providers for confirmation: at least one service and an invoice with
    its number. Disputed lines of a returned application must be removed or are asked again."""
    application = _locked(application)
    if not can_apply_for(actor, application.unit):
        raise PermissionDenied
    lines = list(application.lines.select_related("provider"))
    if not lines:
        raise DomainError(_("Choose at least one service to claim."))
    if not application.evidence.filter(kind=Evidence.Kind.INVOICE).exists():
        raise DomainError(_("Attach the invoice (with its number) before submitting."))
    if timezone.localdate() > application.programme.applies_until:
        raise DomainError(_("The programme's application window has closed."))
    application.lines.exclude(provider_status=ApplicationLine.ProviderStatus.CONFIRMED).update(
        provider_status=ApplicationLine.ProviderStatus.PENDING, provider_reason=""
    )
    _recompute(application, actor=actor, reason="recomputed")
    transition(application, to=S.SUBMITTED, actor=actor, submitted_at=timezone.now())
    if all(line.provider_status == ApplicationLine.ProviderStatus.CONFIRMED for line in application.lines.all()):
        transition(application, to=S.PROVIDER_CONFIRMED, actor=actor, reason="confirmed earlier")
        notify_applicant(application)
    else:
        pending = application.lines.exclude(provider_status=ApplicationLine.ProviderStatus.CONFIRMED)
        notify_providers(application, Counter(line.provider for line in pending.select_related("provider")))
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application) -> Application:
    application = _locked(application)
    if not can_apply_for(actor, application.unit):
        raise PermissionDenied
    transition(application, to=S.WITHDRAWN, actor=actor)
    application.lines.update(live=False)
    return application


# --- The provider -----------------------------------------------------------------------------


def _line_for_provider(actor, line: ApplicationLine) -> tuple[ApplicationLine, Application]:
    line = ApplicationLine.objects.select_for_update().select_related("provider").get(pk=line.pk)
    if not can_confirm_for(actor, line.provider):
        raise PermissionDenied
    application = _locked(line.application)
    if application.status != S.SUBMITTED:
        raise InvalidTransition(_("Only services of a submitted application can be confirmed or disputed."))
    return line, application


@transaction.atomic
def line_confirm(*, actor, line: ApplicationLine) -> ApplicationLine:
    """The provider confirms the service happened, at that fee. When every line is confirmed the
    application goes to the bureau."""
    line, application = _line_for_provider(actor, line)
    if line.provider_status == ApplicationLine.ProviderStatus.CONFIRMED:
        return line
    line.provider_status = ApplicationLine.ProviderStatus.CONFIRMED
    line.provider_reason, line.provider_decided_at, line.provider_decided_by = "", timezone.now(), actor
    line._history_user, line._change_reason = actor, "confirmed"
    line.save()
    if not application.lines.exclude(provider_status=ApplicationLine.ProviderStatus.CONFIRMED).exists():
        transition(application, to=S.PROVIDER_CONFIRMED, actor=actor, reason="all services confirmed")
        notify_applicant(application)
    return line


@transaction.atomic
def line_dispute(*, actor, line: ApplicationLine, reason: str) -> ApplicationLine:
    """The provider disputes a line; the application goes back to the applicant with the reason."""
    reason = _require_reason(reason, _("Say what is wrong with this service (the applicant sees it)."))
    line, application = _line_for_provider(actor, line)
    line.provider_status = ApplicationLine.ProviderStatus.DISPUTED
    line.provider_reason, line.provider_decided_at, line.provider_decided_by = reason, timezone.now(), actor
    line._history_user, line._change_reason = actor, "disputed"
    line.save()
    text = _("The provider %(provider)s disputes service record %(record)s: %(reason)s") % {
        "provider": line.provider.name,
        "record": line.service_record_id,
        "reason": reason,
    }
    transition(application, to=S.RETURNED, actor=actor, reason=text, decision_reason=text)
    notify_applicant(application, reason=text)
    return line


# --- The bureau -------------------------------------------------------------------------------


def _bureau(actor, application: Application, *, pay: bool = False) -> Application:
    if not (can_pay(actor) if pay else can_decide(actor)):
        raise PermissionDenied
    return _locked(application)


@transaction.atomic
def application_start_review(*, actor, application: Application) -> Application:
    application = _bureau(actor, application)
    if application.status == S.UNDER_REVIEW:
        return application
    transition(application, to=S.UNDER_REVIEW, actor=actor)
    return application


@transaction.atomic
def application_return(*, actor, application: Application, reason: str) -> Application:
    reason = _require_reason(reason, _("Say what the applicant must add or correct."))
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
        _require_reason(reason, _("Give the reason for approving less than requested (the applicant sees it)."))
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
    reason = _require_reason(reason, _("Give the reason for the reduction (the applicant sees it)."))
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
    reason = _require_reason(reason, _("Give the reason for the rejection (the applicant sees it)."))
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
    reference = _require_reason(reference, _("Give the payment reference of the finance office."))
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
    reason = _require_reason(reason, _("Give the reason for the clawback (the applicant sees it)."))
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
