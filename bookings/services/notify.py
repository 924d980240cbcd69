"""Booking notifications: the members outbox (in the reader's language), and the slot as text."""

from members.selectors import unit_managers as managers_of  # noqa: F401  (re-exported for the services)
from members.services import notification_send

from ..availability import local


def slot_text(starts_at, ends_at) -> str:
    """'2026-11-25 09:00–12:00' in local time (both dates when it spans midnight)."""
    a, b = local(starts_at), local(ends_at)
    if a.date() == b.date():
        return f"{a:%Y-%m-%d %H:%M}–{b:%H:%M}"
    return f"{a:%Y-%m-%d %H:%M}–{b:%Y-%m-%d %H:%M}"


def notify(recipients, subject, body, *, url: str = "", **params) -> None:
    """``members.services.notification_send`` with the parameters as keywords: ``subject`` and
    ``body`` are lazy strings with %(name)s placeholders, rendered when the message is read."""
    notification_send(recipients=recipients, subject=subject, body=body, params=params, url=url)
