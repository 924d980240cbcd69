"""Declaring an outage shows first the bookings it would cancel (who, when), and declares it only
when that list is confirmed; the preview and the service read the same selector."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import selectors, services
from bookings.availability import local
from bookings.exceptions import DomainError
from bookings.models import Booking, Outage

from .conftest import local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon():
    return local(timezone.now()).date() + timedelta(days=3)


def make_booking(instrument, requester, day, start, end):
    return services.booking_request(
        user=requester,
        unit=requester.memberships.get().unit,
        instrument=instrument,
        starts_at=local_dt(day, start),
        ends_at=local_dt(day, end),
        purpose="断口形貌观察",
        sample_count=1,
    )


def outage_data(day, start="08:00", end="12:00", **extra):
    return {"starts_at": f"{day}T{start}", "ends_at": f"{day}T{end}", "kind": "repair", "reason": "真空泵故障", **extra}


def test_the_selector_lists_the_holding_bookings_inside_soonest_first(instrument, requester, manager, soon):
    later = make_booking(instrument, requester, soon, 10, 11)
    sooner = make_booking(instrument, requester, soon, 9, 10)
    services.booking_approve(actor=manager, booking=sooner)
    make_booking(instrument, requester, soon, 13, 14)  # outside
    gone = make_booking(instrument, requester, soon, 11, 12)
    services.booking_cancel(actor=requester, booking=gone)
    found = selectors.outage_bookings_to_cancel(
        instrument=instrument, starts_at=local_dt(soon, 8), ends_at=local_dt(soon, 12)
    )
    assert list(found) == [sooner, later]


def test_the_preview_lists_who_and_when_and_cancels_nothing(client, instrument, requester, manager, soon):
    booking = make_booking(instrument, requester, soon, 9, 11)
    client.force_login(manager)
    response = client.post(reverse("bookings:outages", args=[instrument.pk]), outage_data(soon))
    assert response.status_code == 200
    html = response.content.decode()
    preview = re.search(r'id="outage-preview"(.*?)</section>', html, re.S).group(1)
    assert "张伟" in preview and "包头稀宝新材料科技有限公司" in preview
    assert f"{soon:%Y-%m-%d} 09:00–11:00" in preview  # Asia/Shanghai wall time
    assert "重新提交预约申请" in preview
    assert f'name="bookings" value="{booking.pk}"' in preview and 'name="confirm" value="1"' in preview
    assert not Outage.objects.exists()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_the_confirmation_declares_and_cancels(client, instrument, requester, manager, soon):
    booking = make_booking(instrument, requester, soon, 9, 11)
    client.force_login(manager)
    url = reverse("bookings:outages", args=[instrument.pk])
    response = client.post(url, outage_data(soon, confirm="1", bookings=str(booking.pk)))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert Outage.objects.get().reason == "真空泵故障"


def test_a_booking_made_after_the_preview_is_shown_before_it_is_cancelled(client, instrument, requester, manager, soon):
    first = make_booking(instrument, requester, soon, 9, 10)
    client.force_login(manager)
    url = reverse("bookings:outages", args=[instrument.pk])
    client.post(url, outage_data(soon))  # the preview lists the first only
    second = make_booking(instrument, requester, soon, 10, 11)
    response = client.post(url, outage_data(soon, confirm="1", bookings=str(first.pk)))
    assert response.status_code == 200 and not Outage.objects.exists()
    assert response.context["preview"] == [first, second]
    first.refresh_from_db()
    assert first.status == Booking.Status.REQUESTED


def test_an_overlapping_outage_is_refused_before_any_preview(client, instrument, manager, soon):
    services.outage_create(
        actor=manager, instrument=instrument, starts_at=local_dt(soon, 8), ends_at=local_dt(soon, 10), kind="repair"
    )
    client.force_login(manager)
    response = client.post(reverse("bookings:outages", args=[instrument.pk]), outage_data(soon, "09:00", "11:00"))
    assert response.status_code == 200 and response.context["preview"] is None
    assert response.context["form"].non_field_errors()


def test_the_service_refuses_when_the_bookings_are_not_those_confirmed(instrument, requester, manager, soon):
    booking = make_booking(instrument, requester, soon, 9, 10)
    with pytest.raises(DomainError):
        services.outage_create(
            actor=manager,
            instrument=instrument,
            starts_at=local_dt(soon, 8),
            ends_at=local_dt(soon, 12),
            kind="repair",
            expected_bookings=[],
        )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED and not Outage.objects.exists()
