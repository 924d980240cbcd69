"""The change history of an instrument: every write records who, when and what changed."""

from datetime import time

import pytest
from django.utils.translation import override

from instruments import selectors, services
from instruments.models import FeeItem

from .factories import CategoryFactory, InstrumentFactory, image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


def entries(instrument):
    return selectors.instrument_history_entries(
        instrument=instrument, records=selectors.instrument_history(instrument=instrument)
    )


def test_each_service_leaves_an_entry_with_its_author(unit, manager, unit_admin):
    instrument = InstrumentFactory(unit=unit)
    services.instrument_update(actor=manager, instrument=instrument, fields={"name": "冷场扫描电镜"})
    services.instrument_update(
        actor=unit_admin,
        instrument=instrument,
        fields={},
        opening_hours=[{"weekday": 0, "opens": time(9), "closes": time(17)}],
    )
    photo = services.photo_add(actor=manager, instrument=instrument, image_file=image_upload(), caption="正面")
    services.photo_remove(actor=unit_admin, photo=photo)
    services.instrument_set_status(actor=manager, instrument=instrument, operating_status="remote")
    services.instrument_retire(actor=unit_admin, instrument=instrument, reason="调拨给兄弟单位")
    got = [(e.user, e.reasons, e.note) for e in entries(instrument)]
    assert got == [
        (unit_admin, ["Retired"], "调拨给兄弟单位"),
        (manager, ["Operating status changed"], ""),
        (unit_admin, ["Photo removed"], "正面"),
        (manager, ["Photo added"], "正面"),
        (unit_admin, ["Opening hours changed"], ""),
        (manager, ["Record edited"], ""),
        (None, [], ""),  # made by the factory, outside any service
    ]


def test_entries_say_what_changed_from_what_to_what(unit, manager):
    instrument = InstrumentFactory(unit=unit)
    services.instrument_update(
        actor=manager,
        instrument=instrument,
        fields={
            "category": CategoryFactory(code="0102", name="质谱仪器"),
            "customs_supervised": True,
            "original_value": "4000000.5",
            "source": "donated",
        },
    )
    latest = entries(instrument)[0]
    assert {(c.label, c.old, c.new) for c in latest.changes} == {
        ("instrument class", "0101 Electron optics", "0102 Mass spectrometry"),  # in the reader's language
        ("under customs supervision", "No", "Yes"),
        ("original value (yuan)", "3850000.00", "4000000.50"),
        ("source", "Purchased", "Donated"),
    }


def test_retiring_shows_when(unit, manager):
    instrument = InstrumentFactory(unit=unit)
    services.instrument_retire(actor=manager, instrument=instrument, reason="报废")
    change = entries(instrument)[0].changes
    assert [c.label for c in change] == ["retired at"] and change[0].old == "—"


def test_fee_item_changes_belong_to_the_step_that_made_them(unit, manager, unit_admin):
    instrument = services.instrument_create(
        actor=manager,
        unit=unit,
        fields={
            name: getattr(InstrumentFactory.build(unit=unit, category=CategoryFactory()), name)
            for name in services.INSTRUMENT_FIELDS
        },
        fee_items=[
            {"name": "形貌", "basis": "hour", "internal_price": 100, "external_price": 200},
            {"name": "能谱", "basis": "hour", "internal_price": 100, "external_price": 200},
        ],
    )
    shape, eds = instrument.fee_items.order_by("pk")
    services.instrument_update(actor=manager, instrument=instrument, fields={"model": "IT800"})
    services.instrument_update(
        actor=unit_admin,
        instrument=instrument,
        fields={},
        fee_items=[
            {"id": shape.pk, "name": "形貌观察", "basis": "sample", "internal_price": 100, "external_price": 200}
        ],
    )
    fee_step, model_step, created = entries(instrument)
    assert model_step.fee_changes == []
    assert [(f["kind"], f["name"]) for f in created.fee_changes] == [("+", "形貌"), ("+", "能谱")]
    assert "internal 100.00, external 200.00 yuan per hour" in created.fee_changes[0]["summary"]
    kinds = {(f["kind"], f["name"]) for f in fee_step.fee_changes}
    assert kinds == {("~", "形貌观察"), ("-", "能谱")}
    change = next(f for f in fee_step.fee_changes if f["kind"] == "~")
    assert {(c.label, c.old, c.new) for c in change["changes"]} == {
        ("item", "形貌", "形貌观察"),
        ("charged", "per hour", "per sample"),
    }
    assert FeeItem.history.filter(id=eds.pk, history_type="-").get().history_user == unit_admin


def test_reasons_written_by_other_doors_are_shown_as_they_are(unit, manager):
    instrument = InstrumentFactory(unit=unit)
    instrument._change_reason = "Spreadsheet import: 2024.xlsx"
    instrument.name = "导入改名"
    instrument.save()
    latest = entries(instrument)[0]
    assert latest.reasons == [] and latest.note == "Spreadsheet import: 2024.xlsx"


def test_pages_of_history_link_up_without_gaps(unit, manager):
    instrument = InstrumentFactory(unit=unit)
    for n in range(5):
        services.instrument_update(actor=manager, instrument=instrument, fields={"model": f"M{n}"})
    records = list(selectors.instrument_history(instrument=instrument))
    first_page = selectors.instrument_history_entries(instrument=instrument, records=records[:3])
    second_page = selectors.instrument_history_entries(instrument=instrument, records=records[3:])
    # the oldest entry of the first page compares with the newest of the second
    assert [(c.old, c.new) for c in first_page[-1].changes] == [("M1", "M2")]
    assert [(c.old, c.new) for c in second_page[0].changes] == [("M0", "M1")]
    assert second_page[-1].changes == []  # the creation
