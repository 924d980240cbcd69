"""App configuration for bookings, with what it adds to the platform (see platform_site/extensions.py)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    # The bureau reads bookings, outages and service records; nobody edits them in the admin.
    bureau_permissions = [
        ("bookings", "view_booking"),
        ("bookings", "view_bookingevent"),
        ("bookings", "view_outage"),
        ("bookings", "view_servicerecord"),
        ("bookings", "view_servicerecordimport"),
    ]
    beat_schedule = {
        # Hourly: approved bookings starting within 24 hours get one reminder (reminded_at).
        "booking-reminders": {"task": "bookings.tasks.booking_reminders_task", "schedule": 3600.0},
    }
    demo_seeder = "bookings.demo.seed"
    api_register = "bookings.api.register"
    dashboard_panel = "bookings.panels.dashboard_panel"
    unit_profile_panel = "bookings.panels.unit_profile_panel"

    def ready(self):
        from instruments.invalidation import connect_signals

        from .models import SlotHold

        # Holds decide free-between in the catalogue's cached pages (instruments/invalidation.py).
        connect_signals(SlotHold)
