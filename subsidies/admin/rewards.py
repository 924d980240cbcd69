"""Provider rewards (computed from the programme's page): reviewed and decided like applications."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from core.money import format_yuan

from .. import services
from ..models import ProviderReward
from .decisions import Decision, DecisionAdminMixin

R = ProviderReward.Status
GRANTED = (R.APPROVED, R.PARTLY_APPROVED)

DECISIONS = (
    Decision(
        "approve",
        _("Approve in full"),
        (R.COMPUTED,),
        lambda user, obj, data: services.reward_approve(actor=user, reward=obj),
        primary=True,
    ),
    Decision(
        "approve_part",
        _("Approve a smaller amount"),
        (R.COMPUTED,),
        lambda user, obj, data: services.reward_approve(
            actor=user, reward=obj, amount=data["amount"], reason=data["reason"]
        ),
        inputs=("amount", "reason"),
    ),
    Decision(
        "reject",
        _("Reject the reward"),
        (R.COMPUTED, *GRANTED, R.PUBLICISED),
        lambda user, obj, data: services.reward_reject(actor=user, reward=obj, reason=data["reason"]),
        inputs=("reason",),
    ),
    Decision(
        "publicise",
        _("Put on public notice"),
        GRANTED,
        lambda user, obj, data: services.reward_publicise(actor=user, reward=obj),
        primary=True,
    ),
    Decision(
        "pay",
        _("Mark as paid out"),
        (R.PUBLICISED,),
        lambda user, obj, data: services.reward_pay(actor=user, reward=obj, reference=data["reference"]),
        inputs=("reference",),
        pay=True,
        primary=True,
    ),
    Decision(
        "claw_back",
        _("Claw back"),
        (R.PAID,),
        lambda user, obj, data: services.reward_claw_back(actor=user, reward=obj, reason=data["reason"]),
        inputs=("reason",),
        pay=True,
    ),
)


def _label(name: str):
    return ProviderReward._meta.get_field(name).verbose_name


@admin.register(ProviderReward)
class ProviderRewardAdmin(ReadOnlyAdminMixin, DecisionAdminMixin, admin.ModelAdmin):
    decisions = DECISIONS
    list_display = [
        "unit",
        "programme",
        "external_income",
        "services",
        "computed_amount",
        "approved_amount",
        "status",
    ]
    list_filter = ["programme", "status"]
    search_fields = ["unit__name", "unit__credit_code"]
    list_select_related = ["programme", "unit"]
    actions = ["approve_selected", "publicise_selected", "pay_selected", "reject_selected"]
    fieldsets = [
        (None, {"fields": ["unit", "programme", "status", "external_income", "services", "rate", "computed_amount"]}),
        (
            _("Amounts and decision"),
            {"fields": ["approved_amount", "decision_reason", "decided_at", "decided_by", "computed_at"]},
        ),
        (_("Notice and payment"), {"fields": ["notice_from", "notice_until", "paid_at", "payment_reference"]}),
    ]

    # Nothing here is edited by hand: every change is a decision through a service
    # (ReadOnlyAdminMixin).

    def decision_summary(self, obj):
        return [
            (_label("unit"), obj.unit.name),
            (_label("programme"), obj.programme),
            (_label("status"), obj.get_status_display()),
            (_("confirmed external income"), format_yuan(obj.external_income)),
            (_("computed reward"), format_yuan(obj.computed_amount)),
            (_("approved"), format_yuan(obj.approved_amount)),
            (_("programme's remaining budget"), format_yuan(obj.programme.remaining_budget)),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        reward = self.get_object(request, object_id)
        if reward is not None:
            extra_context = {
                **(extra_context or {}),
                "decisions": self.decisions_for(request, reward),
                "history": reward.history.select_related("history_user").order_by("history_date", "history_id"),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Approve the selected rewards in full"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "approve")

    @admin.action(description=_("Put the selected rewards on public notice"), permissions=["decide"])
    def publicise_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "publicise")

    @admin.action(description=_("Mark the selected rewards paid (one payment reference)"), permissions=["pay"])
    def pay_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "pay")

    @admin.action(description=_("Reject the selected rewards (with a reason)"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "reject")
