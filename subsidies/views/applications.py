"""The applicant's pages: open programmes and the unit's applications, starting one, one
application's page with its arithmetic and history, and submitting or withdrawing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.transitions import allowed_targets
from members.selectors import unit_ids_managed_by

from .. import page_selectors, selectors, services, voucher_selectors
from ..forms import ApplyForm
from ..models import Application, Mode, Programme
from ..permissions import can_apply_for

PAGE_SIZE = 20
VOUCHER_ROWS = 5
S = Application.Status


@login_required
def index(request):
    """Open programmes with their rules and an Apply button per unit (a voucher programme: Apply
    for a voucher), the units' latest vouchers and their applications."""
    applications = page_selectors.application_list_for_index(user=request.user)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    vouchers = list(voucher_selectors.voucher_list_for_user(user=request.user)[: VOUCHER_ROWS + 1])
    context = {
        "offers": page_selectors.programme_offers(user=request.user),
        "page": page,
        "vouchers": vouchers[:VOUCHER_ROWS],
        "more_vouchers": len(vouchers) > VOUCHER_ROWS,
        "manages_instruments": unit_ids_managed_by(request.user).exists(),
    }
    return render(request, "subsidies/index.html", context)


@login_required
def apply(request, pk):
    """Start a draft in a programme, for one of the units the user administers."""
    programme = get_object_or_404(Programme, pk=pk)
    if programme.mode == Mode.VOUCHER:  # a voucher is asked for with an amount, not with services
        return redirect("subsidies:voucher_apply", pk=programme.pk)
    units = page_selectors.units_for_applying(user=request.user)
    form = ApplyForm(request.POST or None, units=units, initial={"unit": units[0].pk if units else None})
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user, programme=programme, unit=form.cleaned_data["unit"]
            )
        except PermissionDenied as err:
            raise Http404 from err
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("A draft application is started: choose the services to claim."))
            return redirect("subsidies:application_edit", pk=application.pk)
    return render(request, "subsidies/apply.html", {"programme": programme, "form": form, "units": units})


@login_required
def application_detail(request, pk):
    """Status, amounts, the arithmetic line by line, evidence, decisions and the actions open now."""
    application = selectors.application_get_for_viewer(user=request.user, pk=pk)
    application = selectors.application_with_lines(application.pk)
    is_applicant = can_apply_for(request.user, application.unit)
    targets = allowed_targets(Application, application.status)
    lines = list(application.lines.all())
    context = {
        "application": application,
        "lines": lines,
        "evidence": list(application.evidence.all()),
        "arithmetic": selectors.application_arithmetic(application) if lines else None,
        "decisions": page_selectors.application_decisions(application),
        "can_edit": is_applicant and application.status in Application.EDITABLE_STATUSES,
        "can_submit": is_applicant and S.SUBMITTED in targets and application.status in Application.EDITABLE_STATUSES,
        "can_withdraw": is_applicant and S.WITHDRAWN in targets,
        "can_view_statement": page_selectors.can_view_statement(request.user, application.unit),
    }
    return render(request, "subsidies/application_detail.html", context)


def _submit(request, application):
    services.application_submit(actor=request.user, application=application)
    return _("The application is submitted; the providers are asked to confirm the services.")


def _withdraw(request, application):
    services.application_withdraw(actor=request.user, application=application)
    return _("The application is withdrawn; its services can be claimed again.")


APPLICATION_ACTIONS = {"submit": _submit, "withdraw": _withdraw}


@login_required
@require_POST
def application_action(request, pk, action):
    application = page_selectors.application_get_for_applicant(user=request.user, pk=pk)
    handler = APPLICATION_ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        message = handler(request, application)
    except PermissionDenied as err:
        raise Http404 from err
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, message)
    return redirect(application)
