"""App configuration for subsidies, with what it adds to the platform (see platform_site/extensions.py)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("Subsidies")
    demo_seeder = "subsidies.demo.seed"
    # core.hooks: a booking completed with a charge draws the voucher share at once.
    service_record_charged = "subsidies.services.vouchers.voucher_draw_for_record"
    beat_schedule = {
        # Daily: vouchers past their validity expire and release what was not drawn (idempotent).
        "vouchers-expire": {"task": "subsidies.tasks.vouchers_expire_task", "schedule": 86400.0},
        "voucher-expiry-reminders": {"task": "subsidies.tasks.voucher_expiry_reminders_task", "schedule": 86400.0},
    }

    # The bureau decides applications and rewards in the admin; marking paid is a separate
    # permission (subsidies.pay_application) that the finance officers' group holds, not this one.
    bureau_permissions = [
        ("subsidies", "view_programme"),
        ("subsidies", "add_programme"),
        ("subsidies", "change_programme"),
        ("subsidies", "view_tierrule"),
        ("subsidies", "add_tierrule"),
        ("subsidies", "change_tierrule"),
        ("subsidies", "delete_tierrule"),
        ("subsidies", "view_application"),
        ("subsidies", "view_applicationline"),
        ("subsidies", "view_evidence"),
        ("subsidies", "view_providerreward"),
        ("subsidies", "view_ledgerentry"),
        ("subsidies", "view_capcounter"),
        ("subsidies", "decide_application"),
        ("subsidies", "view_voucher"),
        ("subsidies", "view_voucherdraw"),
        ("subsidies", "view_voucherredemption"),
    ]
    dashboard_panel = "subsidies.panels.dashboard_panel"
    booking_panel = "subsidies.panels.booking_panel"
    service_record_panel = "subsidies.panels.service_record_panel"
    api_register = "subsidies.api.register"
