"""The secret token in a person's iCal feed URLs."""

from django.db import transaction

from ..models import CalendarFeedToken, new_feed_token


def calendar_token_get(*, user) -> CalendarFeedToken:
    token, _created = CalendarFeedToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_reset(*, user) -> CalendarFeedToken:
    """Issue a new token; feed URLs with the old one stop working at once."""
    token, _created = CalendarFeedToken.objects.select_for_update().get_or_create(user=user)
    token.token = new_feed_token()
    token.save()
    return token
