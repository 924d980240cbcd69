"""Reads the subsidy pages need beyond ``selectors.py``: the units a person may apply for, the
one way in to an application for its editors, to a line for its provider and to a statement, the
provider's queue grouped by application, and an application's decisions from its history."""

from decimal import Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from members.models import Membership, Unit
from members.permissions import is_bureau_staff
from members.selectors import unit_ids_managed_by

from . import rules, selectors
from .models import Application, ApplicationLine, Evidence, Programme
from .permissions import can_apply_for, can_view_applications_of

ZERO = Decimal("0.00")
PENDING = ApplicationLine.ProviderStatus.PENDING

# The reasons the core writes into the history for steps nobody typed a reason for.
HISTORY_WORDS = {
    "created": _("Created"),
    "confirmed earlier": _("Every service was confirmed earlier"),
    "all services confirmed": _("Every service is confirmed by its provider"),
}


def unit_ids_for_applying(user):
    """Ids of the approved units the user administers (a subquery): the units ``can_apply_for``
    allows, asked of the database at once instead of unit by unit."""
    if not user.is_authenticated:
        return Unit.objects.none().values("pk")
    return (
        Membership.objects.active()
        .filter(user=user, role=Membership.Role.ADMIN, unit__status=Unit.Status.APPROVED)
        .values("unit_id")
    )


def units_for_applying(*, user) -> list[Unit]:
    """Approved units the user administers, in whose name they may apply (one query)."""
    if not user.is_authenticated:
        return []
    return list(Unit.objects.filter(pk__in=unit_ids_for_applying(user)).order_by("name"))


def programme_list_open_with_rules():
    """The open programmes with their higher rates (one query for all of them)."""
    return selectors.programme_list_open().prefetch_related("tiers")


def programme_offers(*, user) -> list[dict]:
    """Each open programme with the user's units that may apply to it and why the others may not."""
    units = units_for_applying(user=user)
    offers = []
    for programme in programme_list_open_with_rules():
        problems = [(unit, rules.applicant_problem(programme, unit)) for unit in units]
        offers.append(
            {
                "programme": programme,
                "units": [unit for unit, problem in problems if problem is None],
                "problems": [(unit, problem) for unit, problem in problems if problem is not None],
            }
        )
    return offers


def application_list_for_index(*, user):
    """The applications of the user's units, each with the time of its last change."""
    history = Application.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date")
    return selectors.application_list_for_user(user=user).annotate(
        updated_at=Subquery(history.values("history_date")[:1])
    )


def application_get_for_applicant(*, user, pk) -> Application:
    """An application for the administrators of its unit (who may edit it); 404 for anyone else."""
    application = selectors.application_get_for_viewer(user=user, pk=pk)
    if not can_apply_for(user, application.unit):
        raise Http404
    return application


def evidence_get_for_applicant(*, user, pk) -> Evidence:
    evidence = get_object_or_404(Evidence, pk=pk)
    application_get_for_applicant(user=user, pk=evidence.application_id)
    return evidence


def line_get_for_provider(*, user, pk) -> ApplicationLine:
    """A claimed line of a service on the instruments of a unit the user manages; 404 otherwise."""
    line = ApplicationLine.objects.filter(pk=pk, provider_id__in=unit_ids_managed_by(user)).first()
    if line is None:
        raise Http404
    return line


def provider_queue(*, user, pending_only: bool = False):
    """The applications that claim services of the user's units' instruments: those with lines
    waiting for the provider first, then the newest. Each carries ``waiting``, its number of lines
    waiting for this provider."""
    lines = selectors.provider_lines(user=user, pending_only=pending_only)
    mine = Q(lines__in=lines.values("pk"))
    return (
        Application.objects.with_related()
        .filter(pk__in=lines.values("application_id"))
        .annotate(waiting=Count("lines", filter=mine & Q(lines__provider_status=PENDING)))
        .order_by("-waiting", "-submitted_at", "-pk")
    )


def provider_queue_lines(*, user, applications, pending_only: bool = False) -> dict[int, list[ApplicationLine]]:
    """The user's lines of these applications (one query), waiting lines first, by application id."""
    waiting_first = Case(When(provider_status=PENDING, then=Value(0)), default=Value(1), output_field=IntegerField())
    lines = (
        selectors.provider_lines(user=user, pending_only=pending_only)
        .filter(application__in=[a.pk for a in applications])
        .select_related("provider", "service_record__user")
        .order_by(waiting_first, "service_record__started_at", "pk")
    )
    grouped: dict[int, list[ApplicationLine]] = {}
    for line in lines:
        grouped.setdefault(line.application_id, []).append(line)
    return grouped


def application_decisions(application: Application) -> list[dict]:
    """The steps of an application's status, oldest first: when, who, to which status, and why."""
    rows = application.history.select_related("history_user").order_by("history_date", "history_id")
    decisions, previous = [], None
    for row in rows:
        if row.status == previous:
            continue
        previous = row.status
        decisions.append(
            {
                "at": row.history_date,
                "who": row.history_user,
                "status": row.get_status_display(),
                "status_code": row.status,
                "reason": _history_reason(row),
            }
        )
    return decisions


def _history_reason(row) -> str:
    text = row.history_change_reason or ""
    prefix = f"{row.status}: "
    if text == row.status:
        return ""
    if text.startswith(prefix):
        text = text[len(prefix) :]
        # The history column keeps 100 characters; the application keeps the whole reason.
        if text.endswith("…") and row.decision_reason.startswith(text[:-1]):
            text = row.decision_reason
    return str(HISTORY_WORDS.get(text, text))


def can_view_statement(user, unit: Unit) -> bool:
    return can_view_applications_of(user, unit) or is_bureau_staff(user)


def statement_get_for_viewer(*, user, programme_pk, unit_pk) -> tuple[Programme, Unit, dict]:
    """A unit's statement in a programme for the unit's active members and the bureau; 404 else."""
    programme = get_object_or_404(Programme, pk=programme_pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    if not can_view_statement(user, unit):
        raise Http404
    data = selectors.statement(programme=programme, unit=unit)
    applications = list(data["applications"])
    provided = list(data["provided"])
    confirmed = [line for line in provided if line.provider_status == ApplicationLine.ProviderStatus.CONFIRMED]
    granted = [a for a in applications if a.status in Application.GRANTED_STATUSES]
    data.update(
        applications=applications,
        provided=provided,
        totals={
            "requested": sum((a.requested_amount for a in applications), ZERO),
            "approved": sum((a.approved_amount for a in granted), ZERO),
            "paid": sum((a.approved_amount for a in applications if a.status == Application.Status.PAID), ZERO),
            "confirmed_fees": sum((line.fee for line in confirmed), ZERO),
            "confirmed_count": len(confirmed),
        },
    )
    return programme, unit, data


def dashboard_counts(*, user) -> dict:
    """What asks for the user's action: the drafts and returned applications of the units they
    may apply for, and the services of their instruments waiting for confirmation in submitted
    applications."""
    needing = (
        Application.objects.with_related()
        .filter(unit__in=unit_ids_for_applying(user), status__in=Application.EDITABLE_STATUSES)
        .order_by("-status", "-created_at")
    )
    pending = (
        selectors.provider_lines(user=user, pending_only=True)
        .filter(application__status=Application.Status.SUBMITTED)
        .aggregate(count=Count("pk"), fees=Sum("fee"))
    )
    return {"needing": needing, "pending_lines": pending["count"], "pending_fees": pending["fees"] or ZERO}
