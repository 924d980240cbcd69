"""Forms of the bookings pages: they parse input; the services decide."""

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core import timeparse
from core.punctuation import aside, labelled, semicolon
from instruments.models import FeeItem
from members.models import Unit

from .availability import local_tz
from .models import FundingSource, Outage, ServicePurpose, ServiceRecord, ServiceWay


def field_errors_text(form) -> str:
    """The form's field errors as one line for a message: "label: error; label: error", with the
    reader's punctuation."""
    fields = form.fields
    return semicolon().join(labelled(fields[k].label, " ".join(v)) for k, v in form.errors.items() if k in fields)


LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def local_datetime_field(label, **kwargs):
    """A local wall time from ``<input type="datetime-local">``, in the supported range (``core.timeparse``)."""
    return timeparse.DateTimeField(label=label, widget=LocalDateTimeInput(), input_formats=LOCAL_INPUT, **kwargs)


def local_date_field(label, **kwargs):
    """A date from ``<input type="date">``, in the supported range (``core.timeparse``)."""
    return timeparse.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def service_purpose_field():
    """What the service was for; left out (an older form, a script), research and development."""
    return forms.TypedChoiceField(
        label=_("Purpose of the service"),
        choices=ServicePurpose.choices,
        initial=ServicePurpose.RD,
        required=False,
        empty_value=ServicePurpose.RD,
        help_text=_("Subsidies count research and development only."),
    )


class FeeItemChoiceField(forms.ModelMultipleChoiceField):
    """The services asked for, as checkboxes: "name (per hour)"."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.name}{aside(obj.get_basis_display())}"


class RecordFeeItemChoiceField(FeeItemChoiceField):
    def label_from_instance(self, obj):
        return labelled(obj.instrument.display_name, f"{obj.name}{aside(obj.get_basis_display())}")


class BookingRequestForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Book for the unit"), queryset=Unit.objects.none(), empty_label=None)
    fee_items = FeeItemChoiceField(
        label=_("Services"),
        queryset=FeeItem.objects.none(),
        help_text=_("Choose the service(s) you need; each is charged at its basis (hours, samples or days)."),
        error_messages={"required": _("Choose the service(s) you need from the instrument's fee items.")},
    )
    date = local_date_field(_("Date"))
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    purpose = forms.CharField(label=_("Purpose"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    sample_count = forms.IntegerField(label=_("Number of samples"), min_value=0, initial=0)
    sample_description = forms.CharField(
        label=_("Samples (material, size, hazards)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    service_way = forms.ChoiceField(
        label=_("Service way"), choices=ServiceWay.choices, initial=ServiceWay.USER_OPERATES
    )
    project_name = forms.CharField(label=_("Supported project"), max_length=200, required=False)
    funding_source = forms.ChoiceField(
        label=_("Funding source"), choices=FundingSource.choices, initial=FundingSource.NONE
    )

    def __init__(self, *args, units=None, fee_items=None, **kwargs):
        """``fee_items``: the instrument's fee items (a QuerySet); the only one is preselected."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        offered = [item.pk for item in fee_items] if fee_items is not None else []
        if not offered:
            del self.fields["fee_items"]  # nothing to choose: the booking costs nothing
            return
        self.fields["fee_items"].queryset = fee_items
        if len(offered) == 1:
            # The only service is preselected; unticking it still books it (the service's default).
            self.fields["fee_items"].initial = offered
            self.fields["fee_items"].required = False

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["starts_at"] = datetime.combine(day, start, tzinfo=local_tz())
            data["ends_at"] = datetime.combine(day, end, tzinfo=local_tz())
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end_time", _("The end must be after the start."))
        if "fee_items" in self.fields and not data.get("fee_items"):
            data["fee_items"] = None  # no choice: the instrument's only item (see booking_request)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChosenByButton(forms.HiddenInput):
    """A value that the pressed submit button carries (``name``/``value`` on the button), so the
    field itself renders nothing."""

    def render(self, name, value, attrs=None, renderer=None):
        return ""


class DecisionForm(forms.Form):
    """The manager's one decision on a request: approve it, or reject it with a reason. The two
    submit buttons carry the decision; ``booking_reject`` says when the reason is missing."""

    DECISIONS = (("approve", _("Approve")), ("reject", _("Reject")))

    decision = forms.ChoiceField(
        choices=DECISIONS, widget=ChosenByButton, error_messages={"required": _("Choose Approve or Reject.")}
    )
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to reject a request; the requester sees it. Leave it empty to approve."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CancelForm(forms.Form):
    """The confirmation of a cancellation, with the reason given to the other side."""

    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CompleteForm(forms.Form):
    actual_start = local_datetime_field(_("Actual start"))
    actual_end = local_datetime_field(_("Actual end"))
    preparation_hours = forms.DecimalField(label=_("Preparation hours"), min_value=0, decimal_places=2, initial=0)
    measurement_hours = forms.DecimalField(label=_("Measurement hours"), min_value=0, decimal_places=2)
    post_processing_hours = forms.DecimalField(
        label=_("Post-processing hours"), min_value=0, decimal_places=2, initial=0
    )
    sample_count = forms.IntegerField(label=_("Number of samples"), min_value=0)
    amount = forms.DecimalField(
        label=_("Amount charged (yuan)"),
        min_value=0,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to charge the amount computed from the fee items."),
    )
    amount_reason = forms.CharField(label=_("Reason for a different amount"), max_length=1000, required=False)
    purpose = service_purpose_field()


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=ServiceRecord.Rating.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MarkPaidForm(forms.Form):
    paid_on = local_date_field(_("Paid on"))
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=50, required=False)


class CorrectAmountForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount charged (yuan)"), max_digits=12, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=1000)


class OutageForm(forms.Form):
    starts_at = local_datetime_field(_("From"))
    ends_at = local_datetime_field(_("Until"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Outage.Kind.choices)
    reason = forms.CharField(label=_("Reason for the outage"), max_length=1000, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class OutageConfirmForm(forms.Form):
    """The second submit of an outage: the bookings the manager was shown and agrees to cancel."""

    confirm = forms.BooleanField(widget=forms.HiddenInput)
    bookings = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_bookings(self) -> list[int]:
        text = self.cleaned_data["bookings"].strip()
        try:
            return [int(pk) for pk in text.split(",")] if text else []
        except ValueError:
            raise forms.ValidationError(_("The list of bookings is damaged; declare the outage again.")) from None


class ServiceRecordForm(forms.Form):
    instrument = forms.ModelChoiceField(label=_("Instrument"), queryset=None)
    started_at = local_datetime_field(_("Started at"))
    ended_at = local_datetime_field(_("Ended at"))
    service_content = forms.CharField(
        label=_("Service content"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    service_way = forms.ChoiceField(label=_("Service way"), choices=ServiceWay.choices, initial=ServiceWay.COMMISSION)
    purpose = service_purpose_field()
    preparation_hours = forms.DecimalField(label=_("Preparation hours"), min_value=0, decimal_places=2, initial=0)
    measurement_hours = forms.DecimalField(label=_("Measurement hours"), min_value=0, decimal_places=2, initial=0)
    post_processing_hours = forms.DecimalField(
        label=_("Post-processing hours"), min_value=0, decimal_places=2, initial=0
    )
    sample_count = forms.IntegerField(label=_("Number of samples"), min_value=0, initial=0)
    user_name = forms.CharField(label=_("User's name"), max_length=50)
    user_unit = forms.ModelChoiceField(
        label=_("User's unit (member unit)"), queryset=Unit.objects.approved().order_by("name"), required=False
    )
    user_unit_name = forms.CharField(label=_("User's unit (if not a member unit)"), max_length=100, required=False)
    project_name = forms.CharField(label=_("Supported project"), max_length=200, required=False)
    funding_source = forms.ChoiceField(
        label=_("Funding source"), choices=FundingSource.choices, initial=FundingSource.NONE
    )
    amount = forms.DecimalField(
        label=_("Amount charged (yuan)"),
        min_value=0,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to charge the amount computed from the fee items."),
    )
    amount_reason = forms.CharField(label=_("Reason for a different amount"), max_length=1000, required=False)
    fee_items = RecordFeeItemChoiceField(
        label=_("Services"),
        queryset=FeeItem.objects.none(),
        required=False,
        help_text=_("The service(s) given, from the instrument's fee items; the amount is computed from them."),
    )

    field_order = ["instrument", "fee_items"]

    def __init__(self, *args, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = instruments
        self.fields["fee_items"].queryset = (
            FeeItem.objects.filter(instrument__in=instruments).select_related("instrument").order_by("instrument", "pk")
        )

    def clean(self):
        data = super().clean()
        instrument = data.get("instrument")
        if instrument is not None and not data.get("fee_items"):
            # Nothing ticked: the only service of a one-item instrument, as on the booking form;
            # an instrument with several items gets the service's "choose" error.
            data["fee_items"] = None if instrument.fee_items.count() <= 1 else []
        return data


class ImportForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=None)
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    # The type and size rules are the service's (service_record_import_start): its message is
    # shown beside this field, with the same limit as the instrument import.
