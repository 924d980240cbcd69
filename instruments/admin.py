"""The bureau's screens for the registry: every instrument with the catalogue's filters, its full
change history, and the classification the operator extends."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.money import format_wan
from members.models import District, Unit

from . import services
from .catalogue import located_in_q
from .exporting import REGISTRY_EXPORT_ACTIONS
from .invalidation import catalogue_changed
from .models import Category, FeeItem, ImportJob, Instrument, OpeningHours, Photo
from .search import search_document_for
from .selectors import history_reason_parts

WAN = Decimal("10000")


class MainClassFilter(admin.SimpleListFilter):
    """A 大类 with all its subclasses."""

    title = _("instrument class")
    parameter_name = "class"

    def lookups(self, request, model_admin):
        return [(c.code, f"{c.code} {c.name}") for c in Category.objects.filter(parent__isnull=True)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(Q(category__code=self.value()) | Q(category__parent__code=self.value()))
        return queryset


class DistrictFilter(admin.SimpleListFilter):
    """Where the instrument stands: its installation district, else its owner unit's."""

    title = _("district")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        return [(d.code, d.name) for d in District.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            district = District.objects.filter(code=self.value()).values_list("pk", flat=True).first()
            return queryset.filter(located_in_q(district))
        return queryset


class UnitTypeFilter(admin.SimpleListFilter):
    title = _("unit type")
    parameter_name = "unit_type"

    def lookups(self, request, model_admin):
        return Unit.Type.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(unit__unit_type=self.value())
        return queryset


class ValueRangeFilter(admin.SimpleListFilter):
    """Original value in 万元 bands: the national threshold is 50 (500,000 yuan), the
    duplicate-purchase review starts at 200."""

    title = _("original value")
    parameter_name = "value"
    BANDS = {
        "lt50": (None, 50),
        "50-200": (50, 200),
        "200-500": (200, 500),
        "500+": (500, None),
    }

    def lookups(self, request, model_admin):
        return [
            ("lt50", _("under 500,000 yuan")),
            ("50-200", _("500,000 to 2 million yuan")),
            ("200-500", _("2 to 5 million yuan")),
            ("500+", _("5 million yuan and more")),
        ]

    def queryset(self, request, queryset):
        band = self.BANDS.get(self.value())
        if band is None:
            return queryset
        low, high = band
        if low is not None:
            queryset = queryset.filter(original_value__gte=low * WAN)
        if high is not None:
            queryset = queryset.filter(original_value__lt=high * WAN)
        return queryset


class InService(admin.SimpleListFilter):
    title = _("in service")
    parameter_name = "retired"

    def lookups(self, request, model_admin):
        return [("no", _("In service")), ("yes", _("Retired"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(retired_at__isnull=self.value() == "no")
        return queryset


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["preview", "image", "caption", "order"]
    readonly_fields = ["preview"]

    @admin.display(description=_("thumbnail"))
    def preview(self, obj):
        if obj.pk and obj.thumbnail:
            return format_html('<img src="{}" alt="" style="max-height:80px">', obj.thumbnail.url)
        return "—"


@admin.register(Instrument)
class InstrumentAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "model",
        "unit",
        "category",
        "operating_status",
        "sharing_mode",
        "value_wan",
        "retired_at",
    ]
    list_filter = [
        MainClassFilter,
        DistrictFilter,
        UnitTypeFilter,
        "operating_status",
        "sharing_mode",
        ValueRangeFilter,
        InService,
    ]
    search_fields = ["name", "name_en", "model", "manufacturer", "asset_number", "unit__name"]
    list_select_related = ["unit", "category"]
    autocomplete_fields = ["unit", "category"]
    readonly_fields = ["created_at", "updated_at", "retired_at"]
    inlines = [FeeItemInline, OpeningHoursInline, PhotoInline]
    history_list_display = ["what_changed"]
    actions = REGISTRY_EXPORT_ACTIONS
    change_list_template = "instruments/import/admin_change_list.html"
    date_hierarchy = "created_at"

    @admin.display(description=_("original value"), ordering="original_value")
    def value_wan(self, obj):
        return format_wan(obj.original_value)

    @admin.display(description=_("what changed"))
    def what_changed(self, record):
        reasons, note = history_reason_parts(record.history_change_reason)
        return "; ".join([*reasons, note] if note else reasons) or "—"

    def has_delete_permission(self, request, obj=None):
        """Instruments are retired, never deleted, except by a superuser cleaning up a mistake."""
        return request.user.is_superuser

    def save_related(self, request, form, formsets, change):
        """Edits here (superusers only) keep the search document in step, like the services."""
        super().save_related(request, form, formsets, change)
        instrument = form.instance
        Instrument.objects.filter(pk=instrument.pk).update(search_document=search_document_for(instrument))
        catalogue_changed()  # an update() sends no signal


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The classification: seeded from DOMAIN.md §2; the operator adds classes as codes are confirmed."""

    list_display = ["code", "name", "name_en", "parent"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent"]
    ordering = ["code"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        """A change goes through the service, which rebuilds the search documents of the class's
        instruments when its names change; a new class has no instruments yet."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.CATEGORY_FIELDS}
        services.category_update(actor=request.user, category=obj, fields=fields)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Spreadsheet imports of every unit, read-only: units run them from their own pages."""

    list_display = ["original_name", "unit", "status", "total_rows", "error_count", "created_at", "created_by"]
    list_filter = ["status"]
    search_fields = ["original_name", "unit__name"]
    list_select_related = ["unit", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
