"""Celery tasks of the bookings app: thin wrappers around services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def booking_reminders_task() -> int:
    """Remind requesters of tomorrow's bookings; idempotent (each booking's reminded_at), run hourly by beat."""
    return services.booking_send_reminders()
