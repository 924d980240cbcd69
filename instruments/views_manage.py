"""Registry pages for a unit's instrument managers: parse input, call one service or selector, render.

Every page reaches its unit or instrument through an access function of ``selectors``, so anyone
who does not manage it gets the same 404 as for a missing one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.formsets import all_valid
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .exceptions import DomainError
from .forms import (
    ChangeReasonForm,
    InstrumentForm,
    PhotoForm,
    RetireForm,
    StatusForm,
    fee_item_formset,
    opening_hours_formset,
)
from .models import Instrument

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 200  # the catalogue's search field's limit


def _show_errors(err: ValidationError, form, photo_form=None) -> None:
    """Put a service's ValidationError beside the fields it names; the rest above the form."""
    for name, errors in err.message_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        elif name in ("photos", "image") and photo_form is not None:
            photo_form.add_error("image", errors)
        else:
            form.add_error(None, errors)


def _retired_redirect(request, instrument):
    messages.info(request, _("This instrument is retired; its record can no longer be changed."))
    return redirect("instruments:manage_history", pk=instrument.pk)


@login_required
def manage_list(request, unit_pk):
    unit = selectors.unit_get_for_instrument_manager(user=request.user, pk=unit_pk)
    retired = request.GET.get("retired") == "1"
    query = request.GET.get("q", "")[:QUERY_MAX_LENGTH].strip()
    instruments = selectors.instrument_list_for_unit(unit=unit, retired=retired, query=query)
    page = Paginator(instruments, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"unit": unit, "page": page, "retired": retired, "query": query}
    context["counts"] = selectors.instrument_counts_for_unit(unit=unit)
    return render(request, "instruments/manage/list.html", context)


@login_required
def manage_create(request, unit_pk):
    unit = selectors.unit_get_for_instrument_manager(user=request.user, pk=unit_pk)
    data = request.POST if request.method == "POST" else None
    form = InstrumentForm(data, unit=unit, instance=Instrument(unit=unit))
    fees = fee_item_formset(data)
    hours = opening_hours_formset(data)
    photo_form = PhotoForm(data, request.FILES or None, prefix="photo")
    if data is not None and all_valid([form, fees, hours, photo_form]):
        image = photo_form.cleaned_data.get("image")
        photos = [{"image": image, "caption": photo_form.cleaned_data["caption"]}] if image else []
        try:
            instrument = services.instrument_create(
                actor=request.user,
                unit=unit,
                fields=form.service_fields(),
                fee_items=fees.rows(),
                opening_hours=hours.rows(),
                photos=photos,
            )
        except ValidationError as err:
            _show_errors(err, form, photo_form)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(
                request, _("“%(name)s” is registered in the unit's instruments.") % {"name": instrument.name}
            )
            return redirect("instruments:manage_list", unit_pk=unit.pk)
    return render(
        request,
        "instruments/manage/form.html",
        {
            "unit": unit,
            "form": form,
            "fees": fees,
            "hours": hours,
            "photo_form": photo_form,
            "photo_lost": bool(request.FILES),
            "title": _("Register an instrument"),
        },
    )


@login_required
def manage_edit(request, pk):
    instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
    if instrument.is_retired:
        return _retired_redirect(request, instrument)
    data = request.POST if request.method == "POST" else None
    form = InstrumentForm(data, unit=instrument.unit, instance=instrument)
    fees = fee_item_formset(data, instrument=instrument)
    hours = opening_hours_formset(data, instrument=instrument)
    reason_form = ChangeReasonForm(data)
    if data is not None and all_valid([form, fees, hours, reason_form]):
        try:
            services.instrument_update(
                actor=request.user,
                instrument=instrument,
                fields=form.service_fields(),
                fee_items=fees.rows(),
                opening_hours=hours.rows(),
                reason=reason_form.cleaned_data["reason"],
            )
        except ValidationError as err:
            _show_errors(err, form)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("The changes to “%(name)s” are saved.") % {"name": instrument.name})
            return redirect("instruments:manage_list", unit_pk=instrument.unit_id)
    return render(
        request,
        "instruments/manage/form.html",
        {
            "unit": instrument.unit,
            "form": form,
            "fees": fees,
            "hours": hours,
            "reason_form": reason_form,
            "instrument": instrument,
            "missing": selectors.instrument_missing_fields(instrument=instrument),
            "title": _("Edit “%(name)s”") % {"name": instrument.name},
        },
    )


@login_required
def manage_status(request, pk):
    instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
    if instrument.is_retired:
        return _retired_redirect(request, instrument)
    form = StatusForm(request.POST or None, initial={"operating_status": instrument.operating_status})
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_set_status(
                actor=request.user,
                instrument=instrument,
                operating_status=form.cleaned_data["operating_status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as err:
            _show_errors(err, form)
        except DomainError as err:
            form.add_error("operating_status", err.message)
        else:
            messages.success(request, _("The operating status of “%(name)s” is saved.") % {"name": instrument.name})
            return redirect("instruments:manage_list", unit_pk=instrument.unit_id)
    return render(request, "instruments/manage/status.html", {"instrument": instrument, "form": form})


@login_required
def manage_retire(request, pk):
    instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
    if instrument.is_retired:
        return _retired_redirect(request, instrument)
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_retire(actor=request.user, instrument=instrument, reason=form.cleaned_data["reason"])
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("“%(name)s” is retired.") % {"name": instrument.name})
            return redirect("instruments:manage_list", unit_pk=instrument.unit_id)
    return render(request, "instruments/manage/retire.html", {"instrument": instrument, "form": form})


@login_required
def manage_history(request, pk):
    instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
    page = Paginator(selectors.instrument_history(instrument=instrument), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = selectors.instrument_history_entries(instrument=instrument, records=page.object_list)
    return render(
        request, "instruments/manage/history.html", {"instrument": instrument, "page": page, "entries": entries}
    )


@login_required
def manage_photos(request, pk):
    instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
    if instrument.is_retired:
        return _retired_redirect(request, instrument)
    form = PhotoForm(request.POST or None, request.FILES or None, required=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_add(
                actor=request.user,
                instrument=instrument,
                image_file=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as err:
            _show_errors(err, form, form)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("The photo is added."))
            return redirect("instruments:manage_photos", pk=instrument.pk)
    return render(
        request,
        "instruments/manage/photos.html",
        {"instrument": instrument, "form": form, "photos": instrument.photos.all()},
    )


@login_required
@require_POST
def manage_photo_remove(request, pk, photo_pk):
    instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
    photo = selectors.photo_get_for_manager(instrument=instrument, pk=photo_pk)
    try:
        services.photo_remove(actor=request.user, photo=photo)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The photo is removed."))
    return redirect("instruments:manage_photos", pk=instrument.pk)
