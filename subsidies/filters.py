"""Filters over subsidy applications and provider rewards, shared by the pages, the API and exports.

Ids (programme, unit, district) are whole numbers: an id that names nothing filters to nothing,
as any value of a filter does, rather than being an error. Amounts are yuan.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from members.models import Unit

from .models import Application, ProviderReward, Voucher, VoucherRedemption

MAX_ID = 2**63 - 1  # the largest primary key (BigAutoField)
MAX_AMOUNT = Decimal("9999999999.99")  # core.money.MONEY_FIELD


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object's id, a whole number from 1."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _amount_filter(lookup, label):
    return django_filters.NumberFilter(
        field_name="requested_amount",
        lookup_expr=lookup,
        label=label,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        help_text=_("Yuan, compared with the amount the application requests."),
    )


class ApplicationFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id", label=_("Programme"), help_text=_("A programme's id."))
    status = django_filters.ChoiceFilter(choices=Application.Status.choices, label=_("Status"))
    unit = IdFilter(field_name="unit_id", label=_("Applicant"), help_text=_("The applicant unit's id."))
    district = IdFilter(
        field_name="unit__district_id", label=_("District"), help_text=_("The id of the applicant's district.")
    )
    scale = django_filters.ChoiceFilter(field_name="unit__scale", choices=Unit.Scale.choices, label=_("Scale"))
    min_amount = _amount_filter("gte", _("Requested from (yuan)"))
    max_amount = _amount_filter("lte", _("Requested up to (yuan)"))

    class Meta:
        model = Application
        fields = ["programme", "status", "unit", "district", "scale", "min_amount", "max_amount"]


class ProviderRewardFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id", label=_("Programme"), help_text=_("A programme's id."))
    status = django_filters.ChoiceFilter(choices=ProviderReward.Status.choices, label=_("Status"))

    class Meta:
        model = ProviderReward
        fields = ["programme", "status"]


class VoucherFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id", label=_("Programme"), help_text=_("A programme's id."))
    status = django_filters.ChoiceFilter(choices=Voucher.Status.choices, label=_("Status"))
    unit = IdFilter(field_name="unit_id", label=_("Enterprise"), help_text=_("The id of the voucher's enterprise."))

    class Meta:
        model = Voucher
        fields = ["programme", "status", "unit"]


class VoucherRedemptionFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id", label=_("Programme"), help_text=_("A programme's id."))
    status = django_filters.ChoiceFilter(choices=VoucherRedemption.Status.choices, label=_("Status"))
    provider = IdFilter(field_name="provider_id", label=_("Provider"), help_text=_("The provider unit's id."))

    class Meta:
        model = VoucherRedemption
        fields = ["programme", "status", "provider"]
