"""The booking pages: the week calendar and request form, My bookings, the Requests queue, the
booking page's actions, outages, service records, and who may NOT see them."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.availability import local
from bookings.models import Booking, Outage, ServiceRecord
from tests.factories import UserFactory

from .conftest import fee_items, local_dt
from .factories import BookingFactory, InstrumentFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon():
    """A day three days from the real today (pages use the real clock)."""
    return local(timezone.now()).date() + timedelta(days=3)


def make_booking(instrument, requester, day, start=9, end=12):
    return services.booking_request(
        user=requester,
        unit=requester.memberships.get().unit,
        instrument=instrument,
        starts_at=local_dt(day, start),
        ends_at=local_dt(day, end),
        purpose="断口形貌观察",
        sample_count=2,
    )


def form_data(day, unit=None, **extra):
    data = {
        "unit": unit.pk if unit else "",
        "date": day.isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "purpose": "稀土永磁材料断口形貌观察",
        "sample_count": "2",
        "sample_description": "NdFeB 断口",
        "service_way": "guided",
        "project_name": "高性能磁材",
        "funding_source": "enterprise",
    }
    data.update(extra)
    return data


def test_the_calendar_shows_free_busy_and_closed_cells(client, instrument, requester, soon):
    make_booking(instrument, requester, soon)
    client.force_login(UserFactory())
    url = reverse("bookings:calendar", args=[instrument.pk])
    response = client.get(url, {"week": soon.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="cell-busy"' in html and 'class="cell-free"' in html and 'class="cell-closed"' in html
    assert "张伟" not in html  # outsiders see only "busy"
    assert f"?week={(soon - timedelta(days=soon.weekday()) - timedelta(days=7)).isoformat()}" in html


def test_the_owner_sees_who_holds_a_slot(client, instrument, requester, manager, soon):
    make_booking(instrument, requester, soon)
    client.force_login(manager)
    html = client.get(reverse("bookings:calendar", args=[instrument.pk]), {"week": soon.isoformat()}).content.decode()
    assert "张伟" in html


def test_a_09_00_booking_is_in_the_09_00_row(client, instrument, requester, soon):
    """Stored in UTC (01:00Z), shown at the Shanghai wall time."""
    booking = make_booking(instrument, requester, soon, 9, 10)
    booking.refresh_from_db()
    assert booking.starts_at.astimezone(UTC).hour == 1
    client.force_login(UserFactory())
    response = client.get(reverse("bookings:calendar", args=[instrument.pk]), {"week": soon.isoformat()})
    rows = {row["label"]: row for row in response.context["week"]["rows"]}
    column = response.context["week"]["days"].index(soon)
    assert rows["09:00"]["cells"][column]["state"] == "busy"
    assert rows["10:00"]["cells"][column]["state"] == "free"
    assert rows["08:30"]["cells"][column]["state"] == "free"  # 08:30–09:00 is still free
    assert "08:00" not in rows  # the instrument opens at 08:30


def test_requesting_through_the_page(client, instrument, requester, manager, soon):
    client.force_login(requester)
    url = reverse("bookings:calendar", args=[instrument.pk])
    response = client.post(url, form_data(soon, requester.memberships.get().unit))
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    assert (booking.service_way, booking.funding_source, booking.fee_estimate) == (
        "guided",
        "enterprise",
        Decimal("800.00"),
    )
    assert local(booking.starts_at).hour == 9


def test_the_page_shows_the_fee_estimate_without_booking(client, instrument, requester, soon):
    client.force_login(requester)
    response = client.post(
        reverse("bookings:calendar", args=[instrument.pk]),
        form_data(soon, requester.memberships.get().unit, estimate="1"),
    )
    assert response.status_code == 200
    assert response.context["estimate"].total == Decimal("800.00")
    assert not Booking.objects.exists()


def test_the_estimate_counts_the_chosen_services_only(client, tem, requester, soon):
    client.force_login(requester)
    url = reverse("bookings:calendar", args=[tem.pk])
    unit = requester.memberships.get().unit
    imaging, diffraction = fee_items(tem, "高分辨成像", "电子衍射")
    response = client.post(url, form_data(soon, unit, estimate="1", fee_items=[imaging.pk]))
    assert response.context["estimate"].total == Decimal("1580.00")  # 2 h × 790, not 4,920.00
    assert "1,580.00" in response.content.decode()
    response = client.post(url, form_data(soon, unit, estimate="1", fee_items=[imaging.pk, diffraction.pk]))
    assert response.context["estimate"].total == Decimal("3320.00")
    assert not Booking.objects.exists()


def test_the_page_offers_the_services_as_checkboxes(client, tem, instrument, requester):
    client.force_login(requester)
    html = client.get(reverse("bookings:calendar", args=[tem.pk])).content.decode()
    assert html.count('type="checkbox" name="fee_items"') == 3 and "checked" not in html
    only = instrument.fee_items.get()
    html = client.get(reverse("bookings:calendar", args=[instrument.pk])).content.decode()
    assert f'type="checkbox" name="fee_items" value="{only.pk}"' in html and "checked" in html


def test_booking_through_the_page_stores_the_choice(client, tem, requester, soon):
    client.force_login(requester)
    url = reverse("bookings:calendar", args=[tem.pk])
    unit = requester.memberships.get().unit
    response = client.post(url, form_data(soon, unit))
    assert response.status_code == 200 and response.context["form"].errors["fee_items"]
    imaging = fee_items(tem, "高分辨成像")[0]
    response = client.post(url, form_data(soon, unit, fee_items=[imaging.pk]))
    booking = Booking.objects.get()
    assert response.status_code == 302 and booking.fee_estimate == Decimal("1580.00")
    assert [c.name for c in booking.chosen_services.all()] == ["高分辨成像"]
    html = client.get(booking.get_absolute_url()).content.decode()
    assert "高分辨成像" in html and "1,580.00" in html


def test_entering_a_record_by_form_with_chosen_services(client, tem, manager, enterprise):
    client.force_login(manager)
    imaging, mapping = fee_items(tem, "高分辨成像", "STEM-EDS面扫")
    data = {
        "instrument": tem.pk,
        "started_at": "2030-01-05T09:00",
        "ended_at": "2030-01-05T11:00",
        "service_content": "委托检测",
        "service_way": "commission",
        "preparation_hours": "0",
        "measurement_hours": "2",
        "post_processing_hours": "0",
        "sample_count": "2",
        "user_name": "王工",
        "user_unit": enterprise.pk,
        "funding_source": "none",
    }
    response = client.post(reverse("bookings:record_create"), data)
    assert response.status_code == 200 and response.context["form"].errors["fee_items"]
    response = client.post(reverse("bookings:record_create"), {**data, "fee_items": [imaging.pk, mapping.pk]})
    assert response.status_code == 302
    assert ServiceRecord.objects.get().computed_amount == Decimal("3180.00")  # 2 h × (790 + 800)


def test_a_broken_rule_is_shown_on_the_form(client, instrument, requester, soon):
    client.force_login(requester)
    response = client.post(
        reverse("bookings:calendar", args=[instrument.pk]),
        form_data(soon, requester.memberships.get().unit, end_time="17:31"),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Booking.objects.exists()


def test_a_taken_slot_is_a_message_not_an_error(client, instrument, requester, soon):
    make_booking(instrument, requester, soon, 9, 12)
    client.force_login(member_of(requester.memberships.get().unit))
    response = client.post(
        reverse("bookings:calendar", args=[instrument.pk]), form_data(soon, requester.memberships.get().unit)
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_a_user_without_a_unit_cannot_request(client, instrument, enterprise, soon):
    client.force_login(UserFactory())
    response = client.post(reverse("bookings:calendar", args=[instrument.pk]), form_data(soon, enterprise))
    assert response.status_code == 200 and not Booking.objects.exists()
    assert not response.context["can_book"]


def test_hidden_instruments_are_404(client, owner_unit):
    retired = InstrumentFactory(unit=owner_unit, retired_at=timezone.now())
    client.force_login(UserFactory())
    assert client.get(reverse("bookings:calendar", args=[retired.pk])).status_code == 404
    assert client.get(reverse("bookings:calendar", args=[999999])).status_code == 404


def test_my_bookings_lists_only_mine_with_a_fixed_query_count(
    client, instrument, requester, soon, django_assert_num_queries
):
    unit = requester.memberships.get().unit
    BookingFactory(
        instrument=instrument,
        requester=UserFactory(),
        unit=unit,
        starts_at=local_dt(soon, 9),
        ends_at=local_dt(soon, 10),
    )
    client.force_login(requester)
    url = reverse("bookings:my_bookings")

    def rows(n):
        Booking.objects.filter(requester=requester).delete()
        BookingFactory.create_batch(
            n,
            instrument=instrument,
            requester=requester,
            unit=unit,
            starts_at=local_dt(soon, 9),
            ends_at=local_dt(soon, 10),
        )

    rows(1)
    client.get(url)  # warm the session
    with django_assert_num_queries(5) as one:  # with the header's unread-notification count
        response = client.get(url)
    assert response.context["page"].paginator.count == 1
    rows(50)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 50 and len(response.context["page"]) == 20


def test_the_requests_queue_is_for_the_owners_managers(
    client, instrument, requester, manager, soon, django_assert_num_queries
):
    make_booking(instrument, requester, soon, 9, 10)
    make_booking(instrument, requester, soon, 10, 11)
    services.booking_approve(actor=manager, booking=Booking.objects.order_by("pk").last())
    url = reverse("bookings:requests")
    client.force_login(manager)
    assert client.get(url, {"status": ""}).context["page"].paginator.count == 2  # every status
    assert client.get(url).context["page"].paginator.count == 1  # by default the pending ones
    filters = {"status": "requested", "date_from": soon.isoformat(), "date_to": soon.isoformat()}
    with django_assert_num_queries(5):  # with the header's unread-notification count
        response = client.get(url, filters)
    assert response.context["page"].paginator.count == 1
    for hour in range(11, 17):
        make_booking(instrument, requester, soon, hour, hour + 1)
    with django_assert_num_queries(5):
        response = client.get(url, filters)
    assert response.context["page"].paginator.count == 7
    assert client.get(url, {"date_from": (soon + timedelta(days=1)).isoformat()}).context["page"].paginator.count == 0
    client.force_login(requester)
    assert client.get(url).context["page"].paginator.count == 0


def test_the_queue_shows_pending_requests_first_the_soonest_first(client, instrument, requester, manager, soon):
    approved_late = make_booking(instrument, requester, soon + timedelta(days=1), 15, 16)
    services.booking_approve(actor=manager, booking=approved_late)
    later = make_booking(instrument, requester, soon + timedelta(days=1), 9, 10)
    sooner = make_booking(instrument, requester, soon, 14, 15)
    client.force_login(manager)
    shown = list(client.get(reverse("bookings:requests"), {"status": ""}).context["page"])
    assert shown == [sooner, later, approved_late]


def test_the_manager_approves_and_rejects_in_the_queue_and_stays_there(client, instrument, requester, manager, soon):
    first = make_booking(instrument, requester, soon, 9, 10)
    second = make_booking(instrument, requester, soon, 10, 11)
    queue = reverse("bookings:requests") + "?status=requested"
    client.force_login(manager)
    page = client.get(queue).content.decode()
    assert reverse("bookings:action", args=[first.pk, "approve"]) in page
    assert f'id="reject-reason-{second.pk}"' in page and "required" in page

    response = client.post(reverse("bookings:action", args=[first.pk, "approve"]), {"next": queue})
    assert response.status_code == 302 and response.url == queue
    response = client.post(reverse("bookings:action", args=[second.pk, "reject"]), {"next": queue, "reason": ""})
    assert response.url == queue
    second.refresh_from_db()
    assert second.status == "requested"  # a rejection needs its reason
    client.post(reverse("bookings:action", args=[second.pk, "reject"]), {"next": queue, "reason": "样品不适合电镜"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "rejected")
    assert list(client.get(queue).context["page"]) == []


def test_a_decision_never_sends_the_manager_to_another_site(client, instrument, requester, manager, soon):
    booking = make_booking(instrument, requester, soon, 9, 10)
    client.force_login(manager)
    response = client.post(reverse("bookings:action", args=[booking.pk, "approve"]), {"next": "https://evil.example/"})
    assert response.url == booking.get_absolute_url()


def test_approve_and_reject_from_the_booking_page(client, instrument, requester, manager, soon):
    first = make_booking(instrument, requester, soon, 9, 10)
    second = make_booking(instrument, requester, soon, 10, 11)
    client.force_login(manager)
    client.post(reverse("bookings:action", args=[first.pk, "approve"]))
    client.post(reverse("bookings:action", args=[second.pk, "reject"]), {"reason": ""})  # refused: no reason
    second.refresh_from_db()
    assert second.status == "requested"
    client.post(reverse("bookings:action", args=[second.pk, "reject"]), {"reason": "样品不适合电镜"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "rejected")


def test_the_requester_cannot_approve_and_strangers_get_404(client, instrument, requester, soon):
    booking = make_booking(instrument, requester, soon)
    client.force_login(requester)
    client.post(reverse("bookings:action", args=[booking.pk, "approve"]))
    booking.refresh_from_db()
    assert booking.status == "requested"
    client.force_login(UserFactory())
    assert client.get(reverse("bookings:detail", args=[booking.pk])).status_code == 404
    assert client.post(reverse("bookings:action", args=[booking.pk, "cancel"])).status_code == 404


def test_complete_and_rate_through_the_pages(client, instrument, requester, manager):
    day = local(timezone.now()).date() - timedelta(days=1)
    booking = BookingFactory(
        instrument=instrument,
        requester=requester,
        unit=requester.memberships.get().unit,
        starts_at=local_dt(day, 9),
        ends_at=local_dt(day, 11),
        status="approved",
    )
    client.force_login(manager)
    response = client.post(
        reverse("bookings:action", args=[booking.pk, "complete"]),
        {
            "actual_start": f"{day}T09:05",
            "actual_end": f"{day}T11:00",
            "preparation_hours": "0.25",
            "measurement_hours": "1.5",
            "post_processing_hours": "0.25",
            "sample_count": "2",
            "amount": "",
            "amount_reason": "",
        },
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert record.hours == Decimal("2.00") and record.amount == Decimal("800.00")
    assert local(record.started_at).strftime("%H:%M") == "09:05"
    client.force_login(requester)
    response = client.post(reverse("bookings:record_detail", args=[record.pk]), {"rating": "4", "comment": "及时"})
    record.refresh_from_db()
    assert (record.rating, record.rating_comment) == (4, "及时")


def test_outages_page_for_owners_only(client, instrument, requester, manager, soon):
    booking = make_booking(instrument, requester, soon, 9, 10)
    url = reverse("bookings:outages", args=[instrument.pk])
    client.force_login(requester)
    assert client.get(url).status_code == 404
    client.force_login(manager)
    data = {"starts_at": f"{soon}T08:00", "ends_at": f"{soon}T18:00", "kind": "maintenance", "reason": "年度保养"}
    assert client.post(url, data).status_code == 200  # the preview first
    booking.refresh_from_db()
    assert booking.status == "requested"
    response = client.post(url, {**data, "confirm": "1", "bookings": str(booking.pk)})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    outage = Outage.objects.get()
    client.post(reverse("bookings:outage_withdraw", args=[outage.pk]))
    outage.refresh_from_db()
    assert outage.cancelled_at is not None


def test_entering_a_service_record_by_form(client, instrument, manager, enterprise):
    client.force_login(manager)
    response = client.post(
        reverse("bookings:record_create"),
        {
            "instrument": instrument.pk,
            "started_at": "2030-01-05T09:00",
            "ended_at": "2030-01-05T12:00",
            "service_content": "委托检测",
            "service_way": "commission",
            "preparation_hours": "0",
            "measurement_hours": "3",
            "post_processing_hours": "0",
            "sample_count": "6",
            "user_name": "王工",
            "user_unit": enterprise.pk,
            "user_unit_name": "",
            "project_name": "",
            "funding_source": "none",
            "amount": "",
            "amount_reason": "",
        },
    )
    assert response.status_code == 302
    assert ServiceRecord.objects.get().amount == Decimal("1200.00")
    client.force_login(UserFactory())
    assert client.get(reverse("bookings:record_list")).context["page"].paginator.count == 0


def test_pages_render_in_english_too(client, instrument, requester, soon):
    client.force_login(requester)
    response = client.get(reverse("bookings:calendar", args=[instrument.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Request a slot" in response.content.decode()


def test_pages_are_chinese_by_default(client, instrument, requester):
    client.force_login(requester)
    html = client.get(reverse("bookings:calendar", args=[instrument.pk])).content.decode()
    assert "申请预约" in html and "开放时间" in html


def test_a_booking_notification_reads_in_one_language_at_a_time(instrument, requester, manager, soon):
    """The row keeps the message untranslated; it is rendered in the reader's language only."""
    from django.utils.translation import override

    from members.models import Notification

    make_booking(instrument, requester, soon)
    note = Notification.objects.get(recipient=manager)
    with override("zh-hans"):
        assert note.subject.startswith("预约申请") and "Booking request" not in note.subject + note.body
    with override("en"):
        assert note.subject.startswith("Booking request") and "预约申请" not in note.subject + note.body


def test_a_booking_notification_on_a_chinese_page_is_in_chinese_only(client, instrument, requester, manager, soon):
    make_booking(instrument, requester, soon)
    client.force_login(manager)
    html = client.get(reverse("members:notifications")).content.decode()
    assert "预约申请：场发射扫描电镜" in html and "申请预约 场发射扫描电镜" in html
    assert "Booking request" not in html and "asks to book" not in html


def test_the_record_list_has_a_fixed_query_count(client, instrument, manager, django_assert_num_queries):
    from .factories import ServiceRecordFactory

    client.force_login(manager)
    url = reverse("bookings:record_list")
    ServiceRecordFactory(instrument=instrument, started_at=timezone.now(), ended_at=timezone.now())
    client.get(url)
    with django_assert_num_queries(5) as one:  # with the header's unread-notification count
        assert client.get(url).context["page"].paginator.count == 1
    ServiceRecordFactory.create_batch(49, instrument=instrument, started_at=timezone.now(), ended_at=timezone.now())
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).context["page"].paginator.count == 50
