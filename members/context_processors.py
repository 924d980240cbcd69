"""Template context for the header: the signed-in reader's unread notifications."""

from functools import cache

from . import selectors


def unread_notifications(request):
    """``unread_notification_count``, counted with one query the first time a template shows it and
    never for a visitor who is not signed in (their pages are the ones the page cache keeps)."""

    @cache
    def count() -> int:
        user = getattr(request, "user", None)
        if user is None:
            return 0
        return selectors.notification_unread_count(user=user)

    return {"unread_notification_count": count}
