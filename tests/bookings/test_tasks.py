"""Background work: the outbox survives a broker failure; the reminder task is idempotent."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from bookings import services, tasks
from members.models import Notification
from members.tasks import notifications_flush_task
from platform_site.celery import app as celery_app
from tests.conftest import reset_celery_connections

from .conftest import local_dt
from .factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_broker():
    """Celery configured for a real broker that nobody answers (port 1), then restored."""
    saved = (celery_app.conf.task_always_eager, celery_app.conf.broker_url, settings.CELERY_TASK_ALWAYS_EAGER)
    celery_app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    reset_celery_connections(celery_app)
    yield
    celery_app.conf.task_always_eager, celery_app.conf.broker_url, settings.CELERY_TASK_ALWAYS_EAGER = saved
    reset_celery_connections(celery_app)


def test_the_outbox_survives_a_broker_failure(
    broken_broker, instrument, requester, manager, day, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_request(
            user=requester,
            unit=requester.memberships.get().unit,
            instrument=instrument,
            starts_at=local_dt(day, 9),
            ends_at=local_dt(day, 10),
            purpose="断口分析",
            now=now,
        )
    assert booking.pk and booking.status == "requested"
    note = Notification.objects.get(recipient=manager)
    assert note.sent_at is None and not mail.outbox

    # The broker is back (eager again): the periodic flush delivers what was left.
    celery_app.conf.task_always_eager = True
    Notification.objects.update(created_at=note.created_at - timedelta(minutes=10))
    assert notifications_flush_task.apply().get() == 1
    note.refresh_from_db()
    assert note.sent_at is not None
    assert [m.to for m in mail.outbox] == [[manager.email]]


def test_the_reminder_task_reminds_once(instrument, requester):
    from django.utils import timezone

    soon = timezone.now() + timedelta(hours=20)
    later = timezone.now() + timedelta(days=3)
    unit = requester.memberships.get().unit
    tomorrow = BookingFactory(
        instrument=instrument,
        requester=requester,
        unit=unit,
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
        status="approved",
    )
    BookingFactory(
        instrument=instrument,
        requester=requester,
        unit=unit,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        status="approved",
    )
    BookingFactory(
        instrument=instrument,
        requester=requester,
        unit=unit,
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
        status="cancelled",
    )
    assert tasks.booking_reminders_task.apply().get() == 1
    assert tasks.booking_reminders_task.apply().get() == 0
    tomorrow.refresh_from_db()
    assert tomorrow.reminded_at is not None
    assert Notification.objects.filter(recipient=requester).count() == 1
