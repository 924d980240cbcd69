"""The instruments part of the REST API: the classification, and the catalogue of instruments.

Anyone may read the public catalogue, with the same filters as the catalogue page
(``InstrumentFilter``; free text as ``?search=``). Registering, editing and retiring an
instrument are for the owner unit's administrators and instrument managers, through the
registry services: another unit's manager gets 404 (the instrument is not theirs), a broken
rule 400 with messages by field, a retired instrument 409 — the API's exception handler
(``platform_site.api_errors``) turns the services' errors into the one error body.
"""

from django.core.paginator import Paginator as DjangoPaginator
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.pagecache import cached_api_data
from core.timeparse import validate_in_range, validate_not_future
from members.models import District, Unit

from . import catalogue, search_limit, selectors, services
from .filters import InstrumentFilter
from .invalidation import CATALOGUE
from .models import Category, FeeItem, Instrument, OpeningHours, Photo
from .search import is_searched

# --- Read ---------------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)
    level = serializers.IntegerField(read_only=True, help_text="1 for a main class (大类), 2 for a subclass (中类).")

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "parent", "parent_code", "level"]


class CategoryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "name", "name_en"]


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "unit_type", "contact_person", "phone", "email"]


class DistrictBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["code", "name", "name_en"]


class FeeItemSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give it to change an existing item in place.")

    class Meta:
        model = FeeItem
        fields = ["id", "name", "basis", "internal_price", "external_price"]


class OpeningHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Photo
        fields = ["image", "thumbnail", "caption"]


class InstrumentSerializer(serializers.ModelSerializer):
    """One line of the catalogue."""

    category = CategoryBriefSerializer(read_only=True)
    main_category = serializers.SerializerMethodField()
    unit = UnitBriefSerializer(read_only=True)
    district = serializers.SerializerMethodField(help_text="Where it is: its own district, else its unit's.")
    online_booking = serializers.BooleanField(
        read_only=True, help_text="Shared with outside users, in working order, with published opening hours."
    )
    page_url = serializers.CharField(
        source="get_absolute_url",
        read_only=True,
        help_text="The public page, a path on this site.",
    )

    class Meta:
        model = Instrument
        fields = [
            "id",
            "name",
            "name_en",
            "model",
            "manufacturer",
            "country_of_origin",
            "category",
            "main_category",
            "unit",
            "district",
            "original_value",
            "commissioned_on",
            "operating_status",
            "sharing_mode",
            "online_booking",
            "page_url",
            "created_at",
        ]

    @extend_schema_field(CategoryBriefSerializer)
    def get_main_category(self, instrument):
        main = instrument.category.parent or instrument.category
        return CategoryBriefSerializer(main).data

    @extend_schema_field(DistrictBriefSerializer(allow_null=True))
    def get_district(self, instrument):
        district = instrument.district or instrument.unit.district
        return DistrictBriefSerializer(district).data if district else None


class CategoryCodeField(serializers.SlugRelatedField):
    """A class by its code; a value PostgreSQL cannot even compare (a NUL character) is no class."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class InstrumentDetailSerializer(InstrumentSerializer):
    """Every public field of an instrument, with its fees, opening hours and photos."""

    fee_items = FeeItemSerializer(many=True, read_only=True)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta(InstrumentSerializer.Meta):
        fields = [
            *InstrumentSerializer.Meta.fields,
            "source",
            "customs_supervised",
            "technical_indicators",
            "functions",
            "subject_areas",
            "service_content",
            "typical_results",
            "sharing_rules",
            "reference_fees",
            "province",
            "city",
            "street_address",
            "contact_person",
            "contact_phone",
            "contact_email",
            "needs_approval",
            "min_slot_minutes",
            "max_slot_minutes",
            "min_lead_hours",
            "max_advance_days",
            "cancel_deadline_hours",
            "retired_at",
            "fee_items",
            "opening_hours",
            "photos",
        ]


# --- Write --------------------------------------------------------------------------------------


class InstrumentWriteSerializer(serializers.ModelSerializer):
    """The record as a manager sends it; the registry services check the rules."""

    category = CategoryCodeField(slug_field="code", queryset=Category.objects.all())
    district = serializers.SlugRelatedField(
        slug_field="code", queryset=District.objects.all(), required=False, allow_null=True
    )
    fee_items = FeeItemSerializer(many=True, required=False, help_text="Replaces the fee items when given.")
    opening_hours = OpeningHoursSerializer(many=True, required=False, help_text="Replaces the hours when given.")

    class Meta:
        model = Instrument
        fields = [*services.INSTRUMENT_FIELDS, "fee_items", "opening_hours"]
        validators = []  # the asset number's uniqueness is the service's rule, with its own message
        extra_kwargs = {"commissioned_on": {"validators": [validate_in_range, validate_not_future]}}


class InstrumentCreateSerializer(InstrumentWriteSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="The owner unit's id.")

    class Meta(InstrumentWriteSerializer.Meta):
        fields = ["unit", *InstrumentWriteSerializer.Meta.fields]


class RetireSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class CataloguePagination(PageNumberPagination):
    """20 a page; ``?page_size=`` from 1 (a larger one is cut to 100); not a positive number is a 400.

    With a free-text search the list holds the first ``SEARCH_LIMIT`` results, counted up to
    there (``search_limit.SearchPaginator``); ``more`` says that there were more."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        searched = is_searched(request.query_params.get("search"))
        self.django_paginator_class = search_limit.SearchPaginator if searched else DjangoPaginator
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["more"] = getattr(self.page.paginator, "more", False)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["required"] = [*schema.get("required", []), "more"]
        schema["properties"]["more"] = {
            "type": "boolean",
            "description": f"A search found more than {search_limit.SEARCH_LIMIT} instruments: `count` and the "
            f"pages cover the best {search_limit.SEARCH_LIMIT}.",
        }
        return schema

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise ValidationError({self.page_size_query_param: [_("Give the page size as a whole number from 1.")]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


def _service_arguments(validated: dict) -> dict:
    fields = dict(validated)
    return {
        "fee_items": fields.pop("fee_items", None),
        "opening_hours": fields.pop("opening_hours", None),
        "fields": fields,
    }


@extend_schema_view(
    list=extend_schema(summary="The classification (大类 and 中类), flat, each with its parent"),
    retrieve=extend_schema(summary="One class by its code"),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    pagination_class = None  # about a hundred rows, always wanted whole
    lookup_field = "code"
    queryset = Category.objects.select_related("parent")


@extend_schema_view(
    list=extend_schema(summary="Search the public catalogue"),
    retrieve=extend_schema(summary="A public instrument with its fees, hours and photos"),
    create=extend_schema(
        summary="Register an instrument (the owner unit's managers)",
        request=InstrumentCreateSerializer,
        responses={201: InstrumentDetailSerializer},
    ),
    update=extend_schema(
        summary="Replace an instrument's record (the owner unit's managers)",
        request=InstrumentWriteSerializer,
        responses=InstrumentDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some fields of an instrument's record (the owner unit's managers)",
        request=InstrumentWriteSerializer,
        responses=InstrumentDetailSerializer,
    ),
)
class InstrumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The public catalogue; writes for the owner unit's managers."""

    pagination_class = CataloguePagination
    lookup_value_regex = r"\d+"

    filterset_class = InstrumentFilter  # the site may widen it: see register()

    def get_queryset(self):
        if self.action == "retrieve":
            return catalogue.instrument_list_public().prefetch_related("fee_items", "opening_hours")
        return catalogue.instrument_list_public()

    def get_serializer_class(self):
        if self.action == "list":
            return InstrumentSerializer
        if self.action == "create":
            return InstrumentCreateSerializer
        if self.action in ("update", "partial_update"):
            return InstrumentWriteSerializer
        return InstrumentDetailSerializer

    def _cached(self, request, answer):
        """Anonymous callers are answered from the page cache (core/pagecache.py); the viewset,
        its action and the filter the site gave it are part of the key."""
        name = f"{type(self).__module__}.{type(self).__qualname__}.{self.action}:{self.filterset_class.__qualname__}"
        return cached_api_data(request, CATALOGUE, name, answer)

    def list(self, request, *args, **kwargs):
        return self._cached(request, lambda: super(InstrumentViewSet, self).list(request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        return self._cached(request, lambda: super(InstrumentViewSet, self).retrieve(request, *args, **kwargs))

    def _detail(self, instrument, status_code=status.HTTP_200_OK):
        instrument = catalogue.instrument_get_detailed(pk=instrument.pk)
        return Response(InstrumentDetailSerializer(instrument, context=self.get_serializer_context()).data, status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = _service_arguments(serializer.validated_data)
        unit = arguments["fields"].pop("unit")
        instrument = services.instrument_create(actor=request.user, unit=unit, **arguments)
        return self._detail(instrument, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instrument = selectors.instrument_get_for_manager(user=request.user, pk=kwargs["pk"])
        serializer = self.get_serializer(instrument, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        arguments = _service_arguments(serializer.validated_data)
        instrument = services.instrument_update(actor=request.user, instrument=instrument, **arguments)
        return self._detail(instrument)

    @extend_schema(
        summary="Retire an instrument (the owner unit's managers): it leaves the catalogue for good",
        request=RetireSerializer,
        responses=InstrumentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        instrument = selectors.instrument_get_for_manager(user=request.user, pk=pk)
        serializer = RetireSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instrument = services.instrument_retire(
            actor=request.user, instrument=instrument, reason=serializer.data["reason"]
        )
        return self._detail(instrument)


def register(router, *, filterset_class=InstrumentFilter):
    """Add this app's viewsets to the /api/v1/ router. The catalogue takes ``filterset_class``, a
    subclass of ``InstrumentFilter`` (platform_site/api.py gives the catalogue page's)."""
    router.register("categories", CategoryViewSet, basename="category")
    viewset = InstrumentViewSet
    if filterset_class is not InstrumentViewSet.filterset_class:
        viewset = type(InstrumentViewSet.__name__, (InstrumentViewSet,), {"filterset_class": filterset_class})
    router.register("instruments", viewset, basename="instrument")
