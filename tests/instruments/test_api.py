"""The API: the classification, the public catalogue with the page's filters, and registry
writes for the owner unit's managers only."""

from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from instruments import search_limit
from instruments.models import Instrument
from members.models import Unit
from tests.factories import DistrictFactory, UnitFactory
from tests.instruments.catalogue_factories import ensure_classification, instrument
from tests.instruments.factories import FeeItemFactory, OpeningHoursFactory

LIST = "/api/v1/instruments/"


@pytest.fixture(autouse=True)
def classes(db):
    return ensure_classification()


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def record(**overrides) -> dict:
    """A complete record as a client sends it."""
    data = {
        "asset_number": "ZC-2024-0001",
        "name": "电感耦合等离子体质谱仪",
        "name_en": "ICP-MS",
        "category": "0102",
        "original_value": "1850000.00",
        "country_of_origin": "美国",
        "manufacturer": "安捷伦科技公司（Agilent Technologies）",
        "model": "7900",
        "commissioned_on": "2024-03-01",
        "technical_indicators": "质量范围 2–260 amu",
        "functions": "痕量元素分析",
        "operating_status": "normal",
        "sharing_mode": "external",
        "contact_person": "王工",
        "contact_phone": "0472-5951234",
        "fee_items": [{"name": "痕量元素", "basis": "sample", "internal_price": "150.00", "external_price": "300.00"}],
        "opening_hours": [{"weekday": 0, "opens": "08:30", "closes": "12:00"}],
    }
    data.update(overrides)
    return data


# --- reading ------------------------------------------------------------------------------------


def test_categories_are_a_flat_list_with_parents(api, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api.get("/api/v1/categories/").json()
    by_code = {row["code"]: row for row in body}
    assert by_code["01"] == {
        "id": by_code["01"]["id"],
        "code": "01",
        "name": "分析仪器",
        "name_en": "Analytical instruments",
        "parent": None,
        "parent_code": None,
        "level": 1,
    }
    assert by_code["0102"]["parent"] == by_code["01"]["id"] and by_code["0102"]["parent_code"] == "01"
    assert api.get("/api/v1/categories/0102/").json()["name"] == "质谱仪器"


def test_a_search_lists_its_best_results_up_to_the_limit_and_says_there_are_more(api, unit, monkeypatch):
    monkeypatch.setattr(search_limit, "SEARCH_LIMIT", 3)
    for n in range(4):
        instrument(unit=unit, name=f"质谱仪{n}")
    instrument(unit=unit, name="试验机")
    body = api.get(LIST, {"search": "质谱", "page_size": 2}).json()
    assert (body["count"], body["more"], len(body["results"])) == (3, True, 2)
    second = api.get(body["next"]).json()
    assert (len(second["results"]), second["next"]) == (1, None)
    assert api.get(LIST, {"search": "质谱", "page_size": 2, "page": 3}).status_code == 404
    # Without a search every instrument can be paged through, whatever the limit.
    body = api.get(LIST, {"page_size": 2}).json()
    assert (body["count"], body["more"]) == (5, False)
    assert api.get(LIST, {"page_size": 2, "page": 3}).json()["results"]


def test_anyone_reads_the_catalogue_in_drf_pages(api, unit):
    for n in range(3):
        instrument(unit=unit, name=f"电镜{n}")
    instrument(unit=unit, name="退役的", retired_at=timezone.now())
    body = api.get(LIST, {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results", "more"}
    assert body["count"] == 3 and len(body["results"]) == 2 and body["previous"] is None
    assert "page=2" in body["next"]
    second = api.get(body["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    row = body["results"][0]
    assert row["category"]["code"] == "0101" and row["main_category"]["code"] == "01"
    assert row["unit"]["name"] == unit.name and row["page_url"] == f"/instruments/{row['id']}/"


def test_free_text_is_search_and_the_filters_are_the_pages(api, unit):
    hospital = UnitFactory(unit_type=Unit.Type.HOSPITAL, district=DistrictFactory(code="150202", name="东河区"))
    instrument(unit=unit, code="0102", name="液相色谱-质谱联用仪", model="Xevo TQ-S micro")
    instrument(unit=unit, code="0101", name="透射电子显微镜", model="JEM-2100F", original_value=Decimal("7600000"))
    bookable = instrument(unit=hospital, code="0901", name="全自动生化分析仪")
    OpeningHoursFactory(instrument=bookable)

    def found(**params):
        return {row["name"] for row in api.get(LIST, params).json()["results"]}

    assert found(search="质谱") == {"液相色谱-质谱联用仪"}
    assert found(search="2100") == {"透射电子显微镜"}
    assert found(category="01") == {"液相色谱-质谱联用仪", "透射电子显微镜"}
    assert found(district="150202") == {"全自动生化分析仪"}
    assert found(unit=hospital.pk) == found(unit_type="hospital") == {"全自动生化分析仪"}
    assert found(value_min="700") == {"透射电子显微镜"}
    assert found(online_booking="true") == {"全自动生化分析仪"}
    assert [row["name"] for row in api.get(LIST, {"sort": "value_desc"}).json()["results"]][0] == "透射电子显微镜"


def test_a_filter_that_makes_no_sense_is_a_400_with_field_messages(api):
    response = api.get(LIST, {"category": "zz", "sort": "colour"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"category", "sort"}


@pytest.mark.parametrize("rows", [10, 50])
def test_the_list_takes_the_same_queries_for_ten_or_fifty_rows(api, unit, django_assert_num_queries, rows):
    for n in range(rows):
        instrument(unit=unit, name=f"电镜{n}")
    with django_assert_num_queries(3):  # count, rows, photos
        body = api.get(LIST, {"page_size": rows, "search": "电镜"}).json()
    assert len(body["results"]) == rows


def test_detail_has_every_public_field_fees_and_hours(api, unit):
    row = instrument(unit=unit)
    FeeItemFactory(instrument=row)
    OpeningHoursFactory(instrument=row)
    body = api.get(f"{LIST}{row.pk}/").json()
    assert body["model"] == "JSM-7900F" and body["technical_indicators"].startswith("分辨率")
    assert body["fee_items"][0]["external_price"] == "400.00"
    assert body["opening_hours"] == [{"weekday": 0, "opens": "08:30:00", "closes": "12:00:00"}]
    assert body["online_booking"] is True and body["district"]["code"] == unit.district.code


def test_instruments_outside_the_catalogue_are_404(api, unit):
    retired = instrument(unit=unit, retired_at=timezone.now())
    pending = instrument(unit=UnitFactory(status=Unit.Status.PENDING))
    assert api.get(f"{LIST}{retired.pk}/").status_code == 404
    assert api.get(f"{LIST}{pending.pk}/").status_code == 404
    assert api.get(f"{LIST}999999/").status_code == 404


# --- writing ------------------------------------------------------------------------------------


def test_a_manager_registers_an_instrument_of_their_unit(api, manager, unit):
    response = as_user(api, manager).post(LIST, record(unit=unit.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "电感耦合等离子体质谱仪" and body["unit"]["id"] == unit.pk
    assert body["fee_items"][0]["name"] == "痕量元素" and body["online_booking"] is True
    created = Instrument.objects.get(pk=body["id"])
    assert created.history.first().history_user == manager
    # Searchable at once: the service wrote its search document.
    assert [r["id"] for r in APIClient().get(LIST, {"search": "质谱 7900"}).json()["results"]] == [created.pk]


def test_registering_for_a_unit_you_do_not_manage_is_forbidden(api, member, other_manager, outsider, unit):
    for user in (member, other_manager, outsider):
        response = as_user(APIClient(), user).post(LIST, record(unit=unit.pk), format="json")
        # The service's PermissionDenied answers 404 like every access function (one error handler).
        assert response.status_code == 404 and response.json()["code"] == "not_found", user
    assert api.post(LIST, record(unit=unit.pk), format="json").status_code in (401, 403)
    assert not Instrument.objects.exists()


def test_a_wrong_record_is_a_400_with_messages_by_field(api, manager, unit):
    instrument(unit=unit, asset_number="ZC-2024-0001")
    response = as_user(api, manager).post(
        LIST,
        record(
            unit=unit.pk,
            category="9999",
            original_value="-1",
            opening_hours=[{"weekday": 0, "opens": "12:00", "closes": "08:00"}],
        ),
        format="json",
    )
    assert response.status_code == 400
    assert {"category", "original_value"} <= set(response.json()["fields"])
    # Rules of the service come back the same way.
    response = as_user(api, manager).post(
        LIST, record(unit=unit.pk, opening_hours=[{"weekday": 0, "opens": "12:00", "closes": "08:00"}]), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"asset_number", "opening_hours"}


def test_a_future_commissioning_date_and_a_phone_that_is_not_one_are_400s(api, manager, unit):
    response = as_user(api, manager).post(
        LIST,
        record(unit=unit.pk, commissioned_on="2199-01-01", contact_phone="请联系赵老师"),
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"commissioned_on", "contact_phone"}
    # In the API's default language, Chinese.
    assert "是将来的日期" in str(fields["commissioned_on"]) and "带区号的座机号" in str(fields["contact_phone"])
    assert not Instrument.objects.exists()


def test_an_asset_number_sent_with_full_width_digits_is_stored_normalised(api, manager, unit):
    data = record(unit=unit.pk, asset_number="ZC２０２４ 0001", contact_phone="０４７２－５９５１２３４")
    response = as_user(api, manager).post(LIST, data, format="json")
    assert response.status_code == 201, response.json()
    created = Instrument.objects.get()
    assert (created.asset_number, created.contact_phone) == ("ZC20240001", "0472-5951234")


def test_a_manager_edits_their_instrument_and_another_units_manager_gets_404(api, manager, other_manager, unit):
    row = instrument(unit=unit, name="旧名字")
    response = as_user(APIClient(), other_manager).patch(f"{LIST}{row.pk}/", {"name": "别人改的"}, format="json")
    assert response.status_code == 404
    response = as_user(api, manager).patch(
        f"{LIST}{row.pk}/",
        {
            "name": "新名字",
            "fee_items": [{"name": "测试", "basis": "hour", "internal_price": "1", "external_price": "2"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "新名字" and [f["name"] for f in response.json()["fee_items"]] == ["测试"]
    row.refresh_from_db()
    assert row.name == "新名字" and "新名字" in row.search_document


def test_a_full_update_needs_the_whole_record(api, manager, unit):
    row = instrument(unit=unit)
    response = as_user(api, manager).put(f"{LIST}{row.pk}/", {"name": "只有名字"}, format="json")
    assert response.status_code == 400 and "model" in response.json()["fields"]
    response = as_user(api, manager).put(f"{LIST}{row.pk}/", record(name="全部重填"), format="json")
    assert response.status_code == 200 and response.json()["name"] == "全部重填"


def test_anonymous_and_plain_members_cannot_edit(api, member, unit):
    row = instrument(unit=unit)
    assert api.patch(f"{LIST}{row.pk}/", {"name": "x"}, format="json").status_code in (401, 403)
    assert as_user(APIClient(), member).patch(f"{LIST}{row.pk}/", {"name": "x"}, format="json").status_code == 404
    assert as_user(APIClient(), member).post(f"{LIST}{row.pk}/retire/", {}, format="json").status_code == 404


def test_a_manager_retires_an_instrument_and_it_leaves_the_catalogue(api, manager, other_manager, unit):
    row = instrument(unit=unit)
    assert as_user(APIClient(), other_manager).post(f"{LIST}{row.pk}/retire/", {}).status_code == 404
    response = as_user(api, manager).post(f"{LIST}{row.pk}/retire/", {"reason": "已报废"}, format="json")
    assert response.status_code == 200 and response.json()["retired_at"]
    assert APIClient().get(f"{LIST}{row.pk}/").status_code == 404
    # A retired record cannot be changed again: a conflict, explained.
    again = api.post(f"{LIST}{row.pk}/retire/", {}, format="json")
    assert again.status_code == 409 and again.json()["detail"] and again.json()["code"] == "invalid_transition"
    assert api.patch(f"{LIST}{row.pk}/", {"name": "x"}, format="json").status_code == 409


# --- the schema -----------------------------------------------------------------------------------


def test_the_schema_describes_the_catalogue_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert {"/api/v1/categories/", "/api/v1/instruments/", "/api/v1/instruments/{id}/"} <= set(paths)
    assert "post" in paths["/api/v1/instruments/{id}/retire/"]
    parameters = {p["name"] for p in paths["/api/v1/instruments/"]["get"]["parameters"]}
    assert {"search", "category", "district", "unit", "unit_type", "value_min", "value_max"} <= parameters
    assert {"operating_status", "sharing_mode", "online_booking", "sort", "page", "page_size"} <= parameters
    mine = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "instruments/api.py" in message or "InstrumentViewSet" in message or "CategoryViewSet" in message
    ]
    assert mine == []


def test_a_class_code_with_a_nul_character_is_refused_not_a_server_error(api, manager, unit):
    """Found by schemathesis on PostgreSQL, which cannot compare text holding NUL."""
    row = instrument(unit=unit)
    response = as_user(api, manager).put(f"{LIST}{row.pk}/", record(category="01\x0002"), format="json")
    assert response.status_code == 400 and "category" in response.json()["fields"]
