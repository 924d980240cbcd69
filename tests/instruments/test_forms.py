"""The registry forms: every mistake reported beside its input, with the services' own rules."""

from datetime import time

import pytest
from django.utils.translation import override

from instruments.forms import InstrumentForm, PhotoForm, fee_item_formset, opening_hours_formset
from instruments.models import Category, Instrument

from .factories import CategoryFactory, FeeItemFactory, InstrumentFactory, OpeningHoursFactory, image_upload
from .factories import text_renamed_jpg as text_file
from .test_manage_views import management, post_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


def instrument_form(unit, **fields):
    data = {k: v for k, v in post_data(fields).items() if not k.startswith(("fees-", "hours-"))}
    return InstrumentForm(data, unit=unit, instance=Instrument(unit=unit))


def test_a_complete_record_is_valid_and_gives_the_services_fields(unit):
    form = instrument_form(unit)
    assert form.is_valid(), form.errors
    fields = form.service_fields()
    assert fields["name"] == "X射线衍射仪" and fields["needs_approval"] is True
    assert fields["category"].code == "0103"


@pytest.mark.parametrize(
    "name",
    [
        "asset_number",
        "name",
        "category",
        "original_value",
        "country_of_origin",
        "manufacturer",
        "model",
        "commissioned_on",
        "technical_indicators",
        "functions",
        "contact_person",
        "contact_phone",
    ],
)
def test_the_required_items_of_the_national_record(unit, name):
    form = instrument_form(unit, **{name: ""})
    assert not form.is_valid()
    assert list(form.errors) == [name]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"name": "长" * 51}, "name", "at most 50"),
        ({"model": "M" * 101}, "model", "at most 100"),
        ({"technical_indicators": "指" * 501}, "technical_indicators", "at most 500"),
        ({"functions": "功" * 301}, "functions", "at most 300"),
        ({"service_content": "服" * 201}, "service_content", "at most 200"),
        ({"original_value": "-0.01"}, "original_value", "greater than or equal to 0"),
        ({"original_value": "12.345"}, "original_value", "2 decimal places"),
        ({"commissioned_on": "2022-13-01"}, "commissioned_on", "valid date"),
        ({"subject_areas": "一；二；三；四；五"}, "subject_areas", "at most 4"),
        ({"min_slot_minutes": "240", "max_slot_minutes": "60"}, "max_slot_minutes", "shorter than the shortest"),
        ({"max_advance_days": "400"}, "max_advance_days", "less than or equal to 366"),
        ({"contact_email": "not-an-address"}, "contact_email", "valid email"),
        ({"contact_phone": "请联系赵老师"}, "contact_phone", "is not a phone number"),
        ({"commissioned_on": "2199-01-01"}, "commissioned_on", "in the future"),
    ],
)
def test_wrong_values_are_named_beside_their_field(unit, fields, field, words):
    form = instrument_form(unit, **fields)
    assert not form.is_valid()
    assert field in form.errors, form.errors
    assert words in " ".join(form.errors[field])


def test_an_asset_number_typed_with_full_width_digits_and_spaces_is_stored_normalised(unit):
    InstrumentFactory(unit=unit, asset_number="ZC2023001")
    form = instrument_form(unit, asset_number="ZC２０２３ 001")
    assert not form.is_valid() and "ZC2023001" in form.errors["asset_number"][0]
    form = instrument_form(unit, asset_number="ZC２０２３ 002")
    assert form.is_valid(), form.errors
    assert form.service_fields()["asset_number"] == "ZC2023002"


def test_the_asset_number_is_checked_within_the_unit_only(unit, other_unit):
    InstrumentFactory(unit=unit, asset_number="ZC-1")
    form = instrument_form(unit, asset_number="ZC-1")
    assert not form.is_valid() and "ZC-1" in form.errors["asset_number"][0]
    assert instrument_form(other_unit, asset_number="ZC-1").is_valid()


def test_editing_keeps_its_own_asset_number(unit):
    instrument = InstrumentFactory(unit=unit, asset_number="ZC-7")
    data = {k: v for k, v in post_data({"asset_number": "ZC-7"}).items() if not k.startswith(("fees-", "hours-"))}
    assert InstrumentForm(data, unit=unit, instance=instrument).is_valid()


def test_classes_are_grouped_under_their_main_class(unit):
    CategoryFactory(code="0102", name="质谱仪器")
    form = InstrumentForm(unit=unit, instance=Instrument(unit=unit))
    groups = dict(form.fields["category"].choices[1:])
    analytical = groups["01 分析仪器"]
    assert [label for _, label in analytical][:3] == ["01 分析仪器", "0101 电子光学仪器", "0102 质谱仪器"]
    assert Category.objects.filter(parent__isnull=True).count() == len(groups)


def fees_formset(rows, instrument=None, initial=0):
    data = management("fees", len(rows), initial)
    for i, row in enumerate(rows):
        data.update({f"fees-{i}-{k}": v for k, v in row.items()})
    return fee_item_formset(data, instrument=instrument)


def hours_formset(rows, instrument=None, initial=0):
    data = management("hours", len(rows), initial)
    for i, row in enumerate(rows):
        data.update({f"hours-{i}-{k}": v for k, v in row.items()})
    return opening_hours_formset(data, instrument=instrument)


def test_empty_fee_rows_are_ignored_and_filled_ones_returned():
    formset = fees_formset(
        [
            {"name": "测试", "basis": "sample", "internal_price": "10", "external_price": "20.5"},
            {"name": "", "basis": "hour", "internal_price": "", "external_price": ""},
        ]
    )
    assert formset.is_valid(), formset.errors
    rows = formset.rows()
    assert [(r["name"], str(r["external_price"])) for r in rows] == [("测试", "20.5")]


def test_fee_rows_report_each_wrong_price_beside_it():
    formset = fees_formset(
        [
            {"name": "", "basis": "hour", "internal_price": "5", "external_price": "5"},
            {"name": "负数", "basis": "hour", "internal_price": "-5", "external_price": "x"},
        ]
    )
    assert not formset.is_valid()
    assert "name" in formset.forms[0].errors
    assert "greater than or equal to 0" in formset.forms[1].errors["internal_price"][0]
    assert "external_price" in formset.forms[1].errors


def test_existing_fee_rows_are_kept_unless_deleted(unit):
    instrument = InstrumentFactory(unit=unit)
    first, second = FeeItemFactory(instrument=instrument), FeeItemFactory(instrument=instrument, name="制样")
    rendered = fee_item_formset(instrument=instrument)
    assert rendered.initial_form_count() == 2 and len(rendered.forms) == 3
    formset = fees_formset(
        [
            {"id": first.pk, "name": first.name, "basis": "hour", "internal_price": "200", "external_price": "400"},
            {
                "id": second.pk,
                "name": "制样",
                "basis": "hour",
                "internal_price": "1",
                "external_price": "1",
                "DELETE": "on",
            },
        ],
        instrument=instrument,
        initial=2,
    )
    assert formset.is_valid(), formset.errors
    assert [r["id"] for r in formset.rows()] == [first.pk]


def test_one_row_opens_several_days():
    formset = hours_formset(
        [
            {"weekdays": ["0", "1", "2", "3", "4"], "opens": "08:30", "closes": "12:00"},
            {"weekdays": ["0", "1", "2", "3", "4"], "opens": "14:00", "closes": "17:30"},
            {"weekdays": [], "opens": "", "closes": ""},
        ]
    )
    assert formset.is_valid(), formset.errors
    rows = formset.rows()
    assert len(rows) == 10
    assert {(r["weekday"], f"{r['opens']:%H:%M}") for r in rows if r["weekday"] == 4} == {(4, "08:30"), (4, "14:00")}


def test_opening_hours_rows_check_order_and_overlap_beside_the_row():
    formset = hours_formset(
        [
            {"weekdays": ["0", "1"], "opens": "08:00", "closes": "12:00"},
            {"weekdays": ["1"], "opens": "11:30", "closes": "14:00"},
            {"weekdays": ["4", "5", "6"], "opens": "18:00", "closes": "09:00"},
            {"weekdays": [], "opens": "", "closes": ""},
        ]
    )
    assert not formset.is_valid()
    assert formset.forms[0].errors == {}
    assert formset.forms[1].errors["opens"] == ["This period overlaps Tuesday 08:00–12:00."]
    # one mistake on three days is reported once
    assert formset.forms[2].errors["closes"] == ["The closing time must be later than the opening time (18:00)."]
    assert formset.forms[3].errors == {}


def test_an_opening_period_needs_its_days_and_both_times():
    formset = hours_formset([{"weekdays": [], "opens": "08:00", "closes": ""}])
    assert not formset.is_valid()
    assert {"weekdays", "closes"} <= set(formset.forms[0].errors)


def test_existing_opening_hours_are_gathered_by_times_for_editing(unit):
    instrument = InstrumentFactory(unit=unit)
    for day in (0, 1, 2):
        OpeningHoursFactory(instrument=instrument, weekday=day)
    OpeningHoursFactory(instrument=instrument, weekday=5, opens=time(9), closes=time(11))
    formset = opening_hours_formset(instrument=instrument)
    assert formset.initial_form_count() == 2
    assert formset.initial[0]["weekdays"] == [0, 1, 2] and formset.initial[1]["weekdays"] == [5]
    assert 'value="08:30"' in str(formset.forms[0]["opens"])
    # only existing rows can be deleted; empty new rows need no checkbox
    assert "DELETE" in formset.forms[0].fields and "DELETE" not in formset.forms[-1].fields


def test_photo_form_checks_the_content():
    refused = PhotoForm({}, {"image": text_file()}, required=True)
    assert not refused.is_valid() and "not a JPEG or PNG" in refused.errors["image"][0]
    gif = PhotoForm({}, {"image": image_upload("GIF", name="x.jpg")}, required=True)
    assert not gif.is_valid() and "GIF" in gif.errors["image"][0]
    for fmt in ("PNG", "JPEG"):
        assert PhotoForm({"caption": "正面"}, {"image": image_upload(fmt)}, required=True).is_valid()
    assert PhotoForm({}, {}).is_valid()  # optional on the register form
    assert not PhotoForm({}, {}, required=True).is_valid()
