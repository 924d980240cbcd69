"""Pages for booking instruments, the owner's queue, outages, service records and iCal feeds.

Each view parses input, calls one service or selector, and renders.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.permissions import can_manage_instruments

from . import fees, ical, importing, selectors, services
from .availability import local
from .exceptions import DomainError
from .filters import BookingFilter, ServiceRecordFilter
from .forms import BookingRequestForm, CompleteForm, ImportForm, OutageForm, RateForm, ReasonForm, ServiceRecordForm
from .models import Booking, ServiceRecordImport

PAGE_SIZE = 20


def _week_start(request) -> date:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = local(timezone.now()).date()
    return selectors.week_start_of(day)


def _initial_slot(request, instrument) -> dict:
    """Prefill the form from a clicked free cell (?start=ISO&end=ISO)."""
    try:
        start = timezone.datetime.fromisoformat(request.GET["start"])
        end = timezone.datetime.fromisoformat(request.GET["end"])
    except (KeyError, ValueError):
        return {}
    start, end = local(start), local(end)
    wanted = start + timedelta(minutes=max(60, instrument.min_slot_minutes))
    end = min(end, wanted)
    return {"date": start.date(), "start_time": start.time(), "end_time": end.time()}


def calendar(request, pk):
    """The week calendar of an instrument with the request form (signed-in members of a unit)."""
    instrument = selectors.instrument_get_for_booking(user=request.user, pk=pk)
    now = timezone.now()
    week_start = _week_start(request)
    is_owner = can_manage_instruments(request.user, instrument.unit)
    units = selectors.booking_units_for_user(user=request.user)
    form = BookingRequestForm(request.POST or None, units=units, initial=_initial_slot(request, instrument))
    estimate = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        if form.is_valid():
            data = form.cleaned_data
            if "estimate" in request.POST:
                estimate = fees.estimate(
                    instrument,
                    unit=data["unit"],
                    start=data["starts_at"],
                    end=data["ends_at"],
                    samples=data["sample_count"],
                )
            else:
                try:
                    booking = services.booking_request(
                        user=request.user,
                        unit=data["unit"],
                        instrument=instrument,
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        purpose=data["purpose"],
                        sample_count=data["sample_count"],
                        sample_description=data["sample_description"],
                        service_way=data["service_way"],
                        project_name=data["project_name"],
                        funding_source=data["funding_source"],
                    )
                except DomainError as err:
                    form.add_error(None, err.message)
                else:
                    if booking.status == Booking.Status.APPROVED:
                        messages.success(request, _("Your booking is confirmed."))
                    else:
                        messages.success(request, _("Your request was sent to the instrument's owner."))
                    return redirect(booking)
    unit_for_prices = units.first() if units else None
    context = {
        "instrument": instrument,
        "week": selectors.week_calendar(instrument=instrument, week_start=week_start, now=now, show_details=is_owner),
        "previous_week": (week_start - timedelta(days=7)).isoformat(),
        "next_week": (week_start + timedelta(days=7)).isoformat(),
        "this_week": week_start.isoformat(),
        "form": form,
        "can_book": units.exists(),
        "is_owner": is_owner,
        "opening_hours": instrument.opening_hours.all(),
        "fee_items": instrument.fee_items.all(),
        "internal": unit_for_prices is not None and unit_for_prices.pk == instrument.unit_id,
        "estimate": estimate,
    }
    return render(request, "bookings/calendar.html", context)


def _booking_page(request, queryset, template, title):
    booking_filter = BookingFilter(request.GET or None, queryset=queryset.order_by("-starts_at", "-pk"))
    page = Paginator(booking_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"filter": booking_filter, "page": page, "title": title})


@login_required
def my_bookings(request):
    return _booking_page(
        request, selectors.booking_list_for_requester(user=request.user), "bookings/my_bookings.html", _("My bookings")
    )


@login_required
def requests_queue(request):
    return _booking_page(
        request, selectors.booking_list_for_owner(user=request.user), "bookings/requests.html", _("Booking requests")
    )


@login_required
def detail(request, pk):
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    is_owner = can_manage_instruments(request.user, booking.instrument.unit)
    record = getattr(booking, "service_record", None)
    complete_initial = {
        "actual_start": local(booking.starts_at),
        "actual_end": local(booking.ends_at),
        "measurement_hours": round((booking.ends_at - booking.starts_at).total_seconds() / 3600, 2),
        "sample_count": booking.sample_count,
    }
    context = {
        "booking": booking,
        "is_owner": is_owner,
        "is_requester": booking.requester_id == request.user.pk,
        "events": booking.events.select_related("actor"),
        "record": record,
        "reason_form": ReasonForm(),
        "complete_form": CompleteForm(initial=complete_initial),
        "rate_form": RateForm(),
    }
    return render(request, "bookings/detail.html", context)


def _approve(request, booking):
    services.booking_approve(actor=request.user, booking=booking)
    return _("The booking is approved.")


def _reject(request, booking):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.booking_reject(actor=request.user, booking=booking, reason=reason)
    return _("The booking is rejected.")


def _cancel(request, booking):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.booking_cancel(actor=request.user, booking=booking, reason=reason)
    return _("The booking is cancelled.")


def _no_show(request, booking):
    services.booking_no_show(actor=request.user, booking=booking)
    return _("The booking is recorded as a no-show.")


def _complete(request, booking):
    form = CompleteForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items() if k in form.fields)
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
    )
    return _("The booking is completed and recorded as a service.")


BOOKING_ACTIONS = {
    "approve": _approve,
    "reject": _reject,
    "cancel": _cancel,
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
    return redirect(booking)


# --- Service records ------------------------------------------------------------------------------


@login_required
def record_list(request):
    record_filter = ServiceRecordFilter(
        request.GET or None, queryset=selectors.service_record_list_visible(user=request.user)
    )
    page = Paginator(record_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "bookings/record_list.html", {"filter": record_filter, "page": page})


@login_required
def record_detail(request, pk):
    record = selectors.service_record_get_for_user(user=request.user, pk=pk)
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_record_rate(
                user=request.user,
                record=record,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(record)
    can_rate = record.user_id == request.user.pk and record.rating is None
    return render(request, "bookings/record_detail.html", {"record": record, "form": form, "can_rate": can_rate})


@login_required
def record_create(request):
    instruments = selectors.instruments_managed_by(user=request.user)
    form = ServiceRecordForm(
        request.POST or None, instruments=instruments, initial={"instrument": request.GET.get("instrument")}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            record = services.service_record_create(actor=request.user, **data)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("The service record is saved."))
            return redirect(record)
    return render(request, "bookings/record_form.html", {"form": form, "has_instruments": instruments.exists()})


@login_required
def record_import(request):
    units = selectors.managed_units(user=request.user)
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_check(
                actor=request.user, unit=form.cleaned_data["unit"], upload=form.cleaned_data["file"]
            )
        except DomainError as err:
            form.add_error("file", err.message)
        else:
            return redirect("bookings:record_import_review", pk=job.pk)
    return render(request, "bookings/record_import.html", {"form": form, "columns": importing.COLUMNS})


@login_required
def record_import_template(request):
    response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="service-records-template.csv"'
    return response


@login_required
def record_import_review(request, pk):
    job = selectors.import_get_for_manager(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            if "confirm" in request.POST:
                job = importing.import_confirm(actor=request.user, job=job)
                messages.success(request, _("%(n)d service records were imported.") % {"n": job.created_count})
            else:
                job = importing.import_cancel(actor=request.user, job=job)
                messages.info(request, _("The import is cancelled; nothing was written."))
        except DomainError as err:
            messages.error(request, err.message)
        return redirect("bookings:record_import_review", pk=job.pk)
    return render(
        request,
        "bookings/record_import_review.html",
        {"job": job, "can_confirm": job.status == ServiceRecordImport.Status.CHECKED and job.error_count == 0},
    )


# --- Outages --------------------------------------------------------------------------------------


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


# --- iCal feeds -----------------------------------------------------------------------------------


@login_required
def feeds(request):
    token = services.calendar_token_get(user=request.user)
    if request.method == "POST":
        token = services.calendar_token_reset(user=request.user)
        messages.success(request, _("New feed addresses are issued; the old ones no longer work."))
        return redirect("bookings:feeds")
    my_url = request.build_absolute_uri(reverse("bookings:feed_user", args=[token.token]))
    instruments = selectors.instruments_managed_by(user=request.user)[:50]
    instrument_urls = [
        (i, request.build_absolute_uri(reverse("bookings:feed_instrument", args=[token.token, i.pk])))
        for i in instruments
    ]
    return render(
        request, "bookings/feeds.html", {"my_url": my_url, "instrument_urls": instrument_urls, "token": token.token}
    )


def _ics(payload: bytes) -> HttpResponse:
    response = HttpResponse(payload, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def feed_user(request, token):
    user = selectors.calendar_token_owner(token=token)
    return _ics(ical.user_feed(user=user))


def feed_instrument(request, token, pk):
    user = selectors.calendar_token_owner(token=token)
    instrument = selectors.instrument_get_for_booking(user=user, pk=pk)
    return _ics(ical.instrument_feed(instrument=instrument))
