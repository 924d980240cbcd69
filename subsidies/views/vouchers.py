"""The enterprise's voucher pages: applying for a quota in a voucher programme, the units'
vouchers, and one voucher with every draw, the bureau's reason and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.exceptions import DomainError

from .. import page_selectors, services, voucher_selectors
from ..forms import VoucherApplyForm

PAGE_SIZE = 20


@login_required
def voucher_apply(request, pk):
    """Ask for a voucher quota in a voucher programme, for an enterprise the user administers."""
    programme = voucher_selectors.voucher_programme_get(pk=pk)
    units = page_selectors.units_for_applying(user=request.user)
    initial = {"unit": units[0].pk if units else None}
    form = VoucherApplyForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            voucher = services.voucher_apply(
                actor=request.user,
                programme=programme,
                unit=data["unit"],
                amount=data["amount"],
                purpose=data["purpose"],
                project_name=data["project_name"],
            )
        except PermissionDenied as err:
            raise Http404 from err
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, _("Your voucher application is sent; the bureau decides on the quota."))
            return redirect("subsidies:voucher_detail", pk=voucher.pk)
    context = {"programme": programme, "form": form, "units": units}
    return render(request, "subsidies/vouchers/apply.html", context)


@login_required
def voucher_list(request):
    """The vouchers of the user's units: quota, drawn, remaining, validity and status."""
    page = Paginator(voucher_selectors.voucher_list_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "subsidies/vouchers/list.html", {"page": page})


@login_required
def voucher_detail(request, pk):
    """One voucher: its figures, every draw with its service record, the decision and the history."""
    voucher = voucher_selectors.voucher_get_for_viewer(user=request.user, pk=pk)
    context = {
        "voucher": voucher,
        "draws": list(voucher_selectors.voucher_draws(voucher)),
        "history": voucher_selectors.status_history(voucher),
        "can_view_statement": page_selectors.can_view_statement(request.user, voucher.unit),
    }
    return render(request, "subsidies/vouchers/detail.html", context)
