"""The provider's redemption pages: its voucher-paid services per settlement period waiting to be
redeemed and its redemptions, redeeming an ended period, and one redemption with Submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.transitions import allowed_targets

from .. import page_selectors, services, voucher_selectors
from ..forms import RedeemPeriodForm
from ..models import VoucherRedemption
from ..permissions import can_confirm_for

PAGE_SIZE = 20
S = VoucherRedemption.Status


@login_required
def redemption_list(request):
    """The voucher-paid services of the user's provider units per period not yet redeemed, with
    totals and a Redeem button for ended periods, and the units' redemptions with their status."""
    page = Paginator(voucher_selectors.redemption_list_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"periods": voucher_selectors.unredeemed_periods(user=request.user), "page": page}
    return render(request, "subsidies/redemptions/list.html", context)


@login_required
@require_POST
def redemption_create(request):
    """Redeem one ended period: a draft with every unredeemed voucher-paid service in it."""
    form = RedeemPeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a period from the list to redeem."))
        return redirect("subsidies:redemption_list")
    data = form.cleaned_data
    try:
        redemption = services.redemption_create(
            actor=request.user,
            programme=data["programme"],
            provider=data["provider"],
            period_start=data["period_start"],
            period_end=data["period_end"],
        )
    except PermissionDenied as err:
        raise Http404 from err
    except DomainError as err:
        messages.error(request, err.message)
        return redirect("subsidies:redemption_list")
    messages.success(request, _("The redemption is drafted: check its services and submit it to the bureau."))
    return redirect("subsidies:redemption_detail", pk=redemption.pk)


@login_required
def redemption_detail(request, pk):
    """One redemption: its services, amount, status, the bureau's reason, history and Submit."""
    redemption = voucher_selectors.redemption_get_for_viewer(user=request.user, pk=pk)
    is_provider = can_confirm_for(request.user, redemption.provider)
    context = {
        "redemption": redemption,
        "draws": list(voucher_selectors.redemption_draws(redemption)),
        "history": voucher_selectors.status_history(redemption),
        "can_submit": is_provider and S.SUBMITTED in allowed_targets(VoucherRedemption, redemption.status),
        "can_view_statement": page_selectors.can_view_statement(request.user, redemption.provider),
    }
    return render(request, "subsidies/redemptions/detail.html", context)


@login_required
@require_POST
def redemption_submit(request, pk):
    redemption = voucher_selectors.redemption_get_for_viewer(user=request.user, pk=pk)
    try:
        services.redemption_submit(actor=request.user, redemption=redemption)
    except PermissionDenied as err:
        raise Http404 from err
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The redemption is submitted; the bureau reviews it."))
    return redirect("subsidies:redemption_detail", pk=redemption.pk)
