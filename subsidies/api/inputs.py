"""What the subsidies API reads: the bodies of its writes. The services check the rules; these check
only the shape (types, lengths, required fields), so the OpenAPI schema states it exactly."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Evidence
from ..selectors import CLAIMABLE_LIMIT
from .access import MAX_ID
from .serializers import MONEY


def valid(serializer_class, request) -> dict:
    """The request's body checked by ``serializer_class`` (a 400 with messages by field if not)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _text(max_length, **kwargs):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


class ApplicationCreateSerializer(serializers.Serializer):
    programme = _id(help_text="The id of a programme open for applications today.")
    unit = _id(help_text="The applicant unit: one you are an administrator of.")
    project_name = _text(200, help_text="The R&D project the services supported.")
    note = _text(2000, help_text="A note to the bureau.")


class ApplicationUpdateSerializer(serializers.Serializer):
    """Any of these; ``service_records`` replaces the claimed services with exactly these."""

    project_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    service_records = serializers.ListField(
        child=_id(),
        required=False,
        max_length=CLAIMABLE_LIMIT,
        help_text="Ids of the unit's service records to claim (see `claimable`); an empty list claims none.",
    )


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.FileField):
    """A file sent as a part of a multipart/form-data body."""


class EvidenceUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    invoice_number = _text(50, help_text="Required for an invoice: the number printed on it.")
    file = UploadField(help_text="A PDF, PNG or JPEG (checked by its content), size-limited.")


class ApproveSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Yuan; leave it out to approve the requested amount. Less than requested needs a reason.",
        **MONEY,
    )
    reason = _text(2000, help_text="Shown to the applicant; required when approving less than requested.")


class ReduceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        min_value=0, help_text="The new approved amount (yuan), below the current one.", **MONEY
    )
    reason = serializers.CharField(max_length=2000, help_text="Shown to the applicant.")


class DecisionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Shown to the applicant (or the provider).")


class DisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="What is wrong with the service; the applicant sees it.")


class PaySerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=60, help_text="The finance office's payment reference.")


class ComputeSerializer(serializers.Serializer):
    programme = _id(help_text="The id of the programme whose provider rewards to compute.")
