"""Innovation vouchers: an enterprise's administrator applies for a quota; the bureau grants it (in
full, or less with a reason) or refuses; completed services draw on it at once (the bookings'
completion does that, not this API), and every draw shows here with its service.

The members of the voucher's enterprise and bureau staff see a voucher; everyone else gets 404 and
an empty list. Every step calls one service (``subsidies.services``): someone who may not take it
gets the same 404, a broken rule 400 beside its field, a step the status does not allow 409
``invalid_transition``, a grant that would break the budget or a cap 409 ``conflict`` naming the
limit and by how much. Granting again what is granted writes no second ledger entry.
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
from ..filters import VoucherFilter
from ..models import Programme, Voucher
from . import access, voucher_access
from .inputs import DecisionReasonSerializer, valid
from .voucher_serializers import VoucherApplySerializer, VoucherGrantSerializer, VoucherSerializer


@extend_schema_view(
    list=extend_schema(summary="Vouchers you may see: your units' (with their draws), or all (bureau staff)"),
    retrieve=extend_schema(summary="A voucher: quota, drawn, remaining, validity and every draw with its service"),
)
class VoucherViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = VoucherSerializer
    permission_classes = [IsAuthenticated]
    # JSON bodies only: the schema then names one content type, and no form body can arrive without one.
    parser_classes = [JSONParser]
    filterset_class = VoucherFilter
    lookup_value_regex = r"\d+"
    queryset = Voucher.objects.none()  # for the schema; get_queryset scopes by viewer

    @property
    def viewer(self) -> access.Viewer:
        if not hasattr(self, "_viewer"):
            self._viewer = access.viewer_for(self.request.user)
        return self._viewer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Voucher.objects.none()
        return voucher_access.voucher_list_visible(viewer=self.viewer).order_by("-created_at", "-pk")

    def get_object(self):
        return voucher_access.voucher_get_visible(viewer=self.viewer, pk=self.kwargs["pk"])

    def _answer(self, voucher, status_code=status.HTTP_200_OK):
        fresh = voucher_access.voucher_get_visible(viewer=self.viewer, pk=voucher.pk)
        return Response(VoucherSerializer(fresh).data, status_code)

    def _step(self, service, **arguments):
        voucher = self.get_object()
        service(actor=self.request.user, voucher=voucher, **arguments)
        return self._answer(voucher)

    @extend_schema(
        summary="Apply for a quota for an enterprise you administer, in a voucher programme open today",
        request=VoucherApplySerializer,
        responses={201: VoucherSerializer},
    )
    def create(self, request):
        data = valid(VoucherApplySerializer, request)
        programme = Programme.objects.filter(pk=data["programme"]).first()
        if programme is None:
            raise ValidationError({"programme": [_("There is no programme with this id.")]})
        unit = Unit.objects.filter(pk=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("There is no unit with this id.")]})
        voucher = services.voucher_apply(
            actor=request.user,
            programme=programme,
            unit=unit,
            amount=data["amount"],
            purpose=data["purpose"],
            project_name=data["project_name"],
        )
        return self._answer(voucher, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Grant the quota asked, or less with a reason (bureau); 409 names a limit it would break",
        request=VoucherGrantSerializer,
        responses={200: VoucherSerializer},
    )
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        data = valid(VoucherGrantSerializer, request)
        return self._step(services.voucher_grant, amount=data.get("amount"), reason=data["reason"])

    @extend_schema(
        summary="Refuse, with the reason the enterprise sees (bureau)",
        request=DecisionReasonSerializer,
        responses={200: VoucherSerializer},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._step(services.voucher_refuse, reason=valid(DecisionReasonSerializer, request)["reason"])
