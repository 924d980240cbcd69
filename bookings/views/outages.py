"""Outages of an instrument: declare and withdraw."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..exceptions import DomainError
from ..forms import OutageForm

PAGE_SIZE = 20


@login_required
def outages(request, pk):
    instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
    form = OutageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outage_create(actor=request.user, instrument=instrument, **form.cleaned_data)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(
                request, _("The outage is declared; bookings inside it were cancelled and their holders told.")
            )
            return redirect("bookings:outages", pk=instrument.pk)
    page = Paginator(selectors.outage_list_for_instrument(instrument=instrument), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "bookings/outages.html", {"instrument": instrument, "form": form, "page": page})


@login_required
@require_POST
def outage_withdraw(request, pk):
    outage = selectors.outage_get_for_manager(user=request.user, pk=pk)
    try:
        services.outage_withdraw(actor=request.user, outage=outage)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The outage is withdrawn; its time can be booked again."))
    return redirect("bookings:outages", pk=outage.instrument_id)
