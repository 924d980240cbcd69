"""Pages of the spreadsheet import and the exports: parse input, call one service, render.

A unit's import and export pages are only for the people who manage its instruments; everyone
else gets the same 404 whether the unit exists or not.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members.exceptions import DomainError
from members.permissions import is_bureau_staff

from . import exporting, importing, selectors
from .importing.columns import COLUMNS, header_synonyms
from .importing.jobs import ALLOWED_EXTENSIONS, MAX_UPLOAD_BYTES
from .importing.rows import LIST_CAP
from .models import ImportJob, Instrument

UNIT_FORMATS = ("csv", "xlsx")
REGISTRY_FORMATS = ("csv", "xlsx", "uniquip")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
        help_text=gettext_lazy(
            "Headers in Chinese or English, in any order; rows are matched to your instruments by asset number."
        ),
    )


@login_required
def import_start(request, unit_pk):
    unit = selectors.unit_get_for_instrument_manager(user=request.user, pk=unit_pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_job_start(actor=request.user, unit=unit, uploaded_file=form.cleaned_data["file"])
        except DomainError as err:
            form.add_error("file", err.message)
        else:
            return redirect("instruments:import_detail", unit_pk=unit.pk, pk=job.pk)
    return render(
        request,
        "instruments/import/start.html",
        {
            "unit": unit,
            "form": form,
            "jobs": importing.import_job_list(unit=unit)[:10],
            "max_mb": MAX_UPLOAD_BYTES >> 20,
            "header_synonyms": [(column.header, header_synonyms(column)) for column in COLUMNS],
        },
    )


@login_required
def import_detail(request, unit_pk, pk):
    unit = selectors.unit_get_for_instrument_manager(user=request.user, pk=unit_pk)
    job = importing.import_job_get(unit=unit, pk=pk)
    report = job.report
    return render(
        request,
        "instruments/import/detail.html",
        {
            "unit": unit,
            "job": job,
            "progress": importing.import_job_progress(job),
            "report": report,
            "can_confirm": job.status == ImportJob.Status.VALIDATED and (job.to_create or job.to_update),
            "can_cancel": job.status == ImportJob.Status.VALIDATED,
            "list_cap": LIST_CAP,
            "errors_cut": report.get("error_total", 0) > len(report.get("errors", [])),
            "created_cut": job.to_create > len(report.get("created", [])),
            "updated_cut": job.to_update > len(report.get("updated", [])),
        },
    )


@login_required
def import_status(request, unit_pk, pk):
    unit = selectors.unit_get_for_instrument_manager(user=request.user, pk=unit_pk)
    job = importing.import_job_get(unit=unit, pk=pk)
    return JsonResponse(importing.import_job_progress(job))


@login_required
@require_POST
def import_confirm(request, unit_pk, pk):
    unit = selectors.unit_get_for_instrument_manager(user=request.user, pk=unit_pk)
    job = importing.import_job_get(unit=unit, pk=pk)
    try:
        importing.import_job_confirm(actor=request.user, job=job)
    except DomainError as err:
        messages.error(request, err.message)
    return redirect("instruments:import_detail", unit_pk=unit.pk, pk=job.pk)


@login_required
@require_POST
def import_cancel(request, unit_pk, pk):
    unit = selectors.unit_get_for_instrument_manager(user=request.user, pk=unit_pk)
    job = importing.import_job_get(unit=unit, pk=pk)
    try:
        importing.import_job_cancel(actor=request.user, job=job)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The import was cancelled; nothing was written."))
    return redirect("instruments:import_start", unit_pk=unit.pk)


@login_required
def export(request, unit_pk, fmt):
    unit = selectors.unit_get_for_instrument_manager(user=request.user, pk=unit_pk)
    if fmt not in UNIT_FORMATS:
        raise Http404
    return exporting.unit_export_response(unit, fmt)


@login_required
def template(request, fmt):
    if fmt not in UNIT_FORMATS:
        raise Http404
    return exporting.template_response(fmt)


@login_required
def registry_export(request, fmt):
    """The bureau's export of the whole registry (instruments not retired)."""
    if not is_bureau_staff(request.user) or fmt not in REGISTRY_FORMATS:
        raise Http404
    queryset = Instrument.objects.public() if fmt == "uniquip" else Instrument.objects.active()
    return exporting.registry_export_response(queryset, fmt, base_url=request.build_absolute_uri("/"))
