"""The notification outbox: rows written in the caller's transaction, e-mailed after it commits."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from core.broker import task_publish

from ..messages import encode_params, msgid_of
from ..models import Notification

logger = logging.getLogger(__name__)


def notification_send(
    *, recipients: Iterable, subject, body, params: dict | None = None, url: str = ""
) -> list[Notification]:
    """Queue a message for each recipient; it is e-mailed after the surrounding transaction commits.

    ``subject`` and ``body`` are ``gettext_lazy`` strings with ``%(name)s`` placeholders filled
    from ``params`` (a lazy value, such as a status label, is translated too). The row keeps them
    untranslated, so the portal shows the message in the reader's language and the e-mail goes
    out in the recipient's chosen language.

    The rows are written inside the caller's transaction, so a rolled-back change sends nothing
    and a committed one is never lost: if the broker is down the periodic flush sends it later.
    A broker outage costs the request one publish timeout, however many rows it queues
    (``core.broker.task_publish``).
    """
    from ..tasks import notification_deliver_task

    fields = {
        "subject_msgid": msgid_of(subject),
        "body_msgid": msgid_of(body),
        "params": encode_params(params),
        "url": url,
    }
    rows = Notification.objects.bulk_create([Notification(recipient=r, **fields) for r in set(recipients)])

    def enqueue():
        for index, row in enumerate(rows):
            try:
                task_publish(notification_deliver_task, row.pk)
            except Exception:  # the broker is down: the rows stay in the outbox and the flush sends them
                left = [r.pk for r in rows[index:]]
                logger.warning("Could not enqueue notifications %s; they stay in the outbox", left, exc_info=True)
                return

    transaction.on_commit(enqueue)
    return rows


def notification_deliver(*, notification_id: int) -> bool:
    """E-mail one queued notification, in the recipient's language; idempotent, so a retried or
    duplicated task sends it once.

    Returns True if this call sent it. Raises the mail error after recording it, so the task
    can retry with backoff.
    """
    from django.core.mail import send_mail

    failure = None
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        row.attempts += 1
        with override(row.recipient.language or settings.LANGUAGE_CODE):
            subject, text = " ".join(row.subject.split()), _notification_text(row)
        try:
            send_mail(subject, text, None, [row.recipient.email])
        except Exception as exc:  # recorded on the row, committed, then raised for the retry
            row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            failure = exc
        else:
            row.sent_at = timezone.now()
            row.last_error = ""
        row.save(update_fields=["attempts", "sent_at", "last_error"])
    if failure is not None:
        raise failure
    return True


def _notification_text(row: Notification) -> str:
    if not row.url:
        return row.body
    return f"{row.body}\n\n{row.url}"


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
