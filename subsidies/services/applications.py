"""Reimbursement applications: the applicant's and the provider's use cases (draft, services chosen,
evidence, submission, withdrawal; confirmation or dispute of each claimed service)."""

from collections import Counter
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError, InvalidTransition, PermissionDenied
from core.transitions import transition
from members.models import Unit

from .. import rules, selectors
from ..models import Application, ApplicationLine, Evidence, Mode, Programme
from ..permissions import can_apply_for, can_confirm_for
from .notify import notify_applicant, notify_providers

S = Application.Status
ZERO = Decimal("0.00")


def application_lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("programme", "unit").get(pk=application.pk)


def required_reason(reason: str, message, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(message, field=field)
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
    if programme.mode == Mode.VOUCHER:
        raise DomainError(_("This programme pays by innovation voucher; apply for a voucher instead."))
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
    application = application_lock(application)
    if not can_apply_for(actor, application.unit):
        raise PermissionDenied
    if application.status not in Application.EDITABLE_STATUSES:
        raise DomainError(_("Services can be changed only while the application is a draft or returned to you."))
    ids = {int(i) for i in record_ids}
    rows = {
        row["record"].pk: row
        for row in selectors.claimable_records(
            programme=application.programme, unit=application.unit, application=application, record_ids=ids
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
    application = application_lock(application)
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
    application = application_lock(application)
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
    # A resubmitted application starts afresh: the earlier dispute or return stays in its history.
    transition(application, to=S.SUBMITTED, actor=actor, submitted_at=timezone.now(), decision_reason="")
    if all(line.provider_status == ApplicationLine.ProviderStatus.CONFIRMED for line in application.lines.all()):
        transition(application, to=S.PROVIDER_CONFIRMED, actor=actor, reason="confirmed earlier")
        notify_applicant(application)
    else:
        pending = application.lines.exclude(provider_status=ApplicationLine.ProviderStatus.CONFIRMED)
        notify_providers(application, Counter(line.provider for line in pending.select_related("provider")))
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application) -> Application:
    application = application_lock(application)
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
    application = application_lock(line.application)
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
    reason = required_reason(reason, _("Say what is wrong with this service (the applicant sees it)."))
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
