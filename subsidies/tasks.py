"""Celery tasks of the subsidies app: thin wrappers around services."""

from celery import shared_task

from .services.vouchers import voucher_expiry_reminders, vouchers_expire


@shared_task(acks_late=True)
def vouchers_expire_task() -> int:
    """Run by beat daily; safe to run twice (an expired voucher is released once)."""
    return vouchers_expire()


@shared_task(acks_late=True)
def voucher_expiry_reminders_task() -> int:
    """Run by beat daily: a month and a week before a voucher lapses (each reminder once)."""
    return voucher_expiry_reminders()
