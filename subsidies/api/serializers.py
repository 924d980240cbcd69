"""What the subsidies API answers: programmes, applications with their lines and evidence, the
claimable services, the arithmetic, and provider rewards. Amounts are decimal strings in yuan
(``"1234.50"``), rates decimal strings of a fraction (``"0.1000"`` is 10%)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import ServicePurpose, ServiceWay
from core.money import MONEY_FIELD
from members.api import DistrictSerializer
from members.models import Unit

from .. import rules
from ..models import Application, ApplicationLine, Evidence, Programme, ProviderReward, TierRule
from .access import Role

MONEY = {"max_digits": MONEY_FIELD["max_digits"], "decimal_places": MONEY_FIELD["decimal_places"]}
RATE = {"max_digits": 5, "decimal_places": 4}


class SubsidyUnitSerializer(serializers.ModelSerializer):
    """An applicant or provider unit, with what the bureau filters by."""

    district = DistrictSerializer(read_only=True)
    # Declared: a read-only model field would lose its blank choice (a unit that is no enterprise).
    scale = serializers.ChoiceField(choices=Unit.Scale.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "unit_type", "scale", "is_high_tech", "district"]
        read_only_fields = fields


# --- Programmes ----------------------------------------------------------------------------------


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = TierRule
        fields = ["condition", "rate"]
        read_only_fields = fields


def _choice_list(choices, help_text):
    """A read-only list of choice values. The schema names the values inline (each choice set has
    its component under another field's name), on a class of its own: a serializer copies its
    fields, and an annotation on the instance would not survive the copy."""
    values = [value for value, _label in choices]
    field_class = extend_schema_field({"type": "array", "items": {"type": "string", "enum": values}})(
        type("ChoiceListField", (serializers.ListField,), {})
    )
    return field_class(child=serializers.CharField(), read_only=True, help_text=help_text)


class ProgrammeSerializer(serializers.ModelSerializer):
    """A programme's rules, budget and what is committed of it."""

    tiers = TierSerializer(many=True, read_only=True, help_text="Higher rates; only the highest applicable counts.")
    remaining = serializers.DecimalField(
        source="remaining_budget", read_only=True, help_text="Budget minus committed.", **MONEY
    )
    region = serializers.CharField(read_only=True, help_text="The city providers must be in, when they must.")
    eligible_unit_types = _choice_list(Unit.Type.choices, "Empty: every unit type.")
    eligible_scales = _choice_list(Unit.Scale.choices, "Empty: every scale.")
    eligible_service_ways = _choice_list(ServiceWay.choices, "Empty: every service way.")
    excluded_purposes = _choice_list(ServicePurpose.choices, "Services for these purposes are never subsidised.")
    listed_units = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the units on the programme's own list (the listed tier)."
    )

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "mode",
            "year",
            "services_from",
            "services_until",
            "applies_from",
            "applies_until",
            "budget",
            "committed",
            "remaining",
            "base_rate",
            "tiers",
            "listed_units",
            "cap_per_application",
            "cap_per_enterprise",
            "cap_counts_group",
            "provider_reward_rate",
            "provider_reward_cap",
            "eligible_unit_types",
            "eligible_scales",
            "eligible_service_ways",
            "excluded_purposes",
            "min_instrument_value",
            "providers_in_region",
            "region",
            "settlement_cycle",
            "notice_days",
        ]
        read_only_fields = fields


# --- Applications --------------------------------------------------------------------------------


class ApplicationLineSerializer(serializers.ModelSerializer):
    """One claimed service: the fee paid, the rate, the subsidy, and the provider's confirmation."""

    instrument = serializers.IntegerField(source="service_record.instrument_id", read_only=True)
    instrument_name = serializers.CharField(source="service_record.instrument.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    started_at = serializers.DateTimeField(source="service_record.started_at", read_only=True)
    service_way = serializers.ChoiceField(
        source="service_record.service_way", choices=ServiceWay.choices, read_only=True
    )
    purpose = serializers.ChoiceField(source="service_record.purpose", choices=ServicePurpose.choices, read_only=True)
    provider_status_display = serializers.CharField(source="get_provider_status_display", read_only=True)
    live = serializers.BooleanField(read_only=True, help_text="False once the application was rejected or withdrawn.")

    class Meta:
        model = ApplicationLine
        fields = [
            "id",
            "service_record",
            "instrument",
            "instrument_name",
            "provider",
            "provider_name",
            "started_at",
            "service_way",
            "purpose",
            "fee",
            "rate",
            "subsidy",
            "live",
            "provider_status",
            "provider_status_display",
            "provider_reason",
            "provider_decided_at",
        ]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text="The file, a path on this site (signed-in viewers only)."
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "kind_display",
            "invoice_number",
            "original_name",
            "content_type",
            "size",
            "uploaded_at",
            "url",
        ]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as the viewer (``context["viewer"]``) may see it: whole for its unit's members
    and the bureau; for a provider only its own lines, with no note, evidence, reasons or reference."""

    number = serializers.CharField(read_only=True, help_text="The year and a serial, e.g. 2026-00042.")
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    unit = SubsidyUnitSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    viewer_role = serializers.SerializerMethodField(
        help_text="How you see it: applicant (a member of its unit), bureau, or provider (only your lines)."
    )
    lines = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "programme",
            "programme_name",
            "unit",
            "status",
            "status_display",
            "viewer_role",
            "project_name",
            "note",
            "requested_amount",
            "approved_amount",
            "decision_reason",
            "submitted_at",
            "decided_at",
            "notice_from",
            "notice_until",
            "paid_at",
            "payment_reference",
            "created_at",
            "lines",
            "evidence",
        ]
        read_only_fields = fields

    PRIVATE = ("note", "decision_reason", "payment_reference")

    @property
    def viewer(self):
        return self.context["viewer"]

    @extend_schema_field(serializers.ChoiceField(choices=Role.ALL))
    def get_viewer_role(self, application) -> str:
        return self.viewer.role(application)

    @extend_schema_field(ApplicationLineSerializer(many=True))
    def get_lines(self, application):
        return ApplicationLineSerializer(self.viewer.visible_lines(application), many=True).data

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, application):
        if not self.viewer.sees_whole(application):
            return []
        return EvidenceSerializer(application.evidence.all(), many=True).data

    def to_representation(self, application):
        data = super().to_representation(application)
        if not self.viewer.sees_whole(application):
            data.update(dict.fromkeys(self.PRIVATE, ""))
        return data


class AnswerSerializer(serializers.Serializer):
    """A body the API only answers with: every field read-only, so the schema states no input rules
    (a blank invoice number is a fine answer)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
        return fields


class ClaimableSerializer(AnswerSerializer):
    """One of the unit's charged services: whether it can be claimed in the application's
    programme (else the reason), its rate and the subsidy it would bring."""

    service_record = serializers.IntegerField(source="record.pk")
    instrument = serializers.IntegerField(source="record.instrument_id")
    instrument_name = serializers.CharField(source="record.instrument.name")
    provider = serializers.IntegerField(source="record.instrument.unit_id")
    provider_name = serializers.CharField(source="record.instrument.unit.name")
    started_at = serializers.DateTimeField(source="record.started_at")
    service_way = serializers.ChoiceField(source="record.service_way", choices=ServiceWay.choices)
    purpose = serializers.ChoiceField(source="record.purpose", choices=ServicePurpose.choices)
    fee = serializers.DecimalField(source="record.amount", **MONEY)
    paid_on = serializers.DateField(source="record.paid_on", allow_null=True)
    invoice_number = serializers.CharField(source="record.invoice_number")
    claimable = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=list(rules.REASONS.items()), allow_null=True, help_text="Why it cannot be claimed; null when it can."
    )
    reason_message = serializers.CharField(help_text="The reason in words, in your language; empty when claimable.")
    rate = serializers.DecimalField(**RATE)
    subsidy = serializers.DecimalField(**MONEY)
    selected = serializers.BooleanField(help_text="Claimed in this application now.")


class StepSerializer(AnswerSerializer):
    """One line of the arithmetic: what it applied and the subsidy after it."""

    label = serializers.CharField()
    amount = serializers.DecimalField(help_text="The subsidy after this step.", **MONEY)
    limit = serializers.DecimalField(allow_null=True, help_text="The limit this step applied, if any.", **MONEY)


class ArithmeticSerializer(AnswerSerializer):
    """From the sum of the lines to the subsidy, step by step (caps only lower it)."""

    lines_total = serializers.DecimalField(help_text="The sum of the lines' subsidies.", **MONEY)
    result = serializers.DecimalField(help_text="The subsidy after every cap, as things stand now.", **MONEY)
    steps = StepSerializer(many=True)


# --- Provider rewards ----------------------------------------------------------------------------


class ProviderRewardSerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    unit = SubsidyUnitSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ProviderReward
        fields = [
            "id",
            "programme",
            "programme_name",
            "unit",
            "status",
            "status_display",
            "external_income",
            "services",
            "rate",
            "computed_amount",
            "approved_amount",
            "decision_reason",
            "decided_at",
            "notice_from",
            "notice_until",
            "paid_at",
            "payment_reference",
            "computed_at",
        ]
        read_only_fields = fields
