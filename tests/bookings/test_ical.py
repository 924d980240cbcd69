"""iCal feeds parse with icalendar, hold exactly the expected events at the right wall time, and
stop working when the token is reset."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bookings import services
from bookings.availability import local
from tests.factories import UserFactory

from .conftest import local_dt
from .factories import member_of

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def soon():
    return local(timezone.now()).date() + timedelta(days=3)


def events(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def book(instrument, user, day, start, end):
    return services.booking_request(
        user=user,
        unit=user.memberships.get().unit,
        instrument=instrument,
        starts_at=local_dt(day, start),
        ends_at=local_dt(day, end),
        purpose="私密的研究目的",
    )


def test_the_user_feed_has_exactly_my_bookings_at_09_00_shanghai(client, instrument, requester, manager, soon):
    mine = book(instrument, requester, soon, 9, 11)
    rejected = book(instrument, requester, soon, 12, 13)
    services.booking_reject(actor=manager, booking=rejected, reason="不适合")
    book(instrument, member_of(requester.memberships.get().unit), soon, 14, 15)  # a colleague's
    token = services.calendar_token_get(user=requester).token
    found = events(client.get(reverse("bookings:feed_user", args=[token])))
    assert [str(e["uid"]) for e in found] == [f"booking-{mine.pk}@instrument-commons"]
    start = found[0].decoded("dtstart")
    assert start.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == f"{soon} 09:00"
    assert found[0].decoded("dtend").astimezone(SHANGHAI).hour == 11
    assert "场发射扫描电镜" in str(found[0]["summary"])


def test_the_instrument_feed_has_busy_times_only(client, instrument, requester, manager, soon):
    book(instrument, requester, soon, 9, 11)
    outage = services.outage_create(
        actor=manager, instrument=instrument, starts_at=local_dt(soon, 13), ends_at=local_dt(soon, 15), kind="repair"
    )
    assert outage
    token = services.calendar_token_get(user=UserFactory()).token
    response = client.get(reverse("bookings:feed_instrument", args=[token, instrument.pk]))
    found = events(response)
    assert sorted(e.decoded("dtstart").astimezone(SHANGHAI).hour for e in found) == [9, 13]
    body = response.content.decode()
    assert "张伟" not in body and "私密" not in body
    assert all(str(e["summary"]) in ("Busy", "已占用") for e in found)


def test_resetting_the_token_retires_the_old_urls(client, requester, instrument):
    old = services.calendar_token_get(user=requester).token
    client.force_login(requester)
    client.post(reverse("bookings:feeds"))
    new = services.calendar_token_get(user=requester).token
    assert new != old and len(new) >= 40
    assert client.get(reverse("bookings:feed_user", args=[old])).status_code == 404
    assert client.get(reverse("bookings:feed_instrument", args=[old, instrument.pk])).status_code == 404
    assert client.get(reverse("bookings:feed_user", args=[new])).status_code == 200


def test_the_feeds_page_shows_the_addresses(client, requester):
    client.force_login(requester)
    response = client.get(reverse("bookings:feeds"))
    token = services.calendar_token_get(user=requester).token
    assert token in response.content.decode()


def test_events_carry_the_instruments_address_with_commas_and_semicolons_escaped(client, instrument, requester, soon):
    instrument.province, instrument.city = "内蒙古自治区", "包头市"
    instrument.street_address = "包头市阿尔丁大街7号, A座; 201室"  # the city repeated, as old records do
    instrument.save()
    book(instrument, requester, soon, 9, 11)
    token = services.calendar_token_get(user=requester).token
    expected = "内蒙古自治区包头市阿尔丁大街7号, A座; 201室"
    for url in (
        reverse("bookings:feed_user", args=[token]),
        reverse("bookings:feed_instrument", args=[token, instrument.pk]),
    ):
        response = client.get(url)
        assert "LOCATION:内蒙古自治区包头市阿尔丁大街7号\\, A座\\; 201室" in response.content.decode()
        assert [str(e["location"]) for e in events(response)] == [expected]
