"""The bureau's queue of innovation vouchers: filters, a read-only page with what a grant needs (the
request, the enterprise's or group's remaining cap, the programme's remaining budget) and what
followed it (every draw with its service, the ledger entries, the history), and the decisions."""

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from core.money import format_yuan

from .. import selectors, services
from ..models import Voucher, VoucherDraw
from ..permissions import can_decide
from .decisions import Decision, DecisionAdminMixin

V = Voucher.Status

DECISIONS = (
    Decision(
        "grant",
        _("Grant in full"),
        (V.REQUESTED,),
        lambda user, obj, data: services.voucher_grant(actor=user, voucher=obj),
        primary=True,
    ),
    Decision(
        "grant_part",
        _("Grant a smaller quota"),
        (V.REQUESTED,),
        lambda user, obj, data: services.voucher_grant(
            actor=user, voucher=obj, amount=data["amount"], reason=data["reason"]
        ),
        inputs=("amount", "reason"),
    ),
    Decision(
        "refuse",
        _("Refuse the voucher"),
        (V.REQUESTED,),
        lambda user, obj, data: services.voucher_refuse(actor=user, voucher=obj, reason=data["reason"]),
        inputs=("reason",),
    ),
)


def _label(name: str):
    return Voucher._meta.get_field(name).verbose_name


class ProgrammeFilter(admin.RelatedOnlyFieldListFilter):
    """The programmes that have rows here, under a translated title."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("programme")


class BureauViewMixin:
    """What the voucher and the redemption queues share.

    Bureau officers who decide may read them even where their group lacks the model's view
    permission (``SubsidiesConfig.bureau_permissions`` names no voucher model yet). The models'
    ``programme`` and ``created_by`` have no translated verbose name, so they are shown through
    these methods."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can_decide(request.user)

    @admin.display(description=_("programme"), ordering="programme__year")
    def programme_name(self, obj):
        return obj.programme

    @admin.display(description=_("created by"))
    def created_by_name(self, obj):
        return obj.created_by.name or obj.created_by


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdminMixin, BureauViewMixin, DecisionAdminMixin, admin.ModelAdmin):
    decisions = DECISIONS
    list_display = [
        "number",
        "unit",
        "district",
        "scale",
        "programme_name",
        "requested_amount",
        "quota",
        "drawn",
        "remaining",
        "valid_until",
        "status",
    ]
    list_display_links = ["number"]
    list_filter = [("programme", ProgrammeFilter), "status", "unit__district", "unit__scale"]
    search_fields = ["unit__name", "unit__credit_code", "project_name"]
    list_select_related = ["programme", "unit", "unit__district"]
    list_per_page = 50
    actions = ["grant_selected", "refuse_selected"]
    fieldsets = [
        (None, {"fields": ["number", "programme_name", "unit", "status", "created_by_name", "created_at"]}),
        (_("The request"), {"fields": ["requested_amount", "purpose", "project_name"]}),
        (
            _("Quota and decision"),
            {
                "fields": [
                    "quota",
                    "drawn",
                    "remaining",
                    "valid_from",
                    "valid_until",
                    "decision_reason",
                    "decided_at",
                    "decided_by",
                ]
            },
        ),
    ]
    readonly_fields = ["number", "programme_name", "created_by_name", "drawn", "remaining", "created_at"]

    # Nothing here is edited by hand: every change is a decision through a service
    # (ReadOnlyAdminMixin).

    def get_ordering(self, request):
        # Awaiting a decision first, the oldest first.
        awaiting = Case(When(status=V.REQUESTED, then=Value(0)), default=Value(1), output_field=IntegerField())
        return [awaiting.asc(), "created_at", "pk"]

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj):
        return obj.number

    @admin.display(description=_("district"), ordering="unit__district__name")
    def district(self, obj):
        return obj.unit.district

    @admin.display(description=_("scale"), ordering="unit__scale")
    def scale(self, obj):
        return obj.unit.get_scale_display()

    @admin.display(description=_("remaining (yuan)"))
    def remaining(self, obj):
        return obj.remaining

    def _holder(self, voucher) -> tuple[str, object]:
        programme = voucher.programme
        key = voucher.holder_key or selectors.holder_key_for(programme, voucher.unit)
        return key, selectors.holder_remaining(programme, key)

    def decision_summary(self, obj):
        _key, remaining = self._holder(obj)
        return [
            (_label("unit"), obj.unit.name),
            (_("programme"), obj.programme),
            (_label("status"), obj.get_status_display()),
            (_label("requested_amount"), format_yuan(obj.requested_amount)),
            (_label("purpose"), obj.purpose),
            (_("programme's remaining budget"), format_yuan(obj.programme.remaining_budget)),
            (_("remaining cap"), _("no cap") if remaining is None else format_yuan(remaining)),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        voucher = self.get_object(request, object_id)
        if voucher is not None:
            extra_context = {**(extra_context or {}), **self.voucher_context(request, voucher)}
        return super().change_view(request, object_id, form_url, extra_context)

    def voucher_context(self, request, voucher) -> dict:
        """What the page shows below the voucher's fields."""
        key, remaining = self._holder(voucher)
        draws = (
            VoucherDraw.objects.filter(voucher=voucher)
            .select_related("service_record__instrument__unit", "redemption__programme")
            .order_by("service_record__started_at", "pk")
        )
        return {
            "draws": draws,
            "entries": voucher.ledger.select_related("created_by").order_by("pk"),
            "holder_is_group": key.startswith("group:"),
            "holder_remaining": remaining,
            "budget": voucher.programme.budget,
            "remaining_budget": voucher.programme.remaining_budget,
            "history": voucher.history.select_related("history_user").order_by("history_date", "history_id"),
            "decisions": self.decisions_for(request, voucher),
        }

    # -- bulk actions -------------------------------------------------------------------------

    @admin.action(description=_("Grant the selected vouchers in full"), permissions=["decide"])
    def grant_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "grant")

    @admin.action(description=_("Refuse the selected vouchers (with a reason)"), permissions=["decide"])
    def refuse_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "refuse")
