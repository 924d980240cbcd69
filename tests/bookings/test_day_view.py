"""The booking calendar's day view (what a phone shows) and the week's rows from the opening time."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.availability import local
from tests.factories import UserFactory

from .factories import InstrumentFactory, weekday_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_past(owner_unit):
    """Open 08:30–17:00 Monday to Friday, closed at the weekend."""
    instrument = InstrumentFactory(unit=owner_unit, name="场发射透射电镜")
    weekday_hours(instrument, opens=time(8, 30), closes=time(17, 0), weekdays=range(5))
    return instrument


def next_weekday(weekday: int):
    """A date at least three days from the real today (pages use the real clock) on this weekday."""
    day = local(timezone.now()).date() + timedelta(days=3)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def day_view(html: str) -> str:
    return html[html.index('id="day-calendar"') : html.index('class="week-view"')]


def week_view(html: str) -> str:
    return html[html.index('class="week-view"') :]


def test_the_day_view_lists_the_days_hours_from_its_opening_time(client, half_past):
    client.force_login(UserFactory())
    tuesday = next_weekday(1)
    html = client.get(reverse("bookings:calendar", args=[half_past.pk]), {"day": tuesday.isoformat()}).content.decode()
    day = day_view(html)
    assert tuesday.isoformat() in day
    slots = re.findall(r'<span class="slot-time">(\d\d:\d\d)–(\d\d:\d\d)</span>', day)
    assert slots[0] == ("08:30", "09:00") and slots[1] == ("09:00", "10:00") and slots[-1] == ("16:00", "17:00")
    assert len(slots) == 9
    assert "08:00" not in day
    # A free slot links to the request form, prefilled for that day and time.
    assert f"?day={tuesday.isoformat()}&amp;start={tuesday.isoformat()}T08%3A30" in day
    # Previous and next day, and a date picker holding the day.
    assert f'href="?day={(tuesday - timedelta(days=1)).isoformat()}"' in day
    assert f'href="?day={(tuesday + timedelta(days=1)).isoformat()}"' in day
    assert f'type="date" id="pick-day" name="day" value="{tuesday.isoformat()}"' in day


def test_the_week_rows_start_at_the_opening_time_not_the_full_hour(client, half_past):
    client.force_login(UserFactory())
    html = client.get(reverse("bookings:calendar", args=[half_past.pk]), {"week": next_weekday(0).isoformat()})
    week = week_view(html.content.decode())
    labels = re.findall(r'<th class="hour" scope="row">([^<]+)</th>', week)
    assert labels[:3] == ["08:30", "09:00", "10:00"] and labels[-1] == "16:00"
    assert "08:00" not in labels


def test_a_closed_day_says_so(client, half_past):
    client.force_login(UserFactory())
    sunday = next_weekday(6)
    html = client.get(reverse("bookings:calendar", args=[half_past.pk]), {"day": sunday.isoformat()}).content.decode()
    day = day_view(html)
    assert "仪器当天不开放" in day and "slot-time" not in day


def test_a_week_chosen_shows_its_monday_in_the_day_view(client, half_past):
    client.force_login(UserFactory())
    monday = next_weekday(0) + timedelta(days=7)
    html = client.get(reverse("bookings:calendar", args=[half_past.pk]), {"week": monday.isoformat()}).content.decode()
    assert f'name="day" value="{monday.isoformat()}"' in day_view(html)


@pytest.mark.parametrize("value", ["tomorrow", "9999-01-01", "2030-02-30", ""])
def test_a_bad_day_shows_today_instead(client, half_past, value):
    client.force_login(UserFactory())
    response = client.get(reverse("bookings:calendar", args=[half_past.pk]), {"day": value})
    assert response.status_code == 200
    today = local(timezone.now()).date()
    assert f'name="day" value="{today.isoformat()}"' in day_view(response.content.decode())


def test_the_last_supported_day_has_no_next_day_link(client, half_past):
    client.force_login(UserFactory())
    html = client.get(reverse("bookings:calendar", args=[half_past.pk]), {"day": "2199-12-31"}).content.decode()
    day = day_view(html)
    assert 'rel="next"' not in day and 'href="?day=2199-12-30"' in day
