"""Forms of the registry pages: they parse input and show the services' rules beside the fields.

The rules themselves live in ``instruments/services.py`` (and the model); the forms call the same
functions so that every mistake is reported at once, next to the input that caused it.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import timeparse

from . import images, selectors, services
from .exceptions import RowsInvalid
from .models import Category, FeeItem, Instrument, OpeningHours

# The register/edit page, section by section (the order of the national record).
SECTIONS = [
    (
        _("Identification"),
        [
            "asset_number",
            "name",
            "name_en",
            "category",
            "model",
            "manufacturer",
            "country_of_origin",
            "source",
            "customs_supervised",
            "original_value",
            "commissioned_on",
        ],
    ),
    (
        _("Capabilities"),
        ["technical_indicators", "functions", "subject_areas", "service_content", "typical_results"],
    ),
    (
        _("Sharing"),
        ["operating_status", "sharing_mode", "sharing_rules", "reference_fees"],
    ),
    (
        _("Location and contact"),
        ["province", "city", "district", "street_address", "contact_person", "contact_phone", "contact_email"],
    ),
    (
        _("Booking settings"),
        list(services.BOOKING_FIELDS),
    ),
]


class CategoryChoiceField(forms.ModelChoiceField):
    """Classes grouped under their 大类, so a long list stays readable on a phone."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


def category_choices():
    categories = list(Category.objects.select_related("parent").order_by("code"))
    children = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    choices = [("", "---------")]
    for top in (c for c in categories if c.parent_id is None):
        group = [(top.pk, f"{top.code} {top.name}")]
        group += [(c.pk, f"{c.code} {c.name}") for c in children.get(top.pk, [])]
        choices.append((f"{top.code} {top.name}", group))
    return choices


class InstrumentForm(forms.ModelForm):
    """Every item of the national record plus the booking settings."""

    category = CategoryChoiceField(label=_("instrument class"), queryset=Category.objects.all())

    class Meta:
        model = Instrument
        fields = list(services.INSTRUMENT_FIELDS)
        field_classes = {"commissioned_on": timeparse.DateField}  # years 1900 to 2199: no overflow later
        widgets = {
            "commissioned_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "technical_indicators": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "functions": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "service_content": forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
            "typical_results": forms.Textarea(attrs={"rows": 3}),
            "sharing_rules": forms.Textarea(attrs={"rows": 3}),
            "reference_fees": forms.Textarea(attrs={"rows": 2}),
            "original_value": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        help_texts = {
            "name": _("The Chinese name, at most 50 characters."),
            "manufacturer": _("The real maker, not the agent."),
            "original_value": _("In yuan, with two decimals."),
            "typical_results": _("One to three results: papers, patents, awards, projects served."),
            "sharing_rules": _("Conditions, process and who may use the instrument."),
            "reference_fees": _("Free text; the priced items are listed below."),
            "max_advance_days": _("How many days ahead users may book (at most 366)."),
        }

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["category"].choices = category_choices()
        self.fields["district"].queryset = self.fields["district"].queryset.order_by("order", "code")
        if not self.instance.pk:
            # A new instrument usually sits at the unit's address with the unit's contact: the
            # unit's district and street (its address is the street part), and the province and
            # city of the unit's latest instrument that has them (a unit has no such fields).
            for name, value in {
                **selectors.unit_address_initial(unit=unit),
                "contact_person": unit.contact_person,
                "contact_phone": unit.phone,
                "contact_email": unit.email,
            }.items():
                if not self.initial.get(name):
                    self.initial[name] = value

    def sections(self):
        """(title, bound fields) for the template."""
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def clean_subject_areas(self):
        return services.validate_subject_areas(self.cleaned_data["subject_areas"])

    def clean_asset_number(self):
        number = services.normalise_asset_number(self.cleaned_data["asset_number"])
        services.validate_asset_number(unit=self.unit, asset_number=number, instrument_pk=self.instance.pk)
        return number

    def clean(self):
        data = super().clean()
        try:
            services.validate_slot_range(data.get("min_slot_minutes"), data.get("max_slot_minutes"))
        except ValidationError as err:
            self.add_error("max_slot_minutes", err)
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.INSTRUMENT_FIELDS}


class ChangeReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("What changed and why (optional)"),
        required=False,
        max_length=80,
        help_text=_("Kept in the instrument's history with your name."),
    )


class FeeItemForm(forms.ModelForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = FeeItem
        fields = ["name", "basis", "internal_price", "external_price"]
        widgets = {
            "internal_price": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "external_price": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }


class OpeningHoursForm(forms.Form):
    """One opening period on one or more days (e.g. Monday to Friday, 08:30–12:00).

    A plain form: the order of the times and overlaps are checked by the formset with the
    services' rule, with clearer messages than the model's constraint would give.
    """

    weekdays = forms.TypedMultipleChoiceField(
        label=_("days"), coerce=int, choices=OpeningHours.Weekday.choices, widget=forms.CheckboxSelectMultiple
    )
    opens = forms.TimeField(label=_("opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes = forms.TimeField(label=_("closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class RowsFormSet(forms.BaseFormSet):
    """A formset whose filled-in rows are checked together by a services cleaner; each form may
    stand for several rows of the service (``expand``)."""

    cleaner = None

    def filled_forms(self):
        """Forms to keep: existing rows not marked for deletion, and new rows someone typed in
        (an untouched empty row has no cleaned data)."""
        return [
            form for form in self.forms if getattr(form, "cleaned_data", None) and not self._should_delete_form(form)
        ]

    def expand(self, form) -> list[dict]:
        raise NotImplementedError

    def _pairs(self):
        return [(form, row) for form in self.filled_forms() for row in self.expand(form)]

    def rows(self) -> list[dict]:
        """The rows for the service, in the order typed."""
        return [row for _form, row in self._pairs()]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        pairs = self._pairs()
        try:
            type(self).cleaner([row for _form, row in pairs])
        except RowsInvalid as err:
            for index, error in err.rows.items():
                self._show(pairs[index][0], error)

    def _show(self, form, error):
        """Put a row's error beside the form's field, once (a period on five days that closes
        before it opens is one mistake, not five)."""
        errors = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
        for name, messages in errors.items():
            name = self.field_names.get(name, name)
            target = name if name in form.fields else None
            shown = set(form.errors.get(target or "__all__", []))
            fresh = [m for m in messages if m.message % (m.params or {}) not in shown]
            if fresh:
                form.add_error(target, fresh)

    field_names: dict = {}


class BaseFeeItemFormSet(RowsFormSet):
    cleaner = staticmethod(services.clean_fee_items)

    def expand(self, form):
        row = {name: form.cleaned_data[name] for name in services.FEE_ITEM_FIELDS}
        if form.cleaned_data.get("id"):
            row["id"] = form.cleaned_data["id"]
        return [row]


class BaseOpeningHoursFormSet(RowsFormSet):
    cleaner = staticmethod(services.clean_opening_hours)
    field_names = {"weekday": "weekdays"}

    def expand(self, form):
        data = form.cleaned_data
        return [{"weekday": day, "opens": data["opens"], "closes": data["closes"]} for day in data["weekdays"]]


def fee_item_formset(data=None, *, instrument=None):
    initial = []
    if instrument is not None:
        initial = [
            {
                "id": f.pk,
                "name": f.name,
                "basis": f.basis,
                "internal_price": f.internal_price,
                "external_price": f.external_price,
            }
            for f in instrument.fee_items.all()
        ]
    formset_class = forms.formset_factory(
        FeeItemForm, formset=BaseFeeItemFormSet, extra=2 if not initial else 1, can_delete=True, can_delete_extra=False
    )
    return formset_class(data, initial=initial, prefix="fees")


def opening_hours_initial(instrument) -> list[dict]:
    """The instrument's periods with the same times gathered into one row of days."""
    rows = {}
    for period in instrument.opening_hours.all():
        rows.setdefault((period.opens, period.closes), []).append(period.weekday)
    ordered = sorted(rows.items(), key=lambda item: (min(item[1]), item[0]))
    return [{"weekdays": days, "opens": opens, "closes": closes} for (opens, closes), days in ordered]


def opening_hours_formset(data=None, *, instrument=None):
    initial = opening_hours_initial(instrument) if instrument is not None else []
    formset_class = forms.formset_factory(
        OpeningHoursForm,
        formset=BaseOpeningHoursFormSet,
        extra=3 if not initial else 2,
        can_delete=True,
        can_delete_extra=False,
    )
    return formset_class(data, initial=initial, prefix="hours")


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=100, required=False)

    def __init__(self, *args, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].required = required
        self.fields["image"].help_text = _("JPEG or PNG, at most %(mb)d MB.") % {"mb": images.MAX_PHOTO_BYTES >> 20}

    def clean_image(self):
        file = self.cleaned_data.get("image")
        if file:
            images.validate_photo(file)
        return file


class StatusForm(forms.Form):
    operating_status = forms.ChoiceField(label=_("operating status"), choices=Instrument.OperatingStatus.choices)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=80,
        help_text=_("For example: vacuum pump under repair until the 20th."),
    )


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=80,
        help_text=_("For example: disposed of with the approval of the asset office."),
    )
