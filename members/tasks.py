"""Celery tasks of the members app: thin wrappers that deliver the notification outbox."""

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from core.broker import broker_reset, task_publish

from . import services
from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=8)
def notification_deliver_task(self, notification_id: int) -> bool:
    """E-mail one notification; a failing mail server is retried with exponential backoff."""
    try:
        return services.notification_deliver(notification_id=notification_id)
    except Exception as exc:
        if self.request.is_eager:
            # In-process (embedded default) there is no one to retry later but the periodic
            # flush; the failure is already recorded on the outbox row.
            logger.warning("Notification %s not sent: %s", notification_id, exc)
            return False
        countdown = min(3600, 30 * 2**self.request.retries) + random.randint(0, 10)  # noqa: S311
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True)
def notifications_flush_task(older_than_seconds: int = 120, limit: int = 500) -> int:
    """Re-enqueue notifications still unsent (the broker or mail server was down); run by beat.

    Returns how many were queued. A broker that fails stops the run at its first timeout (the
    rows stay for the next run) instead of waiting once per row."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, created_at__lte=cutoff, attempts__lt=20)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    broker_reset()  # each run tries the broker afresh
    for queued, pk in enumerate(ids):
        try:
            task_publish(notification_deliver_task, pk)
        except Exception:
            logger.warning("The broker is down: %s notifications wait for the next flush", len(ids) - queued)
            return queued
    return len(ids)
