"""The requester's and the owner's booking lists, one booking's page and its actions."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.permissions import is_unit_manager

from .. import fees, selectors, services
from ..availability import local
from ..exceptions import DomainError
from ..filters import BookingFilter
from ..forms import CancelForm, CompleteForm, DecisionForm, RateForm, ReasonForm, field_errors_text
from ..models import Booking

HUNDREDTH = Decimal("0.01")  # hours are entered to the hundredth

PAGE_SIZE = 20


def _booking_page(request, queryset, template, title, *, data=None):
    booking_filter = BookingFilter(data or request.GET or None, queryset=queryset)
    page = Paginator(booking_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"filter": booking_filter, "page": page, "title": title})


@login_required
def my_bookings(request):
    return _booking_page(
        request,
        selectors.booking_list_for_requester(user=request.user).order_by("-starts_at", "-pk"),
        "bookings/my_bookings.html",
        _("My bookings"),
    )


@login_required
def requests_queue(request):
    """The owner's queue: the pending requests first, soonest first, and only them unless another
    status (or every status, an empty one) is asked for; each is approved or rejected in its row."""
    data = request.GET.copy()
    data.setdefault("status", Booking.Status.REQUESTED)
    return _booking_page(
        request,
        selectors.booking_list_for_owner(user=request.user).order_by(*selectors.PENDING_FIRST),
        "bookings/requests.html",
        _("Booking requests"),
        data=data,
    )


@login_required
def detail(request, pk):
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    return render(request, "bookings/detail.html", _detail_context(request, booking))


def _detail_context(request, booking, *, decision_form=None) -> dict:
    record = getattr(booking, "service_record", None)
    complete_initial = {
        "actual_start": local(booking.starts_at),
        "actual_end": local(booking.ends_at),
        "measurement_hours": fees.hours_between(booking.starts_at, booking.ends_at).quantize(HUNDREDTH),
        "sample_count": booking.sample_count,
    }
    return {
        "booking": booking,
        "is_owner": is_unit_manager(request.user, booking.instrument.unit),
        "is_requester": booking.requester_id == request.user.pk,
        "events": booking.events.select_related("actor"),
        "record": record,
        "decision_form": decision_form or DecisionForm(),
        "complete_form": CompleteForm(initial=complete_initial),
        "rate_form": RateForm(),
    }


@login_required
@require_POST
def decide(request, pk):
    """The manager's one decision form: approve, or reject with a reason (``booking_reject`` asks
    for it); a refused decision shows the booking page again with the error at its field."""
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.booking_approve(actor=request.user, booking=booking)
                message = _("The booking is approved.")
            else:
                services.booking_reject(actor=request.user, booking=booking, reason=form.cleaned_data["reason"])
                message = _("The booking is rejected.")
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, message)
            return redirect(booking)
    return render(request, "bookings/detail.html", _detail_context(request, booking, decision_form=form))


@login_required
def cancel(request, pk):
    """Cancelling asks first: a GET (or a POST without the confirmation) shows the booking and what
    cancelling means; the confirmed POST cancels it."""
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    confirmed = request.method == "POST" and request.POST.get("confirm")
    form = CancelForm(request.POST if confirmed else None, initial={"reason": request.POST.get("reason", "")})
    if confirmed and form.is_valid():
        try:
            services.booking_cancel(actor=request.user, booking=booking, reason=form.cleaned_data["reason"])
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, _("The booking is cancelled."))
            return redirect(booking)
    context = {
        "booking": booking,
        "form": form,
        "is_owner": is_unit_manager(request.user, booking.instrument.unit),
        "is_requester": booking.requester_id == request.user.pk,
    }
    return render(request, "bookings/cancel.html", context)


def _approve(request, booking):
    services.booking_approve(actor=request.user, booking=booking)
    return _("The booking is approved.")


def _reject(request, booking):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.booking_reject(actor=request.user, booking=booking, reason=reason)
    return _("The booking is rejected.")


def _no_show(request, booking):
    services.booking_no_show(actor=request.user, booking=booking)
    return _("The booking is recorded as a no-show.")


def _complete(request, booking):
    form = CompleteForm(request.POST)
    if not form.is_valid():
        errors = field_errors_text(form)
        raise DomainError(errors or _("Check the form."))
    data = form.cleaned_data
    services.booking_complete(
        actor=request.user,
        booking=booking,
        actual_start=data["actual_start"],
        actual_end=data["actual_end"],
        preparation_hours=data["preparation_hours"],
        measurement_hours=data["measurement_hours"],
        post_processing_hours=data["post_processing_hours"],
        sample_count=data["sample_count"],
        amount=data["amount"],
        amount_reason=data["amount_reason"],
        purpose=data["purpose"],
    )
    return _("The booking is completed and recorded as a service.")


BOOKING_ACTIONS = {
    "approve": _approve,
    "reject": _reject,
    "no-show": _no_show,
    "complete": _complete,
}


@login_required
@require_POST
def booking_action(request, pk, action):
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    handler = BOOKING_ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        message = handler(request, booking)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, message)
    back = request.POST.get("next", "")  # the queue a decision was taken in
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    if back and safe:
        return redirect(back)
    return redirect(booking)
