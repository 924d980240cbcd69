"""The ledger and the cap counters, to read: nobody adds, changes or deletes them here (the ledger
is append-only and the counters move only with it, under the services' locks)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from ..models import CapCounter, LedgerEntry


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "programme",
        "kind",
        "amount",
        "holder_key",
        "application",
        "reward",
        "voucher",
        "redemption",
        "created_by",
    ]
    # ``kind`` lists every entry kind, the vouchers' too (grant, draw, draw return, expiry, redemption).
    list_filter = ["programme", "kind"]
    search_fields = ["holder_key", "key", "note"]
    list_select_related = [
        "programme",
        "application__programme",
        "reward__unit",
        "reward__programme",
        "voucher__programme",
        "redemption__programme",
        "created_by",
    ]
    date_hierarchy = "created_at"


@admin.register(CapCounter)
class CapCounterAdmin(ReadOnlyAdmin):
    list_display = ["programme", "kind", "holder_key", "cap", "granted", "remaining"]
    list_filter = ["programme", "kind"]
    search_fields = ["holder_key"]
    list_select_related = ["programme"]

    @admin.display(description=_("remaining (yuan)"))
    def remaining(self, obj):
        return obj.remaining
