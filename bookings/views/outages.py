"""Outages of an instrument: declare and withdraw."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..exceptions import DomainError
from ..forms import OutageConfirmForm, OutageForm

PAGE_SIZE = 20


@login_required
def outages(request, pk):
    """Declare an outage in two steps: the first submit lists the bookings it would cancel
    (``outage_bookings_to_cancel``); the second, confirming that list, declares it."""
    instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
    form = OutageForm(request.POST or None)
    confirm = OutageConfirmForm(request.POST if request.POST.get("confirm") else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        period = {"starts_at": form.cleaned_data["starts_at"], "ends_at": form.cleaned_data["ends_at"]}
        try:
            services.outage_validate(actor=request.user, instrument=instrument, **period)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            if confirm.is_bound and _declare(request, instrument, form, confirm):
                return redirect("bookings:outages", pk=instrument.pk)
            # The preview; after a refused confirmation (the bookings changed), the list as it is now.
            preview = list(selectors.outage_bookings_to_cancel(instrument=instrument, **period))
    page = Paginator(selectors.outage_list_for_instrument(instrument=instrument), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "instrument": instrument,
        "form": form,
        "preview": preview,
        "preview_ids": ",".join(str(b.pk) for b in preview or ()),
        "page": page,
    }
    return render(request, "bookings/outages.html", context)


def _declare(request, instrument, form, confirm) -> bool:
    """Declare the confirmed outage; False, with the error on the form, when it is refused."""
    if not confirm.is_valid():
        form.add_error(None, [e for errors in confirm.errors.values() for e in errors])
        return False
    try:
        services.outage_create(
            actor=request.user,
            instrument=instrument,
            expected_bookings=confirm.cleaned_data["bookings"],
            **form.cleaned_data,
        )
    except DomainError as err:
        form.add_error(None, err.message)
        return False
    messages.success(request, _("The outage is declared; the bookings listed were cancelled and their holders told."))
    return True


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
