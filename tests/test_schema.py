"""``platform_site.schema``: the filtered lists' query parameters say what the filters accept."""

import re

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.bookings.factories import member_of
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def parameters(schema, path):
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}


@pytest.fixture
def manager_client():
    client = APIClient()
    token = Token.objects.create(user=member_of(UnitFactory(), role="manager"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_class_and_district_codes_are_strings_and_a_unit_an_id(schema):
    catalogue = parameters(schema, "/api/v1/instruments/")
    assert catalogue["category"]["schema"] == {"type": "string", "minLength": 1, "maxLength": 6}
    assert catalogue["district"]["schema"]["type"] == "string"
    assert catalogue["unit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}  # an id column
    assert catalogue["category"]["description"]  # the help text is kept
    assert parameters(schema, "/api/v1/units/")["district"]["schema"] == {"type": "integer", "minimum": 1}


def test_numbers_state_the_filters_limits(schema):
    catalogue = parameters(schema, "/api/v1/instruments/")
    assert catalogue["min_hours"]["schema"] == {"type": "number", "minimum": 0.5, "maximum": 24}
    assert catalogue["value_min"]["schema"]["minimum"] == 0


def test_choices_are_enums(schema):
    assert "requested" in parameters(schema, "/api/v1/bookings/")["status"]["schema"]["enum"]
    assert "commission" in parameters(schema, "/api/v1/service-records/")["service_way"]["schema"]["enum"]


@pytest.mark.parametrize(("value", "matches"), [("1900-01-01", True), ("2199-12-31", True), ("1899-12-31", False)])
def test_dates_state_the_supported_years(schema, manager_client, value, matches):
    pattern = parameters(schema, "/api/v1/bookings/")["date_from"]["schema"]["pattern"]
    assert bool(re.search(pattern, value)) is matches
    status = manager_client.get("/api/v1/bookings/", {"date_from": value}).status_code
    assert status == (200 if matches else 400)


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("2030-03-06T09:00:00+08:00", True),
        ("2030-03-06T09:00:00.5Z", True),
        ("2200-01-01T00:00:00+08:00", False),
    ],
)
def test_datetimes_state_the_supported_years(schema, value, matches):
    pattern = parameters(schema, "/api/v1/instruments/")["free_from"]["schema"]["pattern"]
    assert bool(re.search(pattern, value)) is matches
    status = APIClient().get("/api/v1/instruments/", {"free_from": value, "free_to": "2030-03-07T09:00:00+08:00"})
    assert status.status_code == (200 if matches else 400)


def test_the_api_asks_for_a_datetime_with_its_offset(schema):
    # The filter also reads a page's wall time as local; the API documents the offset it asks for.
    pattern = parameters(schema, "/api/v1/instruments/")["free_from"]["schema"]["pattern"]
    assert not re.search(pattern, "2030-03-06T09:00:00")
