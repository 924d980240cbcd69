"""iCal feeds of a person's bookings and of the instruments they manage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import ical, selectors, services


@login_required
def feeds(request):
    token = services.calendar_token_get(user=request.user)
    if request.method == "POST":
        token = services.calendar_token_reset(user=request.user)
        messages.success(request, _("New feed addresses are issued; the old ones no longer work."))
        return redirect("bookings:feeds")
    my_url = request.build_absolute_uri(reverse("bookings:feed_user", args=[token.token]))
    instruments = selectors.instruments_managed_by(user=request.user)[:50]
    instrument_urls = [
        (i, request.build_absolute_uri(reverse("bookings:feed_instrument", args=[token.token, i.pk])))
        for i in instruments
    ]
    return render(
        request, "bookings/feeds.html", {"my_url": my_url, "instrument_urls": instrument_urls, "token": token.token}
    )


def _ics(payload: bytes) -> HttpResponse:
    response = HttpResponse(payload, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def feed_user(request, token):
    user = selectors.calendar_token_owner(token=token)
    return _ics(ical.user_feed(user=user))


def feed_instrument(request, token, pk):
    user = selectors.calendar_token_owner(token=token)
    instrument = selectors.instrument_get_for_booking(user=user, pk=pk)
    return _ics(ical.instrument_feed(instrument=instrument))
