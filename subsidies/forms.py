"""Forms of the subsidy pages: they parse input; the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Unit

from .models import Evidence, Mode, Programme
from .services.evidence import max_bytes

EVIDENCE_TYPES = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


class ApplyForm(forms.Form):
    """In whose name to apply, when the user administers several units."""

    unit = forms.ModelChoiceField(label=_("Apply for the unit"), queryset=Unit.objects.none(), empty_label=None)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("name")


class ApplicationForm(forms.Form):
    """The services claimed (the table's checkboxes), the R&D project and a note to the bureau."""

    records = forms.TypedMultipleChoiceField(
        label=_("Services claimed"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    project_name = forms.CharField(
        label=_("R&D project"),
        max_length=200,
        required=False,
        help_text=_("The research and development project the services supported."),
    )
    note = forms.CharField(
        label=_("Note to the bureau"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, record_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = [(pk, pk) for pk in record_ids]
        self.fields["records"].error_messages["invalid_choice"] = _(
            "Service record %(value)s cannot be claimed; reload the page to see why."
        )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Evidence.Kind.choices)
    invoice_number = forms.CharField(
        label=_("Invoice number"), max_length=50, required=False, help_text=_("Required for an invoice.")
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_TYPES}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, PNG or JPEG, at most %(size)s MB.") % {"size": max_bytes() // 1048576}


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this service"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The applicant sees this reason."),
        error_messages={"required": _("Give the reason for disputing this service.")},
    )


class VoucherApplyForm(forms.Form):
    """A voucher quota asked for one of the enterprises the user administers."""

    unit = forms.ModelChoiceField(label=_("Apply for the enterprise"), queryset=Unit.objects.none(), empty_label=None)
    amount = forms.DecimalField(
        label=_("Quota asked (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("What your testing in this programme will need; the bureau may grant less."),
    )
    purpose = forms.CharField(
        label=_("What the work is for"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The research and development the instrument services will support."),
    )
    project_name = forms.CharField(label=_("Project"), max_length=200, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("name")
        if len(units) == 1:
            self.fields["unit"].widget = forms.HiddenInput()


class RedeemPeriodForm(forms.Form):
    """The settlement period a provider redeems (the hidden fields of its "Redeem" button)."""

    programme = forms.ModelChoiceField(queryset=Programme.objects.filter(mode=Mode.VOUCHER), widget=forms.HiddenInput)
    provider = forms.ModelChoiceField(queryset=Unit.objects.all(), widget=forms.HiddenInput)
    period_start = forms.DateField(widget=forms.HiddenInput)
    period_end = forms.DateField(widget=forms.HiddenInput)
