"""Celery tasks of the bookings app: thin wrappers around services, each taking ids."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def booking_reminders_task() -> int:
    """Remind requesters of tomorrow's bookings; idempotent (each booking's reminded_at), run hourly by beat."""
    return services.booking_send_reminders()


@shared_task(acks_late=True)
def service_record_import_validate_task(job_id: int) -> str | None:
    """The dry run of an uploaded spreadsheet of service records; idempotent (acts only while validating)."""
    job = services.service_record_import_validate(job_id=job_id)
    return job.status if job else None


@shared_task(acks_late=True)
def service_record_import_apply_task(job_id: int) -> str | None:
    """The confirmed write of a checked spreadsheet, in one transaction; idempotent (only while importing)."""
    job = services.service_record_import_apply(job_id=job_id)
    return job.status if job else None
