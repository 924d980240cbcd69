"""The form that starts a report run: which report, which period, which scope. It parses input
only; the rules (the period's range, who may start what) are the services' and raise DomainError."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from instruments.models import Category
from members.models import District, Unit

from .models import PeriodKind, ReportKind, ScopeKind
from .periods import EARLIEST_YEAR, LATEST_YEAR, period_from_fields

# The form field that names the object of each scope.
SCOPE_FIELDS = {
    ScopeKind.DISTRICT: "district",
    ScopeKind.CATEGORY: "category",
    ScopeKind.UNIT: "unit",
    ScopeKind.INSTRUMENT: "instrument",
}


class RunStartForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.YEAR)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=EARLIEST_YEAR, max_value=LATEST_YEAR - 1)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(q, str(q)) for q in (1, 2, 3, 4)]],
        help_text=_("For a quarterly report."),
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(m, str(m)) for m in range(1, 13)]],
        help_text=_("For a monthly report."),
    )
    start = forms.DateField(
        label=_("First day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For custom dates."),
    )
    end = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For custom dates (included)."),
    )
    scope_kind = forms.ChoiceField(label=_("Scope"), choices=ScopeKind.choices, initial=ScopeKind.PLATFORM)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category (大类)"), queryset=Category.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    instrument = forms.IntegerField(
        label=_("Instrument No."),
        required=False,
        min_value=1,
        help_text=_("The number shown on the instrument's page."),
    )

    def __init__(self, *args, unit_ids: list[int] | None = None, **kwargs):
        """``unit_ids``: for a unit administrator, the units they may report on (the scope is fixed
        to one of them); None for bureau staff, who choose any scope."""
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.unit_only = unit_ids is not None
        if self.unit_only:
            self.fields["scope_kind"].choices = [(ScopeKind.UNIT, ScopeKind.UNIT.label)]
            self.fields["scope_kind"].initial = ScopeKind.UNIT
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids).order_by("name")
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = None
            for name in ("district", "category", "instrument"):
                del self.fields[name]
        else:
            self.fields["district"].queryset = District.objects.all()
            self.fields["category"].queryset = Category.objects.filter(parent__isnull=True).order_by("code")
            self.fields["unit"].queryset = Unit.objects.approved().order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("period_kind"):
            try:
                data["period"] = period_from_fields(data)
            except DomainError as err:
                self.add_error(err.field if err.field in self.fields else "period_kind", err.message)
        scope_kind = data.get("scope_kind")
        if scope_kind in SCOPE_FIELDS:
            chosen = data.get(SCOPE_FIELDS[scope_kind])
            data["scope_id"] = chosen if isinstance(chosen, int) or chosen is None else chosen.pk
        else:
            data["scope_id"] = None
        return data

    def add_domain_error(self, err: DomainError) -> None:
        """Show a service's error beside the field it is about (the scope's object for ``scope_id``)."""
        field = err.field
        if field == "scope_id":
            field = SCOPE_FIELDS.get(self.cleaned_data.get("scope_kind"), "scope_kind")
        self.add_error(field if field in self.fields else None, err.message)
