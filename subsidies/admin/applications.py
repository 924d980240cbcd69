"""The bureau's review queue of applications: filters, a read-only page with everything a decision
needs (services, evidence, arithmetic, caps, budget, warnings, history), and the decisions."""

from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from core.money import format_yuan

from .. import selectors, services
from ..models import Application
from ..warnings import application_warnings, warning_counts
from .decisions import Decision, DecisionAdminMixin

A = Application.Status
DECIDABLE = tuple(Application.DECIDABLE_STATUSES)
APPROVED = (A.APPROVED, A.PARTLY_APPROVED)

DECISIONS = (
    Decision(
        "start_review",
        _("Start the review"),
        (A.PROVIDER_CONFIRMED,),
        lambda user, obj, data: services.application_start_review(actor=user, application=obj),
    ),
    Decision(
        "approve",
        _("Approve in full"),
        DECIDABLE,
        lambda user, obj, data: services.application_approve(actor=user, application=obj),
        primary=True,
    ),
    Decision(
        "approve_part",
        _("Approve a smaller amount"),
        DECIDABLE,
        lambda user, obj, data: services.application_approve(
            actor=user, application=obj, amount=data["amount"], reason=data["reason"]
        ),
        inputs=("amount", "reason"),
    ),
    Decision(
        "return",
        _("Return for more information"),
        DECIDABLE,
        lambda user, obj, data: services.application_return(actor=user, application=obj, reason=data["reason"]),
        inputs=("reason",),
    ),
    Decision(
        "reject",
        _("Reject the application"),
        (*DECIDABLE, *APPROVED, A.PUBLICISED),
        lambda user, obj, data: services.application_reject(actor=user, application=obj, reason=data["reason"]),
        inputs=("reason",),
    ),
    Decision(
        "reduce",
        _("Reduce the approved amount"),
        (*APPROVED, A.PUBLICISED),
        lambda user, obj, data: services.application_reduce(
            actor=user, application=obj, amount=data["amount"], reason=data["reason"]
        ),
        inputs=("amount", "reason"),
    ),
    Decision(
        "publicise",
        _("Put on public notice"),
        APPROVED,
        lambda user, obj, data: services.application_publicise(actor=user, application=obj),
        primary=True,
    ),
    Decision(
        "pay",
        _("Mark as paid out"),
        (A.PUBLICISED,),
        lambda user, obj, data: services.application_pay(actor=user, application=obj, reference=data["reference"]),
        inputs=("reference",),
        pay=True,
        primary=True,
    ),
    Decision(
        "claw_back",
        _("Claw back"),
        (A.PAID,),
        lambda user, obj, data: services.application_claw_back(actor=user, application=obj, reason=data["reason"]),
        inputs=("reason",),
        pay=True,
    ),
)


def _label(name: str):
    return Application._meta.get_field(name).verbose_name


class AmountBandFilter(admin.SimpleListFilter):
    title = _("requested amount")
    parameter_name = "amount"
    BANDS = {
        "lt10k": {"requested_amount__lt": Decimal("10000")},
        "10k-100k": {"requested_amount__gte": Decimal("10000"), "requested_amount__lte": Decimal("100000")},
        "gt100k": {"requested_amount__gt": Decimal("100000")},
    }

    def lookups(self, request, model_admin):
        return [
            ("lt10k", _("under 10,000 yuan")),
            ("10k-100k", _("10,000 to 100,000 yuan")),
            ("gt100k", _("over 100,000 yuan")),
        ]

    def queryset(self, request, queryset):
        band = self.BANDS.get(self.value())
        return queryset.filter(**band) if band else queryset


class ReviewChangeList(ChangeList):
    """The queue's page, with each row's warning count read for the whole page at once."""

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        counts = warning_counts(rows)
        for row in rows:
            row.warning_count = counts.get(row.pk, 0)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, DecisionAdminMixin, admin.ModelAdmin):
    decisions = DECISIONS
    list_display = [
        "number",
        "unit",
        "district",
        "scale",
        "programme",
        "requested_amount",
        "approved_amount",
        "status",
        "warnings",
        "submitted_at",
    ]
    list_display_links = ["number"]
    list_filter = ["programme", "status", "unit__district", "unit__scale", AmountBandFilter]
    search_fields = ["unit__name", "unit__credit_code"]
    list_select_related = ["programme", "unit", "unit__district"]
    list_per_page = 50
    actions = ["approve_selected", "publicise_selected", "pay_selected", "return_selected", "reject_selected"]
    fieldsets = [
        (None, {"fields": ["number", "programme", "unit", "status", "project_name", "note", "created_by"]}),
        (
            _("Amounts and decision"),
            {"fields": ["requested_amount", "approved_amount", "decision_reason", "decided_at", "decided_by"]},
        ),
        (
            _("Notice and payment"),
            {"fields": ["submitted_at", "notice_from", "notice_until", "paid_at", "payment_reference"]},
        ),
    ]
    readonly_fields = ["number"]

    # Nothing here is edited by hand: every change is a decision through a service
    # (ReadOnlyAdminMixin).

    def get_ordering(self, request):
        # Awaiting a decision first, the oldest first.
        awaiting = Case(
            When(status__in=Application.DECIDABLE_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [awaiting.asc(), "submitted_at", "pk"]

    def get_changelist(self, request, **kwargs):
        return ReviewChangeList

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj):
        return obj.number

    @admin.display(description=_("district"), ordering="unit__district__name")
    def district(self, obj):
        return obj.unit.district

    @admin.display(description=_("scale"), ordering="unit__scale")
    def scale(self, obj):
        return obj.unit.get_scale_display()

    @admin.display(description=_("warnings"))
    def warnings(self, obj):
        count = getattr(obj, "warning_count", None)
        return len(application_warnings(obj)) if count is None else count

    def decision_summary(self, obj):
        programme = obj.programme
        key = obj.holder_key or selectors.holder_key_for(programme, obj.unit)
        remaining = selectors.holder_remaining(programme, key)
        return [
            (_label("unit"), obj.unit.name),
            (_label("programme"), programme),
            (_label("status"), obj.get_status_display()),
            (_("requested"), format_yuan(obj.requested_amount)),
            (_("approved"), format_yuan(obj.approved_amount)),
            (_("programme's remaining budget"), format_yuan(programme.remaining_budget)),
            (_("remaining cap"), _("no cap") if remaining is None else format_yuan(remaining)),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        if application is not None:
            extra_context = {**(extra_context or {}), **self.review_context(request, application)}
        return super().change_view(request, object_id, form_url, extra_context)

    def review_context(self, request, application) -> dict:
        """What the page shows below the application's fields."""
        application = selectors.application_with_lines(application.pk)
        programme = application.programme
        key = application.holder_key or selectors.holder_key_for(programme, application.unit)
        lines = [
            {
                "line": line,
                "day": line.service_record.started_at,
                "rate": f"{line.rate * 100:.2f}".rstrip("0").rstrip("."),
            }
            for line in application.lines.all()
        ]
        evidence = [
            {
                "evidence": item,
                "url": reverse("subsidies:evidence_file", args=[item.pk]),
                "is_image": item.content_type.startswith("image/"),
            }
            for item in application.evidence.all()
        ]
        return {
            "lines": lines,
            "evidence": evidence,
            "arithmetic": selectors.application_arithmetic(application),
            "holder_is_group": key.startswith("group:"),
            "holder_remaining": selectors.holder_remaining(programme, key),
            "budget": programme.budget,
            "remaining_budget": programme.remaining_budget,
            "review_warnings": application_warnings(application),
            "history": application.history.select_related("history_user").order_by("history_date", "history_id"),
            "decisions": self.decisions_for(request, application),
        }

    # -- bulk actions -------------------------------------------------------------------------

    @admin.action(description=_("Approve the selected applications in full"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "approve")

    @admin.action(description=_("Put the selected applications on public notice"), permissions=["decide"])
    def publicise_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "publicise")

    @admin.action(description=_("Mark the selected applications paid (one payment reference)"), permissions=["pay"])
    def pay_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "pay")

    @admin.action(description=_("Return the selected applications (with a reason)"), permissions=["decide"])
    def return_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "return")

    @admin.action(description=_("Reject the selected applications (with a reason)"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        return self.decide_in_bulk(request, queryset, "reject")
