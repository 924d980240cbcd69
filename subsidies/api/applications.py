"""Subsidy applications: the applicant's draft, lines, evidence and submission; the provider's
confirmation or dispute of each line; the bureau's review, decision, notice, payment and clawback.

Every step calls one service (``subsidies.services``), which checks who may take it: someone who may
not gets the same 404 as for an application that is not theirs, a broken rule 400 (beside its field),
a step the status does not allow 409 ``invalid_transition``, a decision that would break the budget
or a cap 409 ``conflict`` naming the limit and by how much. Approving or paying again what is
already approved or paid changes nothing and writes no second ledger entry.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from members.models import Unit

from .. import selectors, services
from ..filters import ApplicationFilter
from ..models import Application, Programme
from . import access
from .inputs import (
    ApplicationCreateSerializer,
    ApplicationUpdateSerializer,
    ApproveSerializer,
    DecisionReasonSerializer,
    DisputeSerializer,
    EvidenceUploadSerializer,
    PaySerializer,
    ReduceSerializer,
    valid,
)
from .serializers import ApplicationSerializer, ArithmeticSerializer, ClaimableSerializer, EvidenceSerializer

LINE_ID = OpenApiParameter(
    "line_id",
    {"type": "string", "pattern": r"^\d+$"},
    OpenApiParameter.PATH,
    description="The id of a line of this application.",
)
NO_BODY = {"request": None, "responses": {200: ApplicationSerializer}}


@extend_schema_view(
    list=extend_schema(
        summary="Applications you may see: your units' (whole), those with services of the instruments you "
        "manage (only those lines), or all (bureau staff)"
    ),
    retrieve=extend_schema(summary="An application as you may see it"),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApplicationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ApplicationFilter
    lookup_value_regex = r"\d+"
    queryset = Application.objects.none()  # for the schema; get_queryset scopes by viewer

    @property
    def viewer(self) -> access.Viewer:
        if not hasattr(self, "_viewer"):
            self._viewer = access.viewer_for(self.request.user)
        return self._viewer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return access.application_list_visible(viewer=self.viewer).order_by("-created_at", "-pk")

    def get_object(self):
        return access.application_get_visible(viewer=self.viewer, pk=self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "viewer": self.viewer}

    def _answer(self, application, status_code=status.HTTP_200_OK):
        fresh = access.application_get_visible(viewer=self.viewer, pk=application.pk)
        return Response(ApplicationSerializer(fresh, context=self.get_serializer_context()).data, status_code)

    def _step(self, service, **arguments):
        application = self.get_object()
        service(actor=self.request.user, application=application, **arguments)
        return self._answer(application)

    # --- The applicant ---------------------------------------------------------------------------

    @extend_schema(
        summary="Start a draft for a unit you administer, in a programme open today",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer},
    )
    def create(self, request):
        data = valid(ApplicationCreateSerializer, request)
        programme = Programme.objects.filter(pk=data["programme"]).first()
        if programme is None:
            raise ValidationError({"programme": [_("There is no programme with this id.")]})
        unit = Unit.objects.filter(pk=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("There is no unit with this id.")]})
        application = services.application_create(
            actor=request.user, programme=programme, unit=unit, project_name=data["project_name"], note=data["note"]
        )
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft or returned application: its project, note, or the services it claims",
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationSerializer},
    )
    def partial_update(self, request, pk=None):
        application = self.get_object()
        data = valid(ApplicationUpdateSerializer, request)
        if not data:
            raise ValidationError(_("Send at least one of project_name, note and service_records."))
        with transaction.atomic():  # both changes or neither
            if "project_name" in data or "note" in data:
                services.application_update(
                    actor=request.user,
                    application=application,
                    project_name=data.get("project_name", application.project_name),
                    note=data.get("note", application.note),
                )
            if "service_records" in data:
                services.application_set_lines(
                    actor=request.user, application=application, record_ids=data["service_records"]
                )
        return self._answer(application)

    @extend_schema(
        summary="The unit's charged services: each claimable in this programme or why not, its rate and subsidy",
        responses={200: ClaimableSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def claimable(self, request, pk=None):
        application = access.application_get_whole(viewer=self.viewer, pk=pk)
        selected = {line.service_record_id for line in application.lines.all() if line.live}
        rows = [
            {
                **row,
                "claimable": row["problem"] is None,
                "reason": row["problem"].code if row["problem"] else None,
                "reason_message": str(row["problem"]) if row["problem"] else "",
                "selected": row["record"].pk in selected,
            }
            for row in selectors.claimable_records(
                programme=application.programme, unit=application.unit, application=application
            )
        ]
        return Response(ClaimableSerializer(rows, many=True).data)

    @extend_schema(
        summary="From the lines to the subsidy, step by step, after every cap as things stand now",
        responses={200: ArithmeticSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def arithmetic(self, request, pk=None):
        application = access.application_get_whole(viewer=self.viewer, pk=pk)
        return Response(ArithmeticSerializer(selectors.application_arithmetic(application)).data)

    @extend_schema(
        summary="Attach evidence: an invoice with its number, the test registration form, the project contract",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        application = self.get_object()
        data = valid(EvidenceUploadSerializer, request)
        evidence = services.evidence_add(
            actor=request.user,
            application=application,
            kind=data["kind"],
            file=data["file"],
            invoice_number=data["invoice_number"],
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Submit to the providers for confirmation (needs a service and an invoice)", **NO_BODY)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(services.application_submit)

    @extend_schema(summary="Withdraw: the claimed services become claimable again", **NO_BODY)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(services.application_withdraw)

    # --- The provider ----------------------------------------------------------------------------

    def _line_step(self, service, line_id, **arguments):
        application = self.get_object()
        service(actor=self.request.user, line=access.line_get(application=application, pk=line_id), **arguments)
        return self._answer(application)

    @extend_schema(
        summary="Confirm a claimed service of your instrument: it happened, at that fee",
        parameters=[LINE_ID],
        **NO_BODY,
    )
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line_id>\d+)/confirm", url_name="line-confirm")
    def line_confirm(self, request, pk=None, line_id=None):
        return self._line_step(services.line_confirm, line_id)

    @extend_schema(
        summary="Dispute a claimed service of your instrument: the application goes back to the applicant",
        parameters=[LINE_ID],
        request=DisputeSerializer,
        responses={200: ApplicationSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line_id>\d+)/dispute", url_name="line-dispute")
    def line_dispute(self, request, pk=None, line_id=None):
        reason = valid(DisputeSerializer, request)["reason"]
        return self._line_step(services.line_dispute, line_id, reason=reason)

    # --- The bureau ------------------------------------------------------------------------------

    @extend_schema(summary="Take a confirmed application under review (bureau)", **NO_BODY)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._step(services.application_start_review)

    @extend_schema(
        summary="Approve in full, or a smaller amount with a reason (bureau); 409 names a limit it would break",
        request=ApproveSerializer,
        responses={200: ApplicationSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = valid(ApproveSerializer, request)
        return self._step(services.application_approve, amount=data.get("amount"), reason=data["reason"])

    @extend_schema(
        summary="Return to the applicant for more information (bureau)",
        request=DecisionReasonSerializer,
        responses={200: ApplicationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_applicant(self, request, pk=None):
        return self._step(services.application_return, reason=valid(DecisionReasonSerializer, request)["reason"])

    @extend_schema(
        summary="Reject, with the reason the applicant sees (bureau); an approved amount is released",
        request=DecisionReasonSerializer,
        responses={200: ApplicationSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(services.application_reject, reason=valid(DecisionReasonSerializer, request)["reason"])

    @extend_schema(
        summary="Lower an approved amount before payment, with a reason (bureau); the difference is released",
        request=ReduceSerializer,
        responses={200: ApplicationSerializer},
    )
    @action(detail=True, methods=["post"])
    def reduce(self, request, pk=None):
        data = valid(ReduceSerializer, request)
        return self._step(services.application_reduce, amount=data["amount"], reason=data["reason"])

    @extend_schema(summary="Put an approved application on public notice (bureau)", **NO_BODY)
    @action(detail=True, methods=["post"])
    def publicise(self, request, pk=None):
        return self._step(services.application_publicise)

    @extend_schema(
        summary="Mark paid after the notice period, with the payment reference (bureau, pay permission)",
        request=PaySerializer,
        responses={200: ApplicationSerializer},
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._step(services.application_pay, reference=valid(PaySerializer, request)["reference"])

    @extend_schema(
        summary="Claw back a paid subsidy, with a reason (bureau, pay permission)",
        request=DecisionReasonSerializer,
        responses={200: ApplicationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="claw-back")
    def claw_back(self, request, pk=None):
        return self._step(services.application_claw_back, reason=valid(DecisionReasonSerializer, request)["reason"])
