"""The bookings part of the REST API: bookings and their actions, service records, availability.

Views call the services directly; the API's exception handler (``platform_site.api_errors``) gives
every error one body: a broken rule 400, a booking that is missing or not yours (or a step you may
not take) 404, an illegal step or a taken slot 409. Times are ISO 8601 with their offset, in the
range of ``core.timeparse``; ids are integers.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core import timeparse
from members.models import Unit

from . import fees, selectors, services
from .availability import local
from .exceptions import DomainError
from .filters import BookingFilter, ServiceRecordFilter
from .models import Booking, ChosenService, FundingSource, ServicePurpose, ServiceRecord, ServiceWay

MAX_AVAILABILITY_DAYS = 31


class LocalDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its offset (e.g. 2030-03-06T09:00:00+08:00), in the years ``core.timeparse``
    supports; shown in the platform's time zone. A time without an offset is refused."""

    def to_internal_value(self, value):
        try:
            return timeparse.parse_datetime(value)
        except DjangoValidationError as err:
            raise serializers.ValidationError(err.messages) from None

    def to_representation(self, value):
        return local(value).isoformat()


class ChosenServiceSerializer(serializers.ModelSerializer):
    """A chosen service as priced when chosen; ``fee_item`` is null once the owner deleted the item."""

    class Meta:
        model = ChosenService
        fields = ["fee_item", "name", "basis", "unit_price"]
        read_only_fields = fields


class BookingSerializer(serializers.ModelSerializer):
    starts_at = LocalDateTimeField()
    ends_at = LocalDateTimeField()
    chosen_services = ChosenServiceSerializer(many=True, read_only=True)
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    requester_name = serializers.CharField(source="requester.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "instrument",
            "instrument_name",
            "unit",
            "unit_name",
            "requester_name",
            "starts_at",
            "ends_at",
            "status",
            "status_display",
            "purpose",
            "sample_count",
            "sample_description",
            "service_way",
            "project_name",
            "funding_source",
            "chosen_services",
            "fee_estimate",
            "decision_reason",
            "created_at",
        ]
        read_only_fields = ["status", "fee_estimate", "decision_reason", "created_at"]


class BookingCreateSerializer(serializers.Serializer):
    instrument = serializers.IntegerField()
    unit = serializers.IntegerField(required=False, help_text="The unit you book for; defaults to your only unit.")
    starts_at = LocalDateTimeField()
    ends_at = LocalDateTimeField()
    purpose = serializers.CharField(max_length=1000)
    sample_count = serializers.IntegerField(min_value=0, default=0)
    sample_description = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    service_way = serializers.ChoiceField(choices=ServiceWay.choices, default=ServiceWay.USER_OPERATES)
    project_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    funding_source = serializers.ChoiceField(choices=FundingSource.choices, default=FundingSource.NONE)
    fee_items = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the instrument's fee items asked for; defaults to its only item when it has exactly one.",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CompleteSerializer(serializers.Serializer):
    actual_start = LocalDateTimeField()
    actual_end = LocalDateTimeField()
    preparation_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, default=0)
    measurement_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    post_processing_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, default=0)
    sample_count = serializers.IntegerField(min_value=0)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    amount_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    purpose = serializers.ChoiceField(
        choices=ServicePurpose.choices,
        default=ServicePurpose.RD,
        help_text="What the service was for; subsidies count research and development (rd) only.",
    )


class RateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=ServiceRecord.Rating.choices)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ServiceRecordSerializer(serializers.ModelSerializer):
    started_at = LocalDateTimeField()
    ended_at = LocalDateTimeField()
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    chosen_services = ChosenServiceSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "instrument",
            "instrument_name",
            "booking",
            "started_at",
            "ended_at",
            "service_content",
            "service_way",
            "purpose",
            "preparation_hours",
            "measurement_hours",
            "post_processing_hours",
            "hours",
            "sample_count",
            "chosen_services",
            "computed_amount",
            "amount",
            "amount_reason",
            "paid_on",
            "invoice_number",
            "project_name",
            "funding_source",
            "user_name",
            "user_unit",
            "user_unit_name",
            "is_external",
            "rating",
            "rating_comment",
            "rated_at",
        ]
        read_only_fields = fields


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your bookings and, if you manage instruments, those of your instruments."""

    serializer_class = BookingSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = BookingFilter
    lookup_value_regex = r"\d+"

    queryset = Booking.objects.none()  # for the schema; get_queryset scopes by user

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        bookings = selectors.booking_list_visible(user=self.request.user).prefetch_related("chosen_services")
        return bookings.order_by("-starts_at", "-pk")

    def get_object(self):
        return selectors.booking_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer},
        description="Request a slot; 409 when the slot is taken (also when another request just took it).",
    )
    def create(self, request):
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        instrument = selectors.instrument_get_for_booking(user=request.user, pk=v["instrument"])
        units = selectors.booking_units_for_user(user=request.user)
        if "unit" in v:
            unit = Unit.objects.filter(pk=v["unit"]).first()
            if unit is None:
                raise ValidationError({"unit": _("Unknown unit.")})
        else:
            unit = units.first() if units.count() == 1 else None
            if unit is None:
                raise ValidationError({"unit": _("Say which of your units you book for.")})
        fee_items = fees.chosen_fee_items(instrument, v.get("fee_items"), required=True)
        booking = services.booking_request(
            user=request.user,
            unit=unit,
            instrument=instrument,
            starts_at=v["starts_at"],
            ends_at=v["ends_at"],
            purpose=v["purpose"],
            sample_count=v["sample_count"],
            sample_description=v["sample_description"],
            service_way=v["service_way"],
            project_name=v["project_name"],
            funding_source=v["funding_source"],
            fee_items=fee_items,
        )
        booking = selectors.booking_get_for_user(user=request.user, pk=booking.pk)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    def _act(self, fn):
        fn(self.get_object())
        return Response(BookingSerializer(self.get_object()).data)

    @extend_schema(request=None, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(lambda b: services.booking_approve(actor=request.user, booking=b))

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = self._reason(request)
        return self._act(lambda b: services.booking_reject(actor=request.user, booking=b, reason=reason))

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = self._reason(request)
        return self._act(lambda b: services.booking_cancel(actor=request.user, booking=b, reason=reason))

    @extend_schema(request=None, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._act(lambda b: services.booking_no_show(actor=request.user, booking=b))

    @extend_schema(request=CompleteSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(lambda b: services.booking_complete(actor=request.user, booking=b, **data.validated_data))

    @extend_schema(request=RateSerializer, responses={200: ServiceRecordSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """Rate the service record of a completed booking (the requester, once)."""
        booking = self.get_object()
        record = getattr(booking, "service_record", None)
        if record is None:
            raise DomainError(_("Only a completed booking can be rated."))
        data = RateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.service_record_rate(user=request.user, record=record, **data.validated_data)
        return Response(ServiceRecordSerializer(result).data)

    @staticmethod
    def _reason(request) -> str:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["reason"]


class ServiceRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Service records of the instruments you manage, and your own; rate yours once."""

    serializer_class = ServiceRecordSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ServiceRecordFilter
    lookup_value_regex = r"\d+"

    queryset = ServiceRecord.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceRecord.objects.none()
        records = selectors.service_record_list_visible(user=self.request.user).prefetch_related("chosen_services")
        return records.order_by("-started_at", "-pk")

    @extend_schema(request=RateSerializer, responses={200: ServiceRecordSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        record = self.get_object()
        data = RateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.service_record_rate(user=request.user, record=record, **data.validated_data)
        return Response(ServiceRecordSerializer(result).data)


class IntervalSerializer(serializers.Serializer):
    start = LocalDateTimeField()
    end = LocalDateTimeField()


class BusySerializer(IntervalSerializer):
    kind = serializers.CharField(help_text="booking or outage; never who booked")


class AvailabilitySerializer(serializers.Serializer):
    instrument = serializers.IntegerField()
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    open = IntervalSerializer(many=True)
    busy = BusySerializer(many=True)
    free = IntervalSerializer(many=True)


class InstrumentAvailabilityViewSet(viewsets.ViewSet):
    """Open, busy and free times of an instrument (busy shows no personal data)."""

    permission_classes = [AllowAny]
    list_is_one_object = True  # for the schema (platform_site.schema): one availability, not a list

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start",
                OpenApiTypes.DATETIME,
                required=False,
                description="With its offset, e.g. 2030-03-06T09:00:00+08:00 (years 1900 to 2199). Default: now",
            ),
            OpenApiParameter(
                "end",
                OpenApiTypes.DATETIME,
                required=False,
                description="With its offset; at most 31 days after the start. Default: start + 7 days",
            ),
        ],
        responses={200: AvailabilitySerializer},
    )
    def list(self, request, instrument_pk=None):
        instrument = selectors.instrument_get_for_booking(user=request.user, pk=instrument_pk)
        start = self._when(request, "start", timezone.now())
        end = self._when(request, "end", start + timedelta(days=7))
        if end <= start or end - start > timedelta(days=MAX_AVAILABILITY_DAYS):
            raise ValidationError({"end": _("The end must be after the start and at most 31 days later.")})
        data = selectors.availability(instrument=instrument, start=start, end=end)
        payload = {
            "instrument": instrument.pk,
            "start": start,
            "end": end,
            "open": [{"start": a, "end": b} for a, b in data["open"]],
            "busy": [{"start": a, "end": b, "kind": kind} for a, b, kind in data["busy"]],
            "free": [{"start": a, "end": b} for a, b in data["free"]],
        }
        return Response(AvailabilitySerializer(payload).data)

    @staticmethod
    def _when(request, name, default) -> datetime:
        """``?start=`` / ``?end=``: ISO 8601 with its offset, in the years ``core.timeparse`` supports."""
        raw = request.query_params.get(name)
        if not raw:
            return default
        try:
            return timeparse.parse_datetime(raw)
        except DjangoValidationError as err:
            raise ValidationError({name: err.messages}) from None


def register(router):
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("bookings", BookingViewSet, basename="booking")
    router.register("service-records", ServiceRecordViewSet, basename="service-record")
    router.register(
        r"instruments/(?P<instrument_pk>\d+)/availability",
        InstrumentAvailabilityViewSet,
        basename="instrument-availability",
    )
