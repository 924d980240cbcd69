"""The API: token authentication, the directory of approved units, the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, DistrictFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_token_for_username_and_password(api):
    UserFactory(email="li@example.cn")
    response = api.post("/api/v1/auth/token/", {"username": "li@example.cn", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/units/").status_code == 200


def test_wrong_password_gives_json_field_errors(api):
    UserFactory(email="li@example.cn")
    response = api.post("/api/v1/auth/token/", {"username": "li@example.cn"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["fields"]


def test_units_lists_only_approved_and_filters(api, django_assert_num_queries):
    district = DistrictFactory(name="稀土高新区")
    UnitFactory(name="北方稀土", unit_type="enterprise", scale="large", district=district)
    UnitFactory(name="小微企业", unit_type="enterprise", scale="micro")
    UnitFactory(name="内蒙古科技大学", unit_type="university")
    UnitFactory(name="未审核", status="pending")
    body = api.get("/api/v1/units/").json()
    assert {"count", "next", "previous", "results"} <= set(body)
    assert {u["name"] for u in body["results"]} == {"北方稀土", "小微企业", "内蒙古科技大学"}
    names = lambda params: {u["name"] for u in api.get("/api/v1/units/", params).json()["results"]}  # noqa: E731
    assert names({"unit_type": "enterprise"}) == {"北方稀土", "小微企业"}
    assert names({"scale": "large"}) == {"北方稀土"}
    assert names({"district": district.pk}) == {"北方稀土"}
    assert api.get("/api/v1/units/", {"unit_type": "spaceship"}).status_code == 400
    UnitFactory.create_batch(15)
    with django_assert_num_queries(2):
        api.get("/api/v1/units/")


def test_pending_unit_is_not_found(api):
    unit = UnitFactory(status="pending")
    assert api.get(f"/api/v1/units/{unit.pk}/").status_code == 404


def test_api_root_and_schema(api):
    assert "units" in api.get("/api/v1/").json()
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/units/" in schema["paths"] and "/api/v1/auth/token/" in schema["paths"]


def test_units_are_read_only(api):
    user = UserFactory()
    api.force_authenticate(user)
    assert api.post("/api/v1/units/", {"name": "x"}, format="json").status_code == 405
