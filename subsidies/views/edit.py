"""Editing a draft (or returned) application: the services claimed, the project, the evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.money import format_yuan

from .. import page_selectors, selectors, services
from ..forms import ApplicationForm, EvidenceForm
from ..models import Application


def _editable(request, pk):
    """The application for its unit's administrators (404 for others), or None when it can no
    longer be changed (the caller sends them to its page)."""
    application = page_selectors.application_get_for_applicant(user=request.user, pk=pk)
    if application.status not in Application.EDITABLE_STATUSES:
        messages.info(request, _("This application can no longer be changed."))
        return application, False
    return application, True


def _form_error(form, err: DomainError) -> None:
    form.add_error(err.field if err.field in form.fields else None, err.message)


@login_required
def application_edit(request, pk):
    """The unit's claimable services as a checkbox table, the project and note: "Save draft"."""
    application, editable = _editable(request, pk)
    if not editable:
        return redirect(application)
    rows = selectors.claimable_records(programme=application.programme, unit=application.unit, application=application)
    eligible = [row["record"].pk for row in rows if row["problem"] is None]
    chosen = list(application.lines.values_list("service_record_id", flat=True))
    form = ApplicationForm(
        request.POST or None,
        record_ids=eligible,
        initial={"records": chosen, "project_name": application.project_name, "note": application.note},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.application_set_lines(actor=request.user, application=application, record_ids=data["records"])
                services.application_update(
                    actor=request.user, application=application, project_name=data["project_name"], note=data["note"]
                )
        except PermissionDenied as err:
            raise Http404 from err
        except DomainError as err:
            _form_error(form, err)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(reverse("subsidies:application_edit", args=[application.pk]) + "#arithmetic")
    return _edit_page(request, application, form=form, rows=rows)


def _edit_page(request, application, *, form=None, evidence_form=None, rows=None):
    if rows is None:
        rows = selectors.claimable_records(
            programme=application.programme, unit=application.unit, application=application
        )
    if form is None:
        form = ApplicationForm(
            record_ids=[row["record"].pk for row in rows if row["problem"] is None],
            initial={"project_name": application.project_name, "note": application.note},
        )
    if form.is_bound:
        selected = {int(v) for v in form.data.getlist("records") if str(v).isdigit()}
    else:
        selected = set(application.lines.values_list("service_record_id", flat=True))
    lines = list(application.lines.select_related("service_record__instrument", "provider"))
    context = {
        "application": application,
        "rows": rows,
        "selected": selected,
        "form": form,
        "evidence_form": evidence_form or EvidenceForm(),
        "evidence": list(application.evidence.all()),
        "lines": lines,
        "arithmetic": selectors.application_arithmetic(application) if lines else None,
        "yuan_pattern": format_yuan(0).replace("0.00", "{amount}"),
    }
    return render(request, "subsidies/application_edit.html", context)


@login_required
@require_POST
def evidence_upload(request, pk):
    """Attach a PDF or image; errors (type, size, a missing invoice number) show on the edit page."""
    application, editable = _editable(request, pk)
    if not editable:
        return redirect(application)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evidence_add(
                actor=request.user,
                application=application,
                kind=data["kind"],
                file=data["file"],
                invoice_number=data["invoice_number"],
            )
        except PermissionDenied as err:
            raise Http404 from err
        except DomainError as err:
            _form_error(form, err)
        else:
            messages.success(request, _("The document is attached."))
            return redirect(reverse("subsidies:application_edit", args=[application.pk]) + "#evidence")
    return _edit_page(request, application, evidence_form=form)


@login_required
@require_POST
def evidence_remove(request, pk):
    evidence = page_selectors.evidence_get_for_applicant(user=request.user, pk=pk)
    application_pk = evidence.application_id
    try:
        services.evidence_remove(actor=request.user, evidence=evidence)
    except PermissionDenied as err:
        raise Http404 from err
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The document is removed."))
    return redirect(reverse("subsidies:application_edit", args=[application_pk]) + "#evidence")
