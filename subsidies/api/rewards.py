"""Provider rewards: computed by the bureau at a programme's close, then reviewed like applications.

The provider unit's members and bureau staff see a reward; everyone else gets 404 and an empty list.
Decisions are the bureau's (paying and clawing back need the pay permission): anyone else gets 404,
as the services refuse them. Approving or paying again writes no second ledger entry.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import services
from ..filters import ProviderRewardFilter
from ..models import Programme, ProviderReward
from . import access
from .inputs import ApproveSerializer, ComputeSerializer, DecisionReasonSerializer, PaySerializer, valid
from .serializers import ProviderRewardSerializer

ORDER = ("programme", "-computed_amount", "pk")


@extend_schema_view(
    list=extend_schema(summary="Provider rewards: your units' (as provider), or all (bureau staff)"),
    retrieve=extend_schema(summary="A provider reward"),
)
class ProviderRewardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProviderRewardSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ProviderRewardFilter
    lookup_value_regex = r"\d+"
    queryset = ProviderReward.objects.none()  # for the schema; get_queryset scopes by viewer

    @property
    def viewer(self) -> access.Viewer:
        if not hasattr(self, "_viewer"):
            self._viewer = access.viewer_for(self.request.user)
        return self._viewer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProviderReward.objects.none()
        return access.reward_list_visible(viewer=self.viewer).order_by(*ORDER)

    def get_object(self):
        return access.reward_get_visible(viewer=self.viewer, pk=self.kwargs["pk"])

    def _step(self, service, **arguments):
        reward = self.get_object()
        service(actor=self.request.user, reward=reward, **arguments)
        return Response(ProviderRewardSerializer(self.get_object()).data)

    @extend_schema(
        summary="Compute (or recompute, while under review) every provider's reward in a programme (bureau)",
        request=ComputeSerializer,
        responses={200: ProviderRewardSerializer(many=True)},
    )
    @action(detail=False, methods=["post"], pagination_class=None, filterset_class=None)
    def compute(self, request):
        data = valid(ComputeSerializer, request)
        programme = Programme.objects.filter(pk=data["programme"]).first()
        if programme is None:
            raise ValidationError({"programme": [_("There is no programme with this id.")]})
        rewards = services.provider_rewards_compute(actor=request.user, programme=programme)
        fresh = access.reward_list_visible(viewer=self.viewer).filter(pk__in=[r.pk for r in rewards]).order_by(*ORDER)
        return Response(ProviderRewardSerializer(fresh, many=True).data)

    @extend_schema(
        summary="Approve in full, or a smaller amount with a reason (bureau); 409 names a limit it would break",
        request=ApproveSerializer,
        responses={200: ProviderRewardSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = valid(ApproveSerializer, request)
        return self._step(services.reward_approve, amount=data.get("amount"), reason=data["reason"])

    @extend_schema(
        summary="Reject, with a reason (bureau); an approved amount is released",
        request=DecisionReasonSerializer,
        responses={200: ProviderRewardSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(services.reward_reject, reason=valid(DecisionReasonSerializer, request)["reason"])

    @extend_schema(
        summary="Put an approved reward on public notice (bureau)",
        request=None,
        responses={200: ProviderRewardSerializer},
    )
    @action(detail=True, methods=["post"])
    def publicise(self, request, pk=None):
        return self._step(services.reward_publicise)

    @extend_schema(
        summary="Mark paid after the notice period, with the payment reference (bureau, pay permission)",
        request=PaySerializer,
        responses={200: ProviderRewardSerializer},
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._step(services.reward_pay, reference=valid(PaySerializer, request)["reference"])

    @extend_schema(
        summary="Claw back a paid reward, with a reason (bureau, pay permission)",
        request=DecisionReasonSerializer,
        responses={200: ProviderRewardSerializer},
    )
    @action(detail=True, methods=["post"], url_path="claw-back")
    def claw_back(self, request, pk=None):
        return self._step(services.reward_claw_back, reason=valid(DecisionReasonSerializer, request)["reason"])
