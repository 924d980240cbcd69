"""Voucher redemptions: a provider unit's managers claim the voucher-paid part of their services in
an ended settlement period and submit the claim; the bureau reviews it (returns, approves or
rejects), puts it on public notice and pays it (paying needs the pay permission).

The provider unit's managers and bureau staff see a redemption; everyone else gets 404 and an empty
list. Errors as for applications: a step someone may not take 404, a broken rule 400 beside its
field, a step the status does not allow 409. Paying again what is paid writes no second ledger entry.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from members.models import Unit

from .. import services
from ..filters import VoucherRedemptionFilter
from ..models import Programme, VoucherRedemption
from . import access, voucher_access
from .inputs import DecisionReasonSerializer, PaySerializer, valid
from .voucher_serializers import RedemptionApproveSerializer, RedemptionCreateSerializer, VoucherRedemptionSerializer

NO_BODY = {"request": None, "responses": {200: VoucherRedemptionSerializer}}


@extend_schema_view(
    list=extend_schema(
        summary="Voucher redemptions you may see: those of the units whose instruments you manage, or all (bureau)"
    ),
    retrieve=extend_schema(summary="A voucher redemption with the voucher-paid services it claims"),
)
class VoucherRedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = VoucherRedemptionSerializer
    permission_classes = [IsAuthenticated]
    # JSON bodies only: the schema then names one content type, and no form body can arrive without one.
    parser_classes = [JSONParser]
    filterset_class = VoucherRedemptionFilter
    lookup_value_regex = r"\d+"
    queryset = VoucherRedemption.objects.none()  # for the schema; get_queryset scopes by viewer

    @property
    def viewer(self) -> access.Viewer:
        if not hasattr(self, "_viewer"):
            self._viewer = access.viewer_for(self.request.user)
        return self._viewer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VoucherRedemption.objects.none()
        return voucher_access.redemption_list_visible(viewer=self.viewer).order_by("-period_end", "-pk")

    def get_object(self):
        return voucher_access.redemption_get_visible(viewer=self.viewer, pk=self.kwargs["pk"])

    def _answer(self, redemption, status_code=status.HTTP_200_OK):
        fresh = voucher_access.redemption_get_visible(viewer=self.viewer, pk=redemption.pk)
        return Response(VoucherRedemptionSerializer(fresh).data, status_code)

    def _step(self, service, **arguments):
        redemption = self.get_object()
        service(actor=self.request.user, redemption=redemption, **arguments)
        return self._answer(redemption)

    # --- The provider ----------------------------------------------------------------------------

    @extend_schema(
        summary="Claim every unredeemed voucher-paid service of a unit whose instruments you manage, "
        "in an ended period (a draft)",
        request=RedemptionCreateSerializer,
        responses={201: VoucherRedemptionSerializer},
    )
    def create(self, request):
        data = valid(RedemptionCreateSerializer, request)
        programme = Programme.objects.filter(pk=data["programme"]).first()
        if programme is None:
            raise ValidationError({"programme": [_("There is no programme with this id.")]})
        provider = Unit.objects.filter(pk=data["provider"]).first()
        if provider is None:
            raise ValidationError({"provider": [_("There is no unit with this id.")]})
        redemption = services.redemption_create(
            actor=request.user,
            programme=programme,
            provider=provider,
            period_start=data["period_start"],
            period_end=data["period_end"],
        )
        return self._answer(redemption, status.HTTP_201_CREATED)

    @extend_schema(summary="Submit to the bureau (the provider's managers)", **NO_BODY)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(services.redemption_submit)

    # --- The bureau ------------------------------------------------------------------------------

    @extend_schema(summary="Take a submitted redemption under review (bureau)", **NO_BODY)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._step(services.redemption_start_review)

    @extend_schema(
        summary="Approve (bureau)",
        request=RedemptionApproveSerializer,
        responses={200: VoucherRedemptionSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(services.redemption_approve, reason=valid(RedemptionApproveSerializer, request)["reason"])

    @extend_schema(
        summary="Return to the provider for more information (bureau)",
        request=DecisionReasonSerializer,
        responses={200: VoucherRedemptionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_provider(self, request, pk=None):
        return self._step(services.redemption_return, reason=valid(DecisionReasonSerializer, request)["reason"])

    @extend_schema(
        summary="Reject, with the reason the provider sees (bureau); its services may be claimed again",
        request=DecisionReasonSerializer,
        responses={200: VoucherRedemptionSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(services.redemption_reject, reason=valid(DecisionReasonSerializer, request)["reason"])

    @extend_schema(summary="Put an approved redemption on public notice (bureau)", **NO_BODY)
    @action(detail=True, methods=["post"])
    def publicise(self, request, pk=None):
        return self._step(services.redemption_publicise)

    @extend_schema(
        summary="Mark paid after the notice period, with the payment reference (bureau, pay permission)",
        request=PaySerializer,
        responses={200: VoucherRedemptionSerializer},
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._step(services.redemption_pay, reference=valid(PaySerializer, request)["reference"])
