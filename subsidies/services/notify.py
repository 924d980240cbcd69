"""Notifications of subsidy decisions to the parties, in each reader's language (members' outbox)."""

from django.utils.translation import gettext_lazy as _

from members.messages import Named
from members.selectors import unit_managers
from members.services import notification_send

from ..models import Application

SUBJECTS = {
    Application.Status.SUBMITTED: _("Services claimed for a subsidy: please confirm"),
    Application.Status.PROVIDER_CONFIRMED: _("Subsidy application %(number)s confirmed by the providers"),
    Application.Status.RETURNED: _("Subsidy application %(number)s returned to you"),
    Application.Status.APPROVED: _("Subsidy application %(number)s approved"),
    Application.Status.PARTLY_APPROVED: _("Subsidy application %(number)s approved in part"),
    Application.Status.REJECTED: _("Subsidy application %(number)s rejected"),
    Application.Status.PUBLICISED: _("Subsidy application %(number)s on public notice"),
    Application.Status.PAID: _("Subsidy application %(number)s paid"),
    Application.Status.CLAWED_BACK: _("Subsidy application %(number)s clawed back"),
}
BODY = _("Application %(number)s of %(unit)s in %(programme)s is now: %(status)s. Amount: %(amount)s yuan.\n%(reason)s")
PROVIDER_BODY = _(
    "%(unit)s claims a subsidy in %(programme)s for %(count)s services of your instruments. Confirm or dispute "
    "each of them (it happened, at that fee) in your queue."
)


def _params(application: Application, reason: str = "") -> dict:
    return {
        "number": application.number,
        "unit": Named.of(application.unit),
        "programme": str(application.programme),
        "status": Application.Status(application.status).label,
        "amount": f"{application.approved_amount or application.requested_amount:,.2f}",
        "reason": reason,
    }


def notify_applicant(application: Application, *, reason: str = "") -> None:
    subject = SUBJECTS.get(application.status)
    if subject is None:
        return
    notification_send(
        recipients=[*unit_managers(application.unit), application.created_by],
        subject=subject,
        body=BODY,
        params=_params(application, reason),
        url=application.get_absolute_url(),
    )


def notify_providers(application: Application, counts: dict) -> None:
    """``counts``: provider unit → number of its services in the application."""
    from django.urls import reverse

    for provider, count in counts.items():
        notification_send(
            recipients=unit_managers(provider),
            subject=SUBJECTS[Application.Status.SUBMITTED],
            body=PROVIDER_BODY,
            params={**_params(application), "count": count},
            url=reverse("subsidies:provider_queue"),
        )
