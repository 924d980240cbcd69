"""The provider's queue: claimed services of its instruments, to confirm or dispute."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError

from .. import page_selectors, services
from ..forms import DisputeForm

PAGE_SIZE = 20


@login_required
def provider_queue(request):
    """Applications claiming services of the user's units' instruments, waiting ones first, each
    with its lines: the service record, the applicant, and Confirm / Dispute."""
    pending_only = request.GET.get("waiting") == "1"
    applications = page_selectors.provider_queue(user=request.user, pending_only=pending_only)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = page_selectors.provider_queue_lines(
        user=request.user, applications=page.object_list, pending_only=pending_only
    )
    context = {
        "page": page,
        "groups": [(application, lines.get(application.pk, [])) for application in page],
        "pending_only": pending_only,
        "dispute_form": DisputeForm(),
    }
    return render(request, "subsidies/provider_queue.html", context)


def _confirm(request, line):
    services.line_confirm(actor=request.user, line=line)
    return _("The service is confirmed.")


def _dispute(request, line):
    form = DisputeForm(request.POST)
    if not form.is_valid():
        raise DomainError(" ".join(form.errors.get("reason", [])) or _("Check the form."))
    services.line_dispute(actor=request.user, line=line, reason=form.cleaned_data["reason"])
    return _("The service is disputed; the application goes back to the applicant with your reason.")


LINE_ACTIONS = {"confirm": _confirm, "dispute": _dispute}


@login_required
@require_POST
def line_action(request, pk, action):
    line = page_selectors.line_get_for_provider(user=request.user, pk=pk)
    handler = LINE_ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        message = handler(request, line)
    except PermissionDenied as err:
        raise Http404 from err
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, message)
    return redirect(reverse("subsidies:provider_queue") + f"#application-{line.application_id}")
