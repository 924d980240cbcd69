"""The bookings API: create (409 on a taken slot), list own and owners', actions, service records,
availability, and the OpenAPI schema."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bookings import services
from bookings.availability import local
from bookings.models import Booking
from tests.factories import UserFactory

from .conftest import fee_items, local_dt
from .factories import BookingFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def soon():
    return local(timezone.now()).date() + timedelta(days=3)


def payload(instrument, day, start="09:00", end="11:00", **extra):
    data = {
        "instrument": instrument.pk,
        "starts_at": f"{day}T{start}:00+08:00",
        "ends_at": f"{day}T{end}:00+08:00",
        "purpose": "XRD 物相分析",
        "sample_count": 2,
        "service_way": "commission",
    }
    data.update(extra)
    return data


def test_create_shows_shanghai_wall_time(api, instrument, requester, soon):
    api.force_authenticate(requester)
    response = api.post("/api/v1/bookings/", payload(instrument, soon), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["starts_at"] == f"{soon}T09:00:00+08:00"
    assert response.json()["status"] == "requested" and response.json()["fee_estimate"] == "800.00"


def test_create_with_the_chosen_services(api, tem, requester, soon):
    api.force_authenticate(requester)
    imaging, diffraction = fee_items(tem, "高分辨成像", "电子衍射")
    response = api.post("/api/v1/bookings/", payload(tem, soon, fee_items=[imaging.pk]), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["fee_estimate"] == "1580.00"  # 2 h × 790, not the sum of the list
    assert body["chosen_services"] == [
        {"fee_item": imaging.pk, "name": "高分辨成像", "basis": "hour", "unit_price": "790.00"}
    ]
    two = payload(tem, soon, "13:00", "15:00", fee_items=[imaging.pk, diffraction.pk])
    assert api.post("/api/v1/bookings/", two, format="json").json()["fee_estimate"] == "3320.00"


def test_fee_items_default_to_the_only_one_and_are_refused_from_another_instrument(
    api, tem, instrument, requester, soon
):
    api.force_authenticate(requester)
    response = api.post("/api/v1/bookings/", payload(instrument, soon), format="json")
    assert [c["name"] for c in response.json()["chosen_services"]] == ["机时费"]
    response = api.post("/api/v1/bookings/", payload(tem, soon), format="json")
    assert response.status_code == 400 and "fee_items" in response.json()["fields"]
    foreign = instrument.fee_items.get().pk
    response = api.post("/api/v1/bookings/", payload(tem, soon, fee_items=[foreign]), format="json")
    assert response.status_code == 400 and str(foreign) in response.json()["fields"]["fee_items"][0]
    assert Booking.objects.count() == 1


def test_service_records_show_their_chosen_services(api, tem, requester, manager, soon):
    api.force_authenticate(requester)
    imaging = fee_items(tem, "高分辨成像")[0]
    booking = api.post("/api/v1/bookings/", payload(tem, soon, fee_items=[imaging.pk]), format="json").json()
    row = Booking.objects.get(pk=booking["id"])
    services.booking_approve(actor=manager, booking=row)
    api.force_authenticate(manager)
    done = {
        "actual_start": booking["starts_at"],
        "actual_end": booking["ends_at"],
        "measurement_hours": "2",
        "sample_count": 2,
        "amount": "1000",
        "amount_reason": "长期合作",
    }
    Booking.objects.filter(pk=row.pk).update(  # the slot has begun
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    assert api.post(f"/api/v1/bookings/{row.pk}/complete/", done, format="json").status_code == 200
    record = api.get("/api/v1/service-records/").json()["results"][0]
    assert (record["computed_amount"], record["amount"]) == ("1580.00", "1000.00")
    assert [c["name"] for c in record["chosen_services"]] == ["高分辨成像"]


def test_a_utc_request_is_the_same_instant(api, instrument, requester, soon):
    api.force_authenticate(requester)
    data = payload(instrument, soon)
    data["starts_at"], data["ends_at"] = f"{soon}T01:00:00Z", f"{soon}T02:00:00Z"
    response = api.post("/api/v1/bookings/", data, format="json")
    assert response.status_code == 201
    assert response.json()["starts_at"] == f"{soon}T09:00:00+08:00"


def test_a_taken_slot_is_409_with_a_message(api, instrument, requester, soon):
    api.force_authenticate(requester)
    assert api.post("/api/v1/bookings/", payload(instrument, soon), format="json").status_code == 201
    response = api.post("/api/v1/bookings/", payload(instrument, soon, "10:00", "12:00"), format="json")
    assert response.status_code == 409
    assert response.json()["detail"] and response.json()["code"] == "conflict"


def test_a_broken_rule_is_400(api, instrument, requester, soon):
    api.force_authenticate(requester)
    response = api.post("/api/v1/bookings/", payload(instrument, soon, "16:31", "17:31"), format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid" and response.json()["detail"]


def test_anonymous_users_cannot_book(api, instrument, soon):
    assert api.post("/api/v1/bookings/", payload(instrument, soon), format="json").status_code in (401, 403)


def test_the_list_has_own_and_owned_bookings_with_a_fixed_query_count(
    api, instrument, requester, manager, soon, django_assert_num_queries
):
    unit = requester.memberships.get().unit
    stranger_booking = BookingFactory(starts_at=local_dt(soon, 9), ends_at=local_dt(soon, 10))
    api.force_authenticate(requester)

    def create(n):
        BookingFactory.create_batch(
            n,
            instrument=instrument,
            requester=requester,
            unit=unit,
            starts_at=local_dt(soon, 9),
            ends_at=local_dt(soon, 10),
        )

    create(1)
    # count, page, chosen services (prefetched)
    with django_assert_num_queries(3) as one:
        response = api.get("/api/v1/bookings/")
    assert response.json()["count"] == 1
    create(49)
    with django_assert_num_queries(len(one.captured_queries)):
        response = api.get("/api/v1/bookings/")
    assert response.json()["count"] == 50
    api.force_authenticate(manager)
    assert api.get("/api/v1/bookings/").json()["count"] == 50
    assert api.get(f"/api/v1/bookings/{stranger_booking.pk}/").status_code == 404


def test_actions_through_the_api(api, instrument, requester, manager, soon):
    api.force_authenticate(requester)
    booking_id = api.post("/api/v1/bookings/", payload(instrument, soon), format="json").json()["id"]
    # A step you may not take answers like a booking that is not yours (the one error handler).
    assert api.post(f"/api/v1/bookings/{booking_id}/approve/").status_code == 404
    api.force_authenticate(manager)
    assert api.post(f"/api/v1/bookings/{booking_id}/reject/", {"reason": ""}, format="json").status_code == 400
    response = api.post(f"/api/v1/bookings/{booking_id}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert api.post(f"/api/v1/bookings/{booking_id}/approve/").status_code == 409  # illegal step
    # Completing before the slot began is refused; move the slot into the past to complete it.
    assert (
        api.post(
            f"/api/v1/bookings/{booking_id}/complete/",
            {
                "actual_start": f"{soon}T09:00:00+08:00",
                "actual_end": f"{soon}T11:00:00+08:00",
                "measurement_hours": "2",
                "sample_count": 2,
            },
            format="json",
        ).status_code
        == 400
    )
    Booking.objects.filter(pk=booking_id).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    response = api.post(
        f"/api/v1/bookings/{booking_id}/complete/",
        {
            "actual_start": f"{soon}T09:00:00+08:00",
            "actual_end": f"{soon}T11:00:00+08:00",
            "measurement_hours": "2",
            "sample_count": 2,
        },
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "completed"
    records = api.get("/api/v1/service-records/").json()
    assert records["count"] == 1 and records["results"][0]["amount"] == "800.00"
    assert records["results"][0]["started_at"] == f"{soon}T09:00:00+08:00"
    assert api.post(f"/api/v1/bookings/{booking_id}/rate/", {"rating": 5}, format="json").status_code == 404
    api.force_authenticate(requester)
    response = api.post(f"/api/v1/bookings/{booking_id}/rate/", {"rating": 5, "comment": "好"}, format="json")
    assert response.status_code == 200 and response.json()["rating"] == 5


def test_requester_cancels_and_no_show_through_the_api(api, instrument, requester, manager, soon):
    api.force_authenticate(requester)
    first = api.post("/api/v1/bookings/", payload(instrument, soon), format="json").json()["id"]
    response = api.post(f"/api/v1/bookings/{first}/cancel/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    second = api.post("/api/v1/bookings/", payload(instrument, soon), format="json").json()["id"]
    api.force_authenticate(manager)
    api.post(f"/api/v1/bookings/{second}/approve/")
    Booking.objects.filter(pk=second).update(starts_at=timezone.now() - timedelta(hours=1))
    assert api.post(f"/api/v1/bookings/{second}/no-show/").json()["status"] == "no_show"


def test_availability_shows_open_busy_and_free_in_local_time(api, instrument, requester, soon):
    services.booking_request(
        user=requester,
        unit=requester.memberships.get().unit,
        instrument=instrument,
        starts_at=local_dt(soon, 9),
        ends_at=local_dt(soon, 10),
        purpose="x",
    )
    response = api.get(
        f"/api/v1/instruments/{instrument.pk}/availability/",
        {"start": f"{soon}T00:00:00+08:00", "end": f"{soon + timedelta(days=1)}T00:00:00+08:00"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["open"] == [{"start": f"{soon}T08:30:00+08:00", "end": f"{soon}T17:30:00+08:00"}]
    assert data["busy"] == [{"start": f"{soon}T09:00:00+08:00", "end": f"{soon}T10:00:00+08:00", "kind": "booking"}]
    assert data["free"] == [
        {"start": f"{soon}T08:30:00+08:00", "end": f"{soon}T09:00:00+08:00"},
        {"start": f"{soon}T10:00:00+08:00", "end": f"{soon}T17:30:00+08:00"},
    ]
    assert "张伟" not in response.content.decode()
    bad = api.get(f"/api/v1/instruments/{instrument.pk}/availability/", {"start": "2030-01-01", "end": "2030-03-01"})
    assert bad.status_code == 400
    assert api.get("/api/v1/instruments/999999/availability/").status_code == 404


def test_the_schema_lists_the_booking_endpoints(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/bookings/",
        "/api/v1/bookings/{id}/approve/",
        "/api/v1/bookings/{id}/reject/",
        "/api/v1/bookings/{id}/cancel/",
        "/api/v1/bookings/{id}/complete/",
        "/api/v1/bookings/{id}/no-show/",
        "/api/v1/service-records/",
        "/api/v1/instruments/{instrument_pk}/availability/",
    ):
        assert path in schema["paths"], path
    assert "409" in schema["paths"]["/api/v1/bookings/"]["post"]["responses"]


def test_service_records_are_scoped(api, instrument, manager):
    from .factories import ServiceRecordFactory

    ServiceRecordFactory(instrument=instrument, started_at=timezone.now(), ended_at=timezone.now())
    api.force_authenticate(manager)
    assert api.get("/api/v1/service-records/").json()["count"] == 1
    api.force_authenticate(member_of(instrument.unit))
    assert api.get("/api/v1/service-records/").json()["count"] == 0
    api.force_authenticate(UserFactory())
    assert api.get("/api/v1/service-records/").json()["count"] == 0
