"""The API's one error body ({detail, code, fields}), its 400/404/409 answers, integer ids, dates that
never give a server error (API and pages), and the error answers in the OpenAPI schema."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone, translation
from rest_framework.test import APIClient

from bookings.availability import local
from core.exceptions import DomainError
from platform_site.api_errors import api_exception_handler
from tests.bookings.factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

SHAPE = {"detail", "code", "fields"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def owner_unit():
    return UnitFactory(name="内蒙古科技大学")


@pytest.fixture
def manager(owner_unit):
    return member_of(owner_unit, role="manager", name="赵磊")


@pytest.fixture
def instrument(owner_unit):
    instrument = InstrumentFactory(unit=owner_unit, name="场发射扫描电镜")
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument)
    return instrument


@pytest.fixture
def requester():
    return member_of(UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise"), name="张伟")


@pytest.fixture
def api(requester):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(requester)
    return client


@pytest.fixture
def soon():
    return local(timezone.now()).date() + timedelta(days=3)


def booking_payload(instrument, day, start="09:00", end="11:00"):
    return {
        "instrument": instrument.pk,
        "starts_at": f"{day}T{start}:00+08:00",
        "ends_at": f"{day}T{end}:00+08:00",
        "purpose": "XRD 物相分析",
    }


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == SHAPE and body["code"] == code and body["detail"], body
    if field:
        assert field in body["fields"], body
    return body


# --- dates and times through the API: a clear 400, never a 500 --------------------------------------


@pytest.mark.parametrize("start", ["9999-12-31T23:00:00+08:00", "0001-01-01T00:00:00+08:00"])
def test_availability_outside_the_years_is_a_400_naming_the_range(api, instrument, start):
    response = api.get(f"/api/v1/instruments/{instrument.pk}/availability/", {"start": start})
    body = assert_error(response, 400, "invalid", "start")
    assert "1900" in body["detail"] and "2199" in body["fields"]["start"][0]


def test_availability_with_a_naive_time_asks_for_the_offset(api, instrument):
    response = api.get(f"/api/v1/instruments/{instrument.pk}/availability/", {"start": "2030-01-01T09:00"})
    body = assert_error(response, 400, "invalid", "start")
    assert "offset" in body["detail"] and "+08:00" in body["detail"]


def test_availability_with_a_malformed_time_is_a_400(api, instrument):
    response = api.get(f"/api/v1/instruments/{instrument.pk}/availability/", {"end": "next tuesday"})
    assert "ISO 8601" in assert_error(response, 400, "invalid", "end")["detail"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/bookings/", {"date_from": "9999-12-31", "date_to": "9999-12-31"}),
        ("/api/v1/service-records/", {"date_from": "0001-01-01", "date_to": "9999-12-31"}),
    ],
)
def test_list_filters_outside_the_years_are_a_400(api, url, params):
    body = assert_error(api.get(url, params), 400, "invalid")
    assert set(body["fields"]) == set(params)


def test_a_booking_without_offsets_is_a_400_by_field(api, instrument, soon):
    data = booking_payload(instrument, soon)
    data["starts_at"], data["ends_at"] = f"{soon}T09:00", f"{soon}T10:00"
    body = assert_error(api.post("/api/v1/bookings/", data, format="json"), 400, "invalid")
    assert set(body["fields"]) == {"starts_at", "ends_at"} and "offset" in body["fields"]["starts_at"][0]


def test_a_booking_in_year_9999_is_a_400(api, instrument):
    data = booking_payload(instrument, "9999-12-31", "09:00", "10:00")
    assert_error(api.post("/api/v1/bookings/", data, format="json"), 400, "invalid", "starts_at")


# --- integer ids --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/bookings/abc/"),
        ("post", "/api/v1/bookings/false/approve/"),
        ("post", "/api/v1/bookings/null,null/cancel/"),
        ("get", "/api/v1/service-records/abc/"),
        ("get", "/api/v1/units/abc/"),
        ("get", "/api/v1/instruments/abc/"),
    ],
)
def test_an_id_that_is_not_an_integer_is_404(api, method, url):
    assert getattr(api, method)(url).status_code == 404


# --- the one body for 400, 404 and 409 ----------------------------------------------------------------


def test_404_for_missing_and_for_not_yours_is_the_same_body(api, instrument, soon):
    missing = assert_error(api.get("/api/v1/bookings/999999/"), 404, "not_found")
    assert missing["fields"] == {}
    booking_id = api.post("/api/v1/bookings/", booking_payload(instrument, soon), format="json").json()["id"]
    stranger = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    stranger.force_authenticate(member_of(UnitFactory()))
    assert stranger.get(f"/api/v1/bookings/{booking_id}/").json() == missing
    # A step the service forbids (a requester approving their own request) answers the same 404.
    assert api.post(f"/api/v1/bookings/{booking_id}/approve/").json() == missing


def test_a_taken_slot_is_409_conflict(api, instrument, soon):
    assert api.post("/api/v1/bookings/", booking_payload(instrument, soon), format="json").status_code == 201
    response = api.post("/api/v1/bookings/", booking_payload(instrument, soon, "10:00", "12:00"), format="json")
    body = assert_error(response, 409, "conflict")
    assert "taken" in body["detail"] and body["fields"] == {}


def test_approving_a_cancelled_booking_is_409_invalid_transition(api, instrument, soon, manager):
    booking_id = api.post("/api/v1/bookings/", booking_payload(instrument, soon), format="json").json()["id"]
    assert api.post(f"/api/v1/bookings/{booking_id}/cancel/", {}, format="json").status_code == 200
    owner = APIClient()
    owner.force_authenticate(manager)
    assert_error(owner.post(f"/api/v1/bookings/{booking_id}/approve/"), 409, "invalid_transition")


def test_retiring_a_retired_instrument_is_409_invalid_transition(instrument, manager):
    owner = APIClient()
    owner.force_authenticate(manager)
    assert owner.post(f"/api/v1/instruments/{instrument.pk}/retire/", {}, format="json").status_code == 200
    response = owner.post(f"/api/v1/instruments/{instrument.pk}/retire/", {}, format="json")
    assert_error(response, 409, "invalid_transition")


def test_a_broken_rule_is_400_with_the_message_beside_its_field(api, instrument, soon):
    body = assert_error(
        api.post("/api/v1/bookings/", booking_payload(instrument, soon, "16:31", "17:31"), format="json"),
        400,
        "invalid",
    )
    assert body["fields"] and body["detail"] in [m for ms in body["fields"].values() for m in ms]


def test_serializer_errors_are_in_fields(api):
    body = assert_error(api.post("/api/v1/bookings/", {}, format="json"), 400, "invalid", "instrument")
    assert {"starts_at", "ends_at", "purpose"} <= set(body["fields"])


def test_anonymous_writes_are_refused_in_the_one_shape(instrument, soon):
    response = APIClient().post("/api/v1/bookings/", booking_payload(instrument, soon), format="json")
    assert response.status_code in (401, 403) and set(response.json()) == SHAPE


def test_the_handler_puts_domain_and_django_errors_beside_their_fields():
    response = api_exception_handler(DomainError("Too early.", field="starts_at"), {})
    assert response.status_code == 400 and response.data["fields"] == {"starts_at": ["Too early."]}
    response = api_exception_handler(DomainError("No."), {})
    assert response.data == {"detail": "No.", "code": "invalid", "fields": {"non_field_errors": ["No."]}}
    response = api_exception_handler(DjangoValidationError({"__all__": ["Both."], "name": ["Short."]}), {})
    assert response.data["fields"] == {"non_field_errors": ["Both."], "name": ["Short."]}
    assert response.data["detail"] == "Both."
    assert api_exception_handler(ValueError("a bug"), {}) is None  # a server error stays one


# --- pages: a form error or the default, never a 500 ---------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"week": "9999-12-31"},
        {"week": "0001-01-01"},
        {"week": "soon"},
        {"start": "2030-01-01T09:00", "end": "2030-01-01T10:00"},
        {"start": "9999-12-31T23:00:00+08:00", "end": "9999-12-31T23:30:00+08:00"},
        {"start": "0001-01-01T00:00:00+08:00", "end": "x"},
    ],
)
def test_the_calendar_ignores_a_bad_week_or_prefill(client, requester, instrument, query):
    client.force_login(requester)
    assert client.get(f"/instruments/{instrument.pk}/book/", query).status_code == 200


def test_the_calendar_prefills_a_naive_wall_time_as_local(client, requester, instrument):
    client.force_login(requester)
    response = client.get(
        f"/instruments/{instrument.pk}/book/", {"start": "2030-01-01T09:00", "end": "2030-01-01T11:00"}
    )
    assert response.context["form"].initial["start_time"].hour == 9


@pytest.mark.parametrize(("url", "user"), [("/bookings/", "requester"), ("/service-records/", "manager")])
def test_list_pages_show_a_form_error_for_year_9999(client, request, url, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get(url, {"date_from": "2030-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert "2199" in response.content.decode()


# --- the schema -------------------------------------------------------------------------------------


@pytest.fixture
def schema():
    return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def test_the_schema_lists_every_error_answer_with_the_error_body(schema):
    responses = schema["paths"]["/api/v1/bookings/{id}/approve/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(responses)
    for code in ("400", "401", "403", "404", "409"):
        assert responses[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == SHAPE
    assert "409" in schema["paths"]["/api/v1/bookings/"]["post"]["responses"]


def test_public_reads_list_400_and_404(schema):
    for path in ("/api/v1/instruments/", "/api/v1/instruments/{id}/", "/api/v1/units/"):
        assert {"200", "400", "404"} <= set(schema["paths"][path]["get"]["responses"]), path
    assert "fields" in schema["info"]["description"]
