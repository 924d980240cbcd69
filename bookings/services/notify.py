"""Bilingual booking notifications through the members outbox (written in the caller's transaction)."""

from django.utils import formats
from django.utils.translation import override

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
    """Send ``subject``/``body`` (lazy strings with %(name)s placeholders) in Chinese and English."""
    recipients = list(recipients)
    if not recipients:
        return
    parts = []
    for lang in ("zh-hans", "en"):
        with override(lang):
            values = {
                k: (str(v) if not isinstance(v, (int, float)) else formats.localize(v)) for k, v in params.items()
            }
            parts.append((str(subject) % values, str(body) % values))
    notification_send(
        recipients=recipients,
        subject=parts[0][0],
        body="\n\n".join(f"{s}\n{b}" for s, b in parts),
        url=url,
    )
