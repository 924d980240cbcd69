"""The members part of the REST API: the public directory of approved units."""

from rest_framework import serializers, viewsets

from . import selectors
from .filters import UnitFilter
from .models import District, Unit


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "code", "name", "name_en"]


class UnitSerializer(serializers.ModelSerializer):
    district = DistrictSerializer(read_only=True)
    unit_type_display = serializers.CharField(source="get_unit_type_display", read_only=True)
    scale_display = serializers.CharField(source="get_scale_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "name_en",
            "short_name",
            "credit_code",
            "unit_type",
            "unit_type_display",
            "scale",
            "scale_display",
            "is_high_tech",
            "district",
            "address",
            "contact_person",
            "phone",
            "email",
            "website",
            "description",
        ]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Approved member units, filterable by type, district and scale."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.unit_list_public()


def register(router):
    router.register("units", UnitViewSet, basename="unit")
