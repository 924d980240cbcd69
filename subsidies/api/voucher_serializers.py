"""What the voucher API reads and answers: vouchers with their draws, redemptions with the draws they
claim, and the bodies of their writes. The services check the rules; the inputs check only the shape,
so the OpenAPI schema states it exactly. Amounts are decimal strings in yuan (``"1234.50"``)."""

from decimal import Decimal

from rest_framework import serializers

from core.timeparse import validate_in_range

from ..models import Voucher, VoucherDraw, VoucherRedemption
from .access import MAX_ID
from .serializers import MONEY, SubsidyUnitSerializer

# --- What it reads ---------------------------------------------------------------------------------


def _id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _text(max_length, **kwargs):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


def _date(**kwargs):
    return serializers.DateField(validators=[validate_in_range], **kwargs)


class VoucherApplySerializer(serializers.Serializer):
    programme = _id(help_text="The id of a voucher programme open for applications today.")
    unit = _id(help_text="The enterprise: one you are an administrator of.")
    amount = serializers.DecimalField(min_value=Decimal("0.01"), help_text="The quota asked, in yuan.", **MONEY)
    purpose = serializers.CharField(max_length=1000, help_text="What the work is for (the bureau reads it).")
    project_name = _text(200, help_text="The R&D project the services will support.")


class VoucherGrantSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="Yuan; leave it out to grant the quota asked. Less than asked needs a reason.",
        **MONEY,
    )
    reason = _text(2000, help_text="Shown to the enterprise; required when granting less than asked.")


class RedemptionCreateSerializer(serializers.Serializer):
    programme = _id(help_text="The id of the voucher programme whose services to redeem.")
    provider = _id(help_text="The provider unit: one whose instruments you manage.")
    period_start = _date(help_text="The settlement period's first day.")
    period_end = _date(help_text="The settlement period's last day, before today.")


class RedemptionApproveSerializer(serializers.Serializer):
    reason = _text(2000, help_text="Shown to the provider.")


# --- What it answers -------------------------------------------------------------------------------


class VoucherDrawSerializer(serializers.ModelSerializer):
    """What one completed service drew from a voucher: the charge, the voucher's share of it, what
    the voucher paid (never more than its balance) and what the user paid."""

    instrument = serializers.IntegerField(source="service_record.instrument_id", read_only=True)
    instrument_name = serializers.CharField(source="service_record.instrument.name", read_only=True)
    provider = serializers.IntegerField(source="service_record.instrument.unit_id", read_only=True)
    provider_name = serializers.CharField(source="service_record.instrument.unit.name", read_only=True)
    started_at = serializers.DateTimeField(source="service_record.started_at", read_only=True)
    paid_by_voucher = serializers.DecimalField(source="amount", read_only=True, **MONEY)
    paid_by_user = serializers.DecimalField(read_only=True, help_text="Charged minus paid by voucher.", **MONEY)
    note = serializers.CharField(read_only=True, help_text="Why the voucher paid less than its share, if it did.")
    drawn_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = VoucherDraw
        fields = [
            "id",
            "service_record",
            "started_at",
            "instrument",
            "instrument_name",
            "provider",
            "provider_name",
            "charged",
            "share",
            "paid_by_voucher",
            "paid_by_user",
            "note",
            "drawn_at",
        ]
        read_only_fields = fields


class RedemptionDrawSerializer(VoucherDrawSerializer):
    """A draw claimed in a redemption, with the voucher and the enterprise it was drawn for."""

    voucher_number = serializers.CharField(source="voucher.number", read_only=True)
    unit = serializers.IntegerField(source="voucher.unit_id", read_only=True, help_text="The enterprise's id.")
    unit_name = serializers.CharField(source="voucher.unit.name", read_only=True)

    class Meta(VoucherDrawSerializer.Meta):
        fields = [*VoucherDrawSerializer.Meta.fields, "voucher", "voucher_number", "unit", "unit_name"]
        read_only_fields = fields


class VoucherSerializer(serializers.ModelSerializer):
    """An enterprise's voucher: the quota asked and granted, what is drawn and left, its validity and
    every draw with its service."""

    number = serializers.CharField(read_only=True, help_text="V, the programme's year and a serial: V2026-00001.")
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    unit = SubsidyUnitSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    remaining = serializers.DecimalField(read_only=True, help_text="Quota minus drawn.", **MONEY)
    draws = VoucherDrawSerializer(many=True, read_only=True)

    class Meta:
        model = Voucher
        fields = [
            "id",
            "number",
            "programme",
            "programme_name",
            "unit",
            "status",
            "status_display",
            "requested_amount",
            "purpose",
            "project_name",
            "quota",
            "drawn",
            "remaining",
            "valid_from",
            "valid_until",
            "decision_reason",
            "decided_at",
            "created_at",
            "draws",
        ]
        read_only_fields = fields


class VoucherRedemptionSerializer(serializers.ModelSerializer):
    """A provider's claim for the voucher-paid part of its services in a settlement period."""

    number = serializers.CharField(read_only=True, help_text="R, the programme's year and a serial: R2026-00001.")
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    provider = SubsidyUnitSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    draws = RedemptionDrawSerializer(many=True, read_only=True)

    class Meta:
        model = VoucherRedemption
        fields = [
            "id",
            "number",
            "programme",
            "programme_name",
            "provider",
            "status",
            "status_display",
            "period_start",
            "period_end",
            "amount",
            "services",
            "decision_reason",
            "submitted_at",
            "decided_at",
            "notice_from",
            "notice_until",
            "paid_at",
            "payment_reference",
            "created_at",
            "draws",
        ]
        read_only_fields = fields
