"""The managers' registry pages through the browser's eyes: dashboard, register, edit, status,
retire, photos and history."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.urls import reverse

from instruments import services
from instruments.models import FeeItem, Instrument, Photo
from tests.factories import PASSWORD

from .factories import CategoryFactory, FeeItemFactory, InstrumentFactory, OpeningHoursFactory, image_upload
from .factories import text_renamed_jpg as text_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    """A logged-in client reading the pages in English (the messages are asserted in English)."""

    def login(user, language="en"):
        client.login(request=HttpRequest(), email=user.email, password=PASSWORD)
        client.cookies["django_language"] = language
        return client

    return login


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def post_data(fields=None, fees=(), hours=(), *, fee_initial=0, extra_rows=1, **more):
    """What the register/edit form sends: the record, then the fee and opening-hours rows."""
    record = {
        "asset_number": "ZC-2022-00042",
        "name": "X射线衍射仪",
        "name_en": "X-ray diffractometer",
        "category": CategoryFactory(code="0103", name="X射线仪器", name_en="X-ray instruments").pk,
        "source": "purchased",
        "original_value": "1260000.00",
        "country_of_origin": "德国",
        "manufacturer": "布鲁克公司",
        "model": "D8 ADVANCE",
        "commissioned_on": "2022-03-15",
        "technical_indicators": "测角仪半径 ≥ 250 mm",
        "functions": "物相定性与定量分析",
        "subject_areas": "材料科学；化学",
        "service_content": "样品测试",
        "typical_results": "",
        "operating_status": "normal",
        "sharing_mode": "external",
        "sharing_rules": "",
        "reference_fees": "",
        "province": "内蒙古自治区",
        "city": "包头市",
        "district": "",
        "street_address": "",
        "contact_person": "陈工",
        "contact_phone": "0472-5951111",
        "contact_email": "",
        "needs_approval": "on",
        "min_slot_minutes": "30",
        "max_slot_minutes": "240",
        "min_lead_hours": "24",
        "max_advance_days": "60",
        "cancel_deadline_hours": "24",
    }
    record.update(fields or {})
    data = {k: v for k, v in record.items() if v is not None}
    fees = list(fees)
    data.update(management("fees", len(fees) + extra_rows, fee_initial))
    for i, row in enumerate(fees):
        data.update({f"fees-{i}-{k}": v for k, v in row.items()})
    for i in range(len(fees), len(fees) + extra_rows):
        data[f"fees-{i}-basis"] = "hour"  # a select always sends its shown choice
    hours = list(hours)
    data.update(management("hours", len(hours) + extra_rows))
    for i, row in enumerate(hours):
        data.update({f"hours-{i}-{k}": v for k, v in row.items()})
    data.update(more)
    return data


# --- Dashboard --------------------------------------------------------------------------------


def test_dashboard_lists_the_units_instruments_with_status_sharing_and_completeness(client_for, manager, unit):
    full = InstrumentFactory(unit=unit, name="场发射扫描电镜", province="内蒙古", city="包头", street_address="1号")
    bare = InstrumentFactory(
        unit=unit, name="旧离心机", name_en="", subject_areas="", service_content="", contact_email="",
        operating_status="awaiting_repair", sharing_mode="internal",
    )  # fmt: skip
    InstrumentFactory(name="别人的仪器")  # another unit's
    response = client_for(manager).get(reverse("instruments:manage_list", args=[unit.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "场发射扫描电镜" in page and "旧离心机" in page and "别人的仪器" not in page
    assert "Awaiting repair" in page and "Internal sharing" in page
    rows = {i.pk: i for i in response.context["page"]}
    assert rows[full.pk].completeness > rows[bare.pk].completeness
    assert reverse("instruments:manage_edit", args=[bare.pk]) in page
    assert "3.85 million yuan" in page  # 3,850,000.00 yuan


def test_dashboard_value_in_wan_keeps_its_decimals(client_for, manager, unit):
    """2,276,600.00 yuan is 227.66万元, not 227.00 (SQLite divided integers in SQL)."""
    InstrumentFactory(unit=unit, original_value=Decimal("2276600.00"))
    url = reverse("instruments:manage_list", args=[unit.pk])
    chinese = client_for(manager, language="zh-hans").get(url).content.decode()
    assert "227.66万元" in chinese and "227.00" not in chinese
    english = client_for(manager).get(url).content.decode()
    assert "2.28 million yuan" in english and "ten thousand" not in english


def test_retired_instruments_have_their_own_tab(client_for, manager, unit):
    InstrumentFactory(unit=unit, name="在用的")
    services.instrument_retire(actor=manager, instrument=InstrumentFactory(unit=unit, name="报废的"), reason="报废")
    client = client_for(manager)
    url = reverse("instruments:manage_list", args=[unit.pk])
    current = client.get(url).content.decode()
    assert "在用的" in current and "报废的" not in current and "Retired (1)" in current
    retired = client.get(url + "?retired=1").content.decode()
    assert "报废的" in retired and "在用的" not in retired


@pytest.mark.parametrize("count", [1, 30])
def test_dashboard_query_count_does_not_grow_with_the_instruments(
    client_for, manager, unit, count, django_assert_num_queries
):
    for i in range(count):
        instrument = InstrumentFactory(unit=unit)
        if i % 2:
            FeeItemFactory(instrument=instrument)
            Photo.objects.create(instrument=instrument, image="instruments/x.jpg")
    client = client_for(manager)
    url = reverse("instruments:manage_list", args=[unit.pk])
    # session, user, unit, role, counts, paginator count, the page's rows (with completeness),
    # the header's unread-notification count
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["page"].object_list) == min(count, 20)


def test_the_list_searches_the_units_own_instruments(client_for, manager, unit, other_unit):
    tem = InstrumentFactory(unit=unit, name="透射电子显微镜", model="JEM-2100F")
    InstrumentFactory(unit=unit, name="X射线衍射仪", model="D8 ADVANCE", category=CategoryFactory(code="0103"))
    InstrumentFactory(unit=other_unit, name="透射电子显微镜", model="JEM-2100F")  # not this unit's
    client = client_for(manager)
    url = reverse("instruments:manage_list", args=[unit.pk])
    for query in ("jem2100", "透射", "电子光学仪器"):
        response = client.get(url, {"q": query})
        assert [i.pk for i in response.context["page"]] == [tem.pk], query
    page = client.get(url, {"q": "no-such-thing"}).content.decode()
    assert "No instrument here matches “no-such-thing”" in page
    assert 'value="no-such-thing"' in page


def test_the_search_keeps_to_the_tab_and_the_tabs_keep_the_search(client_for, manager, unit):
    services.instrument_retire(actor=manager, instrument=InstrumentFactory(unit=unit, name="报废电镜"), reason="报废")
    InstrumentFactory(unit=unit, name="在用电镜")
    client = client_for(manager)
    url = reverse("instruments:manage_list", args=[unit.pk])
    assert [i.name for i in client.get(url, {"q": "电镜"}).context["page"]] == ["在用电镜"]
    retired = client.get(url, {"q": "电镜", "retired": "1"})
    assert [i.name for i in retired.context["page"]] == ["报废电镜"]
    html = retired.content.decode()
    assert '<input type="hidden" name="retired" value="1">' in html
    assert "?q=%E7%94%B5%E9%95%9C" in html  # the in-service tab keeps the words


@pytest.mark.parametrize("count", [1, 30])
def test_a_search_takes_the_same_queries_for_any_number_of_rows(
    client_for, manager, unit, count, django_assert_num_queries
):
    for _ in range(count):
        InstrumentFactory(unit=unit, name="扫描电镜")
    client = client_for(manager)
    url = reverse("instruments:manage_list", args=[unit.pk])
    with django_assert_num_queries(8):  # as without words: the search is part of the rows' query
        response = client.get(url, {"q": "扫描 jsm7900", "page": "2" if count > 20 else "1"})
    assert len(response.context["page"].object_list) == (10 if count > 20 else 1)
    if count > 20:  # the link back to page 1 keeps the words
        assert "q=%E6%89%AB%E6%8F%8F%20jsm7900&amp;page=1" in response.content.decode()


# --- Register ---------------------------------------------------------------------------------


def test_a_manager_registers_an_instrument_with_fees_hours_and_a_photo(client_for, manager, unit):
    client = client_for(manager)
    url = reverse("instruments:manage_create", args=[unit.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    for field in ("asset_number", "customs_supervised", "typical_results", "max_advance_days", "photo-image"):
        assert f'name="{field}"' in form_page.content.decode()
    data = post_data(
        fees=[{"name": "物相分析", "basis": "sample", "internal_price": "150", "external_price": "300.5"}],
        hours=[
            {"weekdays": ["0", "1", "2", "3", "4"], "opens": "08:30", "closes": "12:00"},
            {"weekdays": ["0", "1", "2", "3", "4"], "opens": "14:00", "closes": "17:30"},
            {"weekdays": ["5"], "opens": "09:00", "closes": "11:00"},
        ],
        **{"photo-image": image_upload("JPEG", size=(1200, 900)), "photo-caption": "主机外观"},
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("instruments:manage_list", args=[unit.pk])
    instrument = Instrument.objects.get(asset_number="ZC-2022-00042")
    assert instrument.unit == unit and instrument.model == "D8 ADVANCE"
    assert instrument.commissioned_on == date(2022, 3, 15) and instrument.needs_approval
    assert instrument.subject_areas == "材料科学；化学"
    assert list(instrument.fee_items.values_list("name", "external_price")) == [("物相分析", Decimal("300.50"))]
    assert instrument.opening_hours.count() == 11
    assert instrument.opening_hours.filter(weekday=5).get().closes.hour == 11
    assert instrument.photos.get().caption == "主机外观"
    assert instrument.history.get().history_user == manager


def test_wrong_input_is_marked_beside_the_field_and_nothing_typed_is_lost(client_for, manager, unit):
    InstrumentFactory(unit=unit, asset_number="ZC-DUP")
    data = post_data(
        {
            "asset_number": "ZC-DUP",
            "original_value": "-3",
            "subject_areas": "一；二；三；四；五",
            "min_slot_minutes": "120",
            "max_slot_minutes": "60",
            "manufacturer": "布鲁克公司（原厂）",
        },
        fees=[{"name": "贵", "basis": "hour", "internal_price": "-1", "external_price": "abc"}],
        hours=[
            {"weekdays": ["1"], "opens": "09:00", "closes": "12:00"},
            {"weekdays": ["1"], "opens": "11:00", "closes": "13:00"},
            {"weekdays": ["2", "3"], "opens": "17:00", "closes": "08:00"},
        ],
    )
    response = client_for(manager).post(reverse("instruments:manage_create", args=[unit.pk]), data)
    assert response.status_code == 200
    assert not Instrument.objects.filter(asset_number="ZC-2022-00042").exists()
    assert Instrument.objects.count() == 1
    form = response.context["form"]
    assert "already has an instrument with asset number ZC-DUP" in form.errors["asset_number"][0]
    assert "original_value" in form.errors
    assert "at most 4" in form.errors["subject_areas"][0]
    assert "shorter than the shortest" in form.errors["max_slot_minutes"][0]
    fees = response.context["fees"]
    assert "internal_price" in fees.forms[0].errors and "external_price" in fees.forms[0].errors
    hours = response.context["hours"]
    assert hours.forms[0].errors == {}
    assert "overlaps" in hours.forms[1].errors["opens"][0]
    assert hours.forms[2].errors["closes"] == ["The closing time must be later than the opening time (17:00)."]
    page = response.content.decode()
    # the messages sit beside their fields, and every value typed comes back
    assert 'id="id_subject_areas_errors"' in page and 'id="id_hours-1-opens_errors"' in page
    for typed in (
        'value="布鲁克公司（原厂）"',
        'value="一；二；三；四；五"',
        'value="abc"',
        'value="11:00"',
        'value="D8 ADVANCE"',
    ):
        assert typed in page
    assert 'id="error-summary"' in page


def test_a_text_file_renamed_jpg_is_refused_on_the_register_form(client_for, manager, unit):
    data = post_data(**{"photo-image": text_file(), "photo-caption": ""})
    response = client_for(manager).post(reverse("instruments:manage_create", args=[unit.pk]), data)
    assert response.status_code == 200
    assert "not a JPEG or PNG image" in response.context["photo_form"].errors["image"][0]
    assert not Instrument.objects.exists()


def test_the_register_form_speaks_chinese_by_default(client_for, manager, unit):
    response = client_for(manager, language="zh-hans").get(reverse("instruments:manage_create", args=[unit.pk]))
    assert response.status_code == 200
    assert "登记仪器" in response.content.decode()


def test_a_new_instrument_starts_with_the_units_contact(client_for, manager, unit):
    response = client_for(manager).get(reverse("instruments:manage_create", args=[unit.pk]))
    form = response.context["form"]
    assert form["contact_person"].value() == unit.contact_person
    assert form["street_address"].value() == unit.address


# --- Edit -------------------------------------------------------------------------------------


def edit_data(instrument, **fields):
    """The edit form as the page renders it, with ``fields`` changed."""
    data = post_data(
        {
            "asset_number": instrument.asset_number,
            "name": instrument.name,
            "name_en": instrument.name_en,
            "category": instrument.category_id,
            "model": instrument.model,
            "manufacturer": instrument.manufacturer,
            "country_of_origin": instrument.country_of_origin,
            "original_value": str(instrument.original_value),
            "commissioned_on": instrument.commissioned_on.isoformat(),
            "technical_indicators": instrument.technical_indicators,
            "functions": instrument.functions,
            "subject_areas": instrument.subject_areas,
            **fields,
        },
        extra_rows=0,
    )
    return data


def test_edit_saves_the_changes_and_the_note_goes_into_the_history(client_for, manager, unit):
    instrument = InstrumentFactory(unit=unit)
    fee = FeeItemFactory(instrument=instrument, name="形貌观察")
    FeeItemFactory(instrument=instrument, name="能谱")
    OpeningHoursFactory(instrument=instrument)
    client = client_for(manager)
    url = reverse("instruments:manage_edit", args=[instrument.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["fees"].initial_form_count() == 2 and page.context["hours"].initial_form_count() == 1
    assert "photo" in page.context["missing"] and "name" not in page.context["missing"]

    data = edit_data(instrument, model="JSM-7900F Plus", reason="铭牌更正")
    data.update(management("fees", 2, 2))
    data.update(
        {
            "fees-0-id": fee.pk,
            "fees-0-name": "形貌观察",
            "fees-0-basis": "hour",
            "fees-0-internal_price": "220",
            "fees-0-external_price": "400",
            "fees-1-id": instrument.fee_items.exclude(pk=fee.pk).get().pk,
            "fees-1-name": "能谱",
            "fees-1-basis": "hour",
            "fees-1-internal_price": "200",
            "fees-1-external_price": "400",
            "fees-1-DELETE": "on",
        }
    )
    data.update(management("hours", 1, 1))
    data.update({"hours-0-weekdays": ["0"], "hours-0-opens": "08:30", "hours-0-closes": "12:00"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    instrument.refresh_from_db()
    assert instrument.model == "JSM-7900F Plus"
    assert list(instrument.fee_items.values_list("pk", "internal_price")) == [(fee.pk, Decimal("220.00"))]
    assert instrument.opening_hours.count() == 1  # unchanged rows are kept
    last = instrument.history.order_by("-history_id").first()
    assert last.history_user == manager and last.history_change_reason == "updated+fee_items: 铭牌更正"


def test_a_retired_instrument_cannot_be_edited_through_the_pages(client_for, manager, unit):
    instrument = InstrumentFactory(unit=unit)
    services.instrument_retire(actor=manager, instrument=instrument, reason="报废")
    client = client_for(manager)
    for name in ("manage_edit", "manage_status", "manage_retire", "manage_photos"):
        response = client.get(reverse(f"instruments:{name}", args=[instrument.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("instruments:manage_history", args=[instrument.pk])
    assert client.get(reverse("instruments:manage_history", args=[instrument.pk])).status_code == 200


# --- Status and retire ------------------------------------------------------------------------


def test_change_the_operating_status_with_a_reason(client_for, manager, unit):
    instrument = InstrumentFactory(unit=unit)
    client = client_for(manager)
    url = reverse("instruments:manage_status", args=[instrument.pk])
    assert client.get(url).context["form"].initial["operating_status"] == "normal"
    response = client.post(url, {"operating_status": "awaiting_repair", "reason": "X光管更换"})
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert instrument.operating_status == "awaiting_repair"
    # the same status again is refused beside the field
    again = client.post(url, {"operating_status": "awaiting_repair"})
    assert "already" in again.context["form"].errors["operating_status"][0]


def test_retire_asks_for_confirmation_first(client_for, manager, unit):
    instrument = InstrumentFactory(unit=unit)
    client = client_for(manager)
    url = reverse("instruments:manage_retire", args=[instrument.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and instrument.asset_number in confirm.content.decode()
    instrument.refresh_from_db()
    assert not instrument.is_retired
    assert client.post(url, {"reason": ""}).context["form"].errors["reason"]
    response = client.post(url, {"reason": "经资产处批准报废"})
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert instrument.is_retired


# --- Photos -----------------------------------------------------------------------------------


def test_photos_page_adds_real_images_and_refuses_renamed_text(client_for, manager, unit):
    instrument = InstrumentFactory(unit=unit)
    client = client_for(manager)
    url = reverse("instruments:manage_photos", args=[instrument.pk])
    refused = client.post(url, {"image": text_file("说明.jpg"), "caption": "假图"})
    assert refused.status_code == 200
    assert "not a JPEG or PNG image" in refused.context["form"].errors["image"][0]
    assert not instrument.photos.exists()
    accepted = client.post(url, {"image": image_upload("PNG", size=(800, 600), noise=True), "caption": "全景"})
    assert accepted.status_code == 302
    photo = instrument.photos.get()
    assert photo.thumbnail.name.endswith("-thumb.jpg")
    page = client.get(url).content.decode()
    assert photo.thumbnail.url in page and "全景" in page
    removed = client.post(reverse("instruments:manage_photo_remove", args=[instrument.pk, photo.pk]))
    assert removed.status_code == 302 and not instrument.photos.exists()


def test_removing_a_photo_needs_a_post(client_for, manager, unit):
    instrument = InstrumentFactory(unit=unit)
    photo = Photo.objects.create(instrument=instrument, image="instruments/x.jpg")
    response = client_for(manager).get(reverse("instruments:manage_photo_remove", args=[instrument.pk, photo.pk]))
    assert response.status_code == 405 and Photo.objects.filter(pk=photo.pk).exists()


def test_a_photo_of_another_instrument_cannot_be_removed_through_mine(client_for, manager, unit):
    mine = InstrumentFactory(unit=unit)
    theirs = Photo.objects.create(instrument=InstrumentFactory(unit=unit), image="instruments/y.jpg")
    response = client_for(manager).post(reverse("instruments:manage_photo_remove", args=[mine.pk, theirs.pk]))
    assert response.status_code == 404 and Photo.objects.filter(pk=theirs.pk).exists()


# --- History ----------------------------------------------------------------------------------


def test_history_page_shows_who_when_and_what_changed(client_for, manager, unit_admin, unit):
    instrument = services.instrument_create(
        actor=manager,
        unit=unit,
        fields={
            name: getattr(InstrumentFactory.build(unit=unit, category=CategoryFactory()), name)
            for name in services.INSTRUMENT_FIELDS
        },
        fee_items=[{"name": "形貌观察", "basis": "hour", "internal_price": "200", "external_price": "400"}],
    )
    fee = instrument.fee_items.get()
    services.instrument_update(
        actor=unit_admin,
        instrument=instrument,
        fields={"model": "JSM-IT800", "sharing_mode": "internal"},
        fee_items=[
            {"id": fee.pk, "name": "形貌观察", "basis": "hour", "internal_price": "250", "external_price": "400"}
        ],
        reason="年度核对",
    )
    services.instrument_set_status(actor=manager, instrument=instrument, operating_status="standby")
    response = client_for(unit_admin).get(reverse("instruments:manage_history", args=[instrument.pk]))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e.user for e in entries] == [manager, unit_admin, manager]
    status_change, edit, created = entries
    assert [(c.label, c.old, c.new) for c in status_change.changes] == [("operating status", "Normal", "Standby")]
    assert {(c.label, c.old, c.new) for c in edit.changes} == {
        ("model / specification", "JSM-7900F", "JSM-IT800"),
        ("sharing mode", "External sharing", "Internal sharing"),
    }
    assert edit.reasons == ["Record edited", "Fee items changed"] and edit.note == "年度核对"
    assert [(f["kind"], f["name"]) for f in edit.fee_changes] == [("~", "形貌观察")]
    assert [(c.old, c.new) for c in edit.fee_changes[0]["changes"]] == [("200.00", "250.00")]
    assert [(f["kind"], f["name"]) for f in created.fee_changes] == [("+", "形貌观察")]
    assert created.reasons == ["Registered"]
    page = response.content.decode()
    assert "JSM-IT800" in page and unit_admin.name in page and "年度核对" in page


def test_history_page_query_count_is_fixed(client_for, manager, unit, django_assert_num_queries):
    instrument = InstrumentFactory(unit=unit)
    for n in range(25):
        services.instrument_update(actor=manager, instrument=instrument, fields={"model": f"M-{n}"})
        services.instrument_update(
            actor=manager,
            instrument=instrument,
            fields={},
            fee_items=[{"name": f"项{n}", "basis": "hour", "internal_price": n, "external_price": n}],
        )
    client = client_for(manager)
    url = reverse("instruments:manage_history", args=[instrument.pk])
    # session, user, instrument, role, count, page, record before, record after, fee history,
    # classes (no district is named, so none is looked up), the header's unread-notification count
    with django_assert_num_queries(11):
        first = client.get(url)
    with django_assert_num_queries(11):
        client.get(url + "?page=2")
    assert len(first.context["entries"]) == 20
    assert FeeItem.history.filter(instrument_id=instrument.pk).count() > 25
