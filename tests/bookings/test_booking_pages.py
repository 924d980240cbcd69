"""The booking page people act on: the requester sees where the instrument is and whom to ask,
the owner's manager sees how to reach the requester and decides in one form, and cancelling asks
for a confirmation first."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.availability import local
from bookings.models import Booking

from .conftest import local_dt
from .factories import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon():
    return local(timezone.now()).date() + timedelta(days=3)


@pytest.fixture
def booking(instrument, requester, soon):
    return services.booking_request(
        user=requester,
        unit=requester.memberships.get().unit,
        instrument=instrument,
        starts_at=local_dt(soon, 9),
        ends_at=local_dt(soon, 11),
        purpose="断口形貌观察",
        sample_count=2,
    )


def page(client, booking):
    response = client.get(reverse("bookings:detail", args=[booking.pk]))
    assert response.status_code == 200
    return response.content.decode()


def labels(html):
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)]


def test_the_requester_sees_where_the_instrument_is_and_whom_to_ask(client, instrument, requester, booking):
    instrument.province, instrument.city, instrument.district = "内蒙古自治区", "包头市", None
    # An old record whose street repeats the city is still shown once.
    instrument.street_address = "包头市阿尔丁大街7号 A座201室"
    instrument.contact_email = "sem@imust.example.cn"
    instrument.save()
    client.force_login(requester)
    html = page(client, booking)
    location = re.search(r'id="instrument-location">([^<]*)<', html).group(1)
    assert location == "内蒙古自治区包头市阿尔丁大街7号 A座201室"
    assert "赵磊" in html and 'href="tel:13904720002"' in html and 'href="mailto:sem@imust.example.cn"' in html


def test_without_an_installation_address_the_owner_units_address_is_shown(client, instrument, requester, booking):
    instrument.province = instrument.city = instrument.street_address = ""
    instrument.district = None
    instrument.save()
    client.force_login(requester)
    location = re.search(r'id="instrument-location">([^<]*)<', page(client, booking)).group(1)
    assert location == f"{instrument.unit.district.name}{instrument.unit.address}"


def test_the_page_takes_the_same_queries_with_the_owner_units_address(
    client, instrument, requester, booking, django_assert_num_queries
):
    """Session, user, booking (with the instrument, its owner and both districts), service record,
    the requester's right to see it, the header's unread count, chosen services, the history."""
    client.force_login(requester)
    with django_assert_num_queries(8):
        page(client, booking)
    instrument.province = instrument.city = instrument.street_address = ""
    instrument.district = None
    instrument.save()
    with django_assert_num_queries(8):
        page(client, booking)


def test_the_manager_sees_the_requesters_unit_phone_and_email(client, manager, requester, booking):
    requester.phone = "13912345678"
    requester.save()
    client.force_login(manager)
    applicant = re.search(r'<section class="card" id="applicant">(.*?)</section>', page(client, booking), re.S).group(1)
    assert "包头稀宝新材料科技有限公司" in applicant
    assert 'href="tel:13912345678"' in applicant and 'href="mailto:zhangwei@example.cn"' in applicant


def test_a_non_manager_does_not_see_the_requesters_phone_and_email(client, owner_unit, requester, booking):
    requester.phone = "13912345678"
    requester.save()
    client.force_login(requester)
    html = page(client, booking)
    assert 'id="applicant"' not in html and "13912345678" not in html and "zhangwei@example.cn" not in html
    client.force_login(member_of(owner_unit, role="member"))  # the owner unit's member, not its manager
    assert client.get(reverse("bookings:detail", args=[booking.pk])).status_code == 404


def test_the_manager_has_one_decision_form_with_distinct_labels(client, manager, booking):
    client.force_login(manager)
    html = page(client, booking)
    main = html[html.index("<main") :]
    posting = re.findall(r'<form method="post" action="([^"]+)"', main)
    assert posting == [reverse("bookings:decide", args=[booking.pk])]  # no reject or cancel form beside it
    found = labels(main)
    assert found == ["驳回理由"]
    assert len(found) == len(set(found)) and not any(label.endswith(":") for label in found)
    assert 'name="decision" value="approve"' in main and 'name="decision" value="reject"' in main
    assert reverse("bookings:cancel", args=[booking.pk]) in main  # cancel is a separate step


def test_approving_through_the_decision_form(client, manager, booking):
    client.force_login(manager)
    response = client.post(reverse("bookings:decide", args=[booking.pk]), {"decision": "approve", "reason": ""})
    assert response.status_code == 302 and response.url == booking.get_absolute_url()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


def test_rejecting_needs_a_reason_shown_at_the_field(client, manager, booking):
    client.force_login(manager)
    url = reverse("bookings:decide", args=[booking.pk])
    response = client.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["decision_form"].errors["reason"] == ["请向申请人说明驳回理由。"]
    assert 'class="field has-error"' in html and "请向申请人说明驳回理由。" in html
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    client.post(url, {"decision": "reject", "reason": "样品需先做导电处理"})
    booking.refresh_from_db()
    assert (booking.status, booking.decision_reason) == (Booking.Status.REJECTED, "样品需先做导电处理")


def test_the_requester_cannot_decide(client, requester, booking):
    client.force_login(requester)
    response = client.post(reverse("bookings:decide", args=[booking.pk]), {"decision": "approve"})
    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_a_get_of_the_cancel_address_asks_and_does_not_cancel(client, requester, booking):
    client.force_login(requester)
    url = reverse("bookings:cancel", args=[booking.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "场发射扫描电镜" in html and local(booking.starts_at).strftime("%Y-%m-%d %H:%M") in html
    assert "只能重新提交预约申请" in html
    assert labels(html[html.index("<main") :]) == ["取消理由"]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_a_post_without_the_confirmation_does_not_cancel(client, requester, booking):
    client.force_login(requester)
    response = client.post(reverse("bookings:cancel", args=[booking.pk]), {"reason": "计划有变"})
    assert response.status_code == 200 and "计划有变" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_the_confirmed_post_cancels(client, requester, booking):
    client.force_login(requester)
    response = client.post(reverse("bookings:cancel", args=[booking.pk]), {"confirm": "True", "reason": "计划有变"})
    assert response.status_code == 302 and response.url == booking.get_absolute_url()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.events.last().reason == "计划有变"
    assert 'id="cancel-form"' not in client.get(reverse("bookings:cancel", args=[booking.pk])).content.decode()


def test_the_manager_cancelling_must_give_a_reason(client, manager, booking):
    client.force_login(manager)
    url = reverse("bookings:cancel", args=[booking.pk])
    response = client.post(url, {"confirm": "True", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    client.post(url, {"confirm": "True", "reason": "仪器需紧急检修"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_strangers_cannot_reach_the_cancel_page(client, booking):
    client.force_login(member_of(booking.unit, role="member"))  # a colleague of the requester
    assert client.get(reverse("bookings:cancel", args=[booking.pk])).status_code == 404
    assert client.post(reverse("bookings:cancel", args=[booking.pk]), {"confirm": "True"}).status_code == 404
