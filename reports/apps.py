"""App configuration for reports, with what it adds to the platform (see platform_site/extensions.py)."""

from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    demo_seeder = "reports.demo.seed"
    api_register = "reports.api.register"

    # Shortly after midnight (platform time) on the first day of a month, the month just ended
    # (and on 1 January the year just ended) is computed for the platform (reports.tasks).
    beat_schedule = {
        "reports-periodic": {
            "task": "reports.tasks.reports_periodic_task",
            "schedule": crontab(minute=20, hour=0, day_of_month=1),
        },
    }

    dashboard_panel = "reports.panels.dashboard_panel"
    home_panel = "reports.panels.home_panel"

    bureau_permissions = [
        ("reports", "view_reportrun"),
        ("reports", "add_reportrun"),
        ("reports", "view_reportsettings"),
        ("reports", "change_reportsettings"),
        ("reports", "view_nationalaverage"),
        ("reports", "add_nationalaverage"),
        ("reports", "change_nationalaverage"),
        ("reports", "view_eligiblecount"),
        ("reports", "add_eligiblecount"),
        ("reports", "change_eligiblecount"),
        ("reports", "delete_eligiblecount"),
        ("reports", "view_duplicatereview"),
    ]
