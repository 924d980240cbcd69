"""The bureau's screens for reports: the settings (lines, weights, grade thresholds), the national
averages, the units' asset-census counts, and the runs and purchase reviews to read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from .models import DuplicateReview, EligibleCount, NationalAverage, ReportRun, ReportSettings


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            _("Lines"),
            {
                "fields": [
                    "benchmark_hours",
                    "underuse_hours",
                    "idle_months",
                    "large_instrument_value",
                    "purchase_review_value",
                ]
            },
        ),
        (
            _("Evaluation weights (the official weights are unpublished; these are the portal's defaults)"),
            {"fields": [f"weight_{name}" for name in ReportSettings.WEIGHTS]},
        ),
        (_("Grades (score from 0 to 100)"), {"fields": ["grade_excellent", "grade_good", "grade_pass"]}),
    ]

    def has_add_permission(self, request):
        return not ReportSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NationalAverage)
class NationalAverageAdmin(admin.ModelAdmin):
    list_display = ["year", "effective_hours", "external_hours", "source"]


@admin.register(EligibleCount)
class EligibleCountAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "count"]
    list_filter = ["year"]
    search_fields = ["unit__name"]
    autocomplete_fields = ["unit"]


class ReadOnly(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnly):
    list_display = [
        "pk",
        "kind",
        "period_start",
        "period_end",
        "scope_kind",
        "scope_label",
        "status",
        "automatic",
        "created_by",
        "finished_at",
    ]
    list_filter = ["kind", "status", "period_kind", "automatic"]
    list_select_related = ["created_by"]
    exclude = ["result"]


@admin.register(DuplicateReview)
class DuplicateReviewAdmin(ReadOnly):
    list_display = ["created_at", "unit", "name", "model", "price", "verdict", "created_by"]
    list_filter = ["verdict"]
    list_select_related = ["unit", "created_by"]
    search_fields = ["name", "model", "unit__name"]
    exclude = ["result"]
