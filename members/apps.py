"""App configuration for members, with what it adds to the platform (see platform_site/extensions.py)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .roles import BUREAU_PERMISSIONS


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    bureau_permissions = BUREAU_PERMISSIONS
    beat_schedule = {
        # Resend what a broker outage left in the notification outbox.
        "notifications-flush": {"task": "members.tasks.notifications_flush_task", "schedule": 300.0},
    }
    demo_seeder = "members.demo.seed"
    api_register = "members.api.register"
    dashboard_panel = "members.panels.dashboard_panel"
