"""The Celery app's beat schedule is every installed app's ``beat_schedule``."""

from celery.schedules import crontab
from django.utils.module_loading import import_string

from platform_site.celery import app


def test_beat_schedule_holds_every_apps_entries():
    app.finalize()  # beat reads the schedule once the app is finalized (Django is set up by then)
    schedule = app.conf.beat_schedule
    expected = {
        "notifications-flush": ("members.tasks.notifications_flush_task", 300.0),
        "search-documents-refresh": ("instruments.tasks.search_documents_refresh_task", 86400.0),
        "booking-reminders": ("bookings.tasks.booking_reminders_task", 3600.0),
        "vouchers-expire": ("subsidies.tasks.vouchers_expire_task", 86400.0),
        "voucher-expiry-reminders": ("subsidies.tasks.voucher_expiry_reminders_task", 86400.0),
        "reports-periodic": ("reports.tasks.reports_periodic_task", crontab(minute=20, hour=0, day_of_month=1)),
    }
    assert {name: (entry["task"], entry["schedule"]) for name, entry in schedule.items()} == expected
    for task, _every in expected.values():
        assert import_string(task).name == task  # the entry names a task that exists
