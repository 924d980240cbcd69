"""Filters over units, shared by the directory page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core import filters as core_filters

from .models import District, Unit


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    unit_type = django_filters.ChoiceFilter(choices=Unit.Type.choices, label=_("unit type"))
    district = extend_schema_field({"type": "integer", "minimum": 1})(  # a district's id, for the API schema
        django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("district"))
    )
    scale = django_filters.ChoiceFilter(choices=Unit.Scale.choices, label=_("enterprise scale"))
    is_high_tech = core_filters.BooleanFilter(label=_("high-tech enterprise"))

    class Meta:
        model = Unit
        fields = ["q", "unit_type", "district", "scale", "is_high_tech"]

    def filter_q(self, queryset, name, value):
        return queryset.named(value)
