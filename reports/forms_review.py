"""The duplicate-purchase review form: what the unit plans to buy. It parses; the service decides."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from instruments.models import Category
from members.models import Unit


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class DuplicateReviewForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("For the unit"), queryset=Unit.objects.none(), empty_label=None)
    category = CategoryChoiceField(
        label=_("Subcategory (中类)"),
        queryset=Category.objects.filter(parent__isnull=False).order_by("code"),
        help_text=_("Similar instruments of this subcategory are listed first, then those of its category (大类)."),
    )
    name = forms.CharField(label=_("Instrument planned"), max_length=50)
    model = forms.CharField(
        label=_("Model / specification"),
        max_length=100,
        required=False,
        help_text=_("As the offer gives it, e.g. JEM-2100F."),
    )
    specifications = forms.CharField(
        label=_("Key specifications"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The technical indicators that matter for the purchase (up to 500 characters)."),
    )
    price = forms.DecimalField(
        label=_("Planned price (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
