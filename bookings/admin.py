"""The bureau's and operators' screens for bookings, outages and service records (read-mostly:
changes go through the pages and services so every rule and history row applies)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin

from .models import Booking, BookingEvent, ChosenService, Outage, ServiceRecord, ServiceRecordImport


class ReadOnlyMixin(ReadOnlyAdminMixin):
    superuser_deletes = True


class BookingEventInline(ReadOnlyMixin, admin.TabularInline):
    model = BookingEvent
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class ChosenServiceInline(ReadOnlyMixin, admin.TabularInline):
    """The services the user chose, as priced when they were chosen."""

    model = ChosenService
    extra = 0
    fields = ["name", "basis", "unit_price", "fee_item"]
    readonly_fields = fields


@admin.register(Booking)
class BookingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["instrument", "starts_at", "ends_at", "status", "requester", "unit", "fee_estimate"]
    list_filter = ["status", "service_way", "funding_source", "starts_at"]
    search_fields = ["instrument__name", "requester__name", "requester__email", "unit__name"]
    list_select_related = ["instrument", "requester", "unit"]
    date_hierarchy = "starts_at"
    inlines = [ChosenServiceInline, BookingEventInline]
    raw_id_fields = ["instrument", "requester", "unit", "decided_by"]


@admin.register(Outage)
class OutageAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["instrument", "kind", "starts_at", "ends_at", "cancelled_at", "created_by"]
    list_filter = ["kind", "starts_at"]
    search_fields = ["instrument__name", "reason"]
    list_select_related = ["instrument", "created_by"]
    raw_id_fields = ["instrument", "created_by"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "instrument",
        "started_at",
        "service_way",
        "purpose",
        "hours",
        "amount",
        "paid_on",
        "user_name",
        "user_unit_name",
        "is_external",
        "rating",
    ]
    list_filter = ["service_way", "purpose", "is_external", "rating", "funding_source", "started_at", "paid_on"]
    search_fields = ["instrument__name", "user_name", "user_unit_name", "project_name", "invoice_number"]
    list_select_related = ["instrument"]
    date_hierarchy = "started_at"
    inlines = [ChosenServiceInline]
    raw_id_fields = ["instrument", "booking", "user", "user_unit", "created_by"]


@admin.register(ServiceRecordImport)
class ServiceRecordImportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["original_name", "unit", "status", "total_rows", "error_count", "created_count", "created_at"]
    list_filter = ["status"]
    list_select_related = ["unit"]
