"""Issue 8's reproducers, each a test: answers the fuzzer (tests/test_schemathesis.py) found wrong."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from tests.bookings.factories import FeeItemFactory, InstrumentFactory, ServiceRecordFactory, member_of, weekday_hours
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

SHAPE = {"detail", "code", "fields"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def instrument():
    instrument = InstrumentFactory(unit=UnitFactory())
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument)
    return instrument


@pytest.fixture
def schema():
    return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == SHAPE and body["code"] == code, body
    return body


# --- a service record without creator ---------------------------------------------------------------


def test_its_user_rates_a_service_record_that_has_no_creator(instrument):
    unit = UnitFactory()
    user = member_of(unit)
    start = timezone.now() - timedelta(days=3)
    record = ServiceRecordFactory(
        instrument=instrument,
        started_at=start,
        ended_at=start + timedelta(hours=2),
        user=user,
        user_unit=unit,
        measurement_hours=Decimal("2"),
        created_by=None,
    )
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(f"/api/v1/service-records/{record.pk}/rate/", {"rating": 1}, format="json")
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert record.rating == 1 and record.created_by is None
    assert record.history.first().history_change_reason == "rated"


# --- JSON 404 under /api/ --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/instruments/%C2%84/availability/"),
        ("get", "/api/v1/units/%C2%84/"),
        ("post", "/api/v1/service-records/w%0Ai%23/rate/"),
        ("delete", "/api/v1/no-such-thing/"),
    ],
)
def test_a_path_under_the_api_that_names_nothing_is_a_json_404(method, url):
    assert_error(getattr(APIClient(), method)(url), 404, "not_found")


def test_a_missing_trailing_slash_still_redirects():
    response = APIClient().get("/api/v1/units", {"page": "1"})
    assert response.status_code == 301 and response["Location"] == "/api/v1/units/?page=1"


# --- the token endpoint ----------------------------------------------------------------------------


@pytest.mark.parametrize("body", [[None, None], {"username": ["a"], "password": "x"}])
def test_a_token_request_that_is_not_an_object_of_text_is_a_400(body):
    assert_error(APIClient().post("/api/v1/auth/token/", body, format="json"), 400, "invalid")


def test_a_username_longer_than_the_e_mail_column_is_refused_at_the_door():
    body = {"username": "a" * 300 + "@example.cn", "password": "x"}
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert "username" in assert_error(response, 400, "invalid")["fields"]


def test_the_token_endpoint_documents_its_lockout_and_a_wrong_token(schema):
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"200", "400", "401", "429"} <= set(responses)


# --- what the schema says is what is sent ------------------------------------------------------------


def test_page_url_is_a_path_and_opening_times_are_not_format_time(schema, instrument):
    components = schema["components"]["schemas"]
    assert "format" not in components["InstrumentDetail"]["properties"]["page_url"]
    assert "format" not in components["OpeningHours"]["properties"]["opens"]
    body = APIClient().get(f"/api/v1/instruments/{instrument.pk}/").json()
    assert body["page_url"] == f"/instruments/{instrument.pk}/"
    assert body["opening_hours"][0]["opens"] == "08:30:00"


def test_availability_is_one_object_in_the_schema(schema):
    answer = schema["paths"]["/api/v1/instruments/{instrument_pk}/availability/"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Availability"}


def test_the_schema_refuses_blank_text_and_digitless_decimals(schema):
    complete = schema["components"]["schemas"]["Complete"]["properties"]
    assert complete["measurement_hours"]["pattern"] == r"^\d{1,5}(?:\.\d{0,2})?$"
    purpose = schema["components"]["schemas"]["BookingCreate"]["properties"]["purpose"]
    assert purpose["minLength"] == 1


# --- invalid filters are refused, valid pages are not --------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/instruments/", {"operating_status": "", "sharing_mode": "none"}, "operating_status"),
        ("/api/v1/units/", {"scale": ""}, "scale"),
        ("/api/v1/units/", {"is_high_tech": "null"}, "is_high_tech"),
        ("/api/v1/instruments/", {"page_size": "0"}, "page_size"),
        ("/api/v1/instruments/", {"page_size": "null"}, "page_size"),
    ],
)
def test_invalid_filter_values_are_a_400(url, params, field):
    body = assert_error(APIClient().get(url, params), 400, "invalid")
    assert field in body["fields"], body


def test_valid_filters_and_free_text_left_empty_are_accepted(instrument):
    response = APIClient().get("/api/v1/instruments/", {"sharing_mode": "external", "search": "", "page_size": "5"})
    assert response.status_code == 200, response.content
    assert APIClient().get("/api/v1/units/", {"is_high_tech": "false", "q": ""}).status_code == 200


def test_the_catalogue_page_still_reads_an_empty_field_as_any(client, instrument):
    response = client.get("/instruments/", {"operating_status": "", "online_booking": "", "search": ""})
    assert response.status_code == 200
