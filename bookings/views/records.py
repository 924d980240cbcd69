"""Service records: lists, one record, entry by hand and spreadsheet import (a background job)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.panels import render_panels
from members.permissions import is_unit_manager

from .. import importing, selectors, services
from ..availability import local
from ..exceptions import DomainError
from ..filters import ServiceRecordFilter
from ..forms import CorrectAmountForm, ImportForm, MarkPaidForm, RateForm, ServiceRecordForm, field_errors_text
from ..models import ServiceRecordImport

PAGE_SIZE = 20


@login_required
def record_list(request):
    record_filter = ServiceRecordFilter(
        request.GET or None, queryset=selectors.service_record_list_visible(user=request.user)
    )
    page = Paginator(record_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "bookings/record_list.html", {"filter": record_filter, "page": page})


@login_required
def record_detail(request, pk, panels=()):
    """One service record, with the panels the apps above add to it (bookings/urls.py)."""
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
    context = {"record": record, "form": form, "can_rate": can_rate, "panels": render_panels(panels, request, record)}
    if is_unit_manager(request.user, record.instrument.unit):
        context["paid_form"] = MarkPaidForm(
            initial={"paid_on": record.paid_on or local(timezone.now()).date(), "invoice_number": record.invoice_number}
        )
        if record.paid_on is None:
            context["amount_form"] = CorrectAmountForm(initial={"amount": record.amount})
    return render(request, "bookings/record_detail.html", context)


@login_required
@require_POST
def record_mark_paid(request, pk):
    """The owner's managers record the user's payment (date and invoice number)."""
    record = selectors.service_record_get_for_manager(user=request.user, pk=pk)
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        errors = field_errors_text(form)
        messages.error(request, errors or _("Check the form."))
        return redirect(record)
    try:
        services.service_record_mark_paid(actor=request.user, record=record, **form.cleaned_data)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The payment is recorded."))
    return redirect(record)


@login_required
@require_POST
def record_correct_amount(request, pk):
    """The owner's managers correct an unpaid record's amount, with a reason."""
    record = selectors.service_record_get_for_manager(user=request.user, pk=pk)
    form = CorrectAmountForm(request.POST)
    if not form.is_valid():
        errors = field_errors_text(form)
        messages.error(request, errors or _("Check the form."))
        return redirect(record)
    try:
        services.service_record_correct_amount(actor=request.user, record=record, **form.cleaned_data)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The amount is corrected."))
    return redirect(record)


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
            form.add_error(err.field if err.field in form.fields else None, err.message)
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
            job = services.service_record_import_start(
                actor=request.user, unit=form.cleaned_data["unit"], uploaded_file=form.cleaned_data["file"]
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
    """The import's page: progress while a step runs (polled), then the report, confirm and cancel."""
    job = selectors.import_get_for_manager(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            if "confirm" in request.POST:
                services.service_record_import_confirm(actor=request.user, job=job)
            else:
                services.service_record_import_cancel(actor=request.user, job=job)
                messages.info(request, _("The import is cancelled; nothing was written."))
        except DomainError as err:
            messages.error(request, err.message)
        return redirect("bookings:record_import_review", pk=job.pk)
    validated = job.status == ServiceRecordImport.Status.VALIDATED
    return render(
        request,
        "bookings/record_import_review.html",
        {
            "job": job,
            "progress": services.service_record_import_progress(job),
            "can_confirm": validated and job.to_create > 0,
            "can_cancel": validated,
            "errors_cut": job.report.get("error_total", 0) > len(job.report.get("errors", [])),
        },
    )


@login_required
def record_import_status(request, pk):
    """The progress of an import as JSON, for the review page's polling."""
    job = selectors.import_get_for_manager(user=request.user, pk=pk)
    return JsonResponse(services.service_record_import_progress(job))
