"""The bureau's review queue of voucher redemptions: the provider's voucher-paid services of one
settlement period with their listed prices, the warnings, the history, and the decisions (review,
return, approve, reject, publicise, and — with the pay permission — mark paid)."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from core.money import format_yuan

from .. import services
from ..models import VoucherRedemption
from ..voucher_warnings import redemption_warning_counts, redemption_warnings
from .decisions import Decision, DecisionAdminMixin
from .vouchers import BureauViewMixin, ProgrammeFilter

R = VoucherRedemption.Status
DECIDABLE = (R.SUBMITTED, R.UNDER_REVIEW)

DECISIONS = (
    Decision(
        "start_review",
        _("Start the review"),
        (R.SUBMITTED,),
        lambda user, obj, data: services.redemption_start_review(actor=user, redemption=obj),
    ),
    Decision(
        "approve",
        _("Approve the redemption"),
        DECIDABLE,
        lambda user, obj, data: services.redemption_approve(actor=user, redemption=obj),
        primary=True,
    ),
    Decision(
        "return",
        _("Return for more information"),
        DECIDABLE,
        lambda user, obj, data: services.redemption_return(actor=user, redemption=obj, reason=data["reason"]),
        inputs=("reason",),
    ),
    Decision(
        "reject",
        _("Reject the redemption"),
        (*DECIDABLE, R.APPROVED, R.PUBLICISED),
        lambda user, obj, data: services.redemption_reject(actor=user, redemption=obj, reason=data["reason"]),
        inputs=("reason",),
    ),
    Decision(
        "publicise",
        _("Put on public notice"),
        (R.APPROVED,),
        lambda user, obj, data: services.redemption_publicise(actor=user, redemption=obj),
        primary=True,
    ),
    Decision(
        "pay",
        _("Mark as paid out"),
        (R.PUBLICISED,),
        lambda user, obj, data: services.redemption_pay(actor=user, redemption=obj, reference=data["reference"]),
        inputs=("reference",),
        pay=True,
        primary=True,
    ),
)


def _label(name: str):
    return VoucherRedemption._meta.get_field(name).verbose_name


class RedemptionChangeList(ChangeList):
    """The queue's page, with each row's warning count read for the whole page at once."""

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        counts = redemption_warning_counts(rows)
        for row in rows:
            row.warning_count = counts.get(row.pk, 0)


@admin.register(VoucherRedemption)
class VoucherRedemptionAdmin(ReadOnlyAdminMixin, BureauViewMixin, DecisionAdminMixin, admin.ModelAdmin):
    decisions = DECISIONS
    list_display = ["number", "provider", "programme_name", "period", "services", "amount", "status", "warnings"]
    list_display_links = ["number"]
    list_filter = [("programme", ProgrammeFilter), "status", "provider__district"]
    search_fields = ["provider__name", "provider__credit_code"]
    list_select_related = ["programme", "provider"]
    list_per_page = 50
    actions = ["approve_selected", "publicise_selected", "pay_selected"]
    fieldsets = [
        (None, {"fields": ["number", "programme_name", "provider", "status", "created_by_name", "created_at"]}),
        (_("The claim"), {"fields": ["period_start", "period_end", "services", "amount", "submitted_at"]}),
        (_("Decision"), {"fields": ["decision_reason", "decided_at", "decided_by"]}),
        (_("Notice and payment"), {"fields": ["notice_from", "notice_until", "paid_at", "payment_reference"]}),
    ]
    readonly_fields = ["number", "programme_name", "created_by_name", "created_at"]

    # Nothing here is edited by hand: every change is a decision through a service
    # (ReadOnlyAdminMixin).

    def get_queryset(self, request):
        # A draft is the provider's own until it is submitted.
        return super().get_queryset(request).exclude(status=R.DRAFT)

    def get_ordering(self, request):
        # Awaiting a decision first, the oldest first.
        awaiting = Case(When(status__in=DECIDABLE, then=Value(0)), default=Value(1), output_field=IntegerField())
        return [awaiting.asc(), "submitted_at", "pk"]

    def get_changelist(self, request, **kwargs):
        return RedemptionChangeList

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj):
        return obj.number

    @admin.display(description=_("settlement period"), ordering="period_end")
    def period(self, obj):
        return f"{obj.period_start:%Y-%m-%d} – {obj.period_end:%Y-%m-%d}"

    @admin.display(description=_("warnings"))
    def warnings(self, obj):
        count = getattr(obj, "warning_count", None)
        return len(redemption_warnings(obj)) if count is None else count

    def decision_summary(self, obj):
        return [
            (_label("provider"), obj.provider.name),
            (_("programme"), obj.programme),
            (_label("status"), obj.get_status_display()),
            (_("settlement period"), self.period(obj)),
            (_label("services"), obj.services),
            (_label("amount"), format_yuan(obj.amount)),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        redemption = self.get_object(request, object_id)
        if redemption is not None:
            extra_context = {**(extra_context or {}), **self.review_context(request, redemption)}
        return super().change_view(request, object_id, form_url, extra_context)

    def review_context(self, request, redemption) -> dict:
        """What the page shows below the redemption's fields."""
        draws = redemption.draws.select_related(
            "service_record__instrument", "voucher__unit", "voucher__programme"
        ).order_by("service_record__started_at", "pk")
        return {
            "draws": draws,
            "review_warnings": redemption_warnings(redemption),
            "history": redemption.history.select_related("history_user").order_by("history_date", "history_id"),
            "decisions": self.decisions_for(request, redemption),
        }

    # -- bulk actions -------------------------------------------------------------------------

    @admin.action(description=_("Approve the selected redemptions"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "approve")

    @admin.action(description=_("Put the selected redemptions on public notice"), permissions=["decide"])
    def publicise_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "publicise")

    @admin.action(description=_("Mark the selected redemptions paid (one payment reference)"), permissions=["pay"])
    def pay_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "pay")
