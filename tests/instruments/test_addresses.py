"""An instrument's address is stored as province, city, district and street once, and shown once:
the services take a repeated area off the street, the form offers the unit's street, the pages
and the Uniquip export compose one line, and migration 0010 cleans the records written before."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from instruments import exporting, services
from instruments.forms import InstrumentForm
from instruments.models import Instrument
from tests.factories import DistrictFactory, UnitFactory

from .factories import InstrumentFactory
from .test_exporting import csv_rows
from .test_services import record

pytestmark = pytest.mark.django_db

migration = importlib.import_module("instruments.migrations.0010_street_address_once")


@pytest.fixture
def kundulun(db):
    return DistrictFactory(name="昆都仑区")


def located(unit, district, street):
    return InstrumentFactory(
        unit=unit, province="内蒙古自治区", city="包头市", district=district, street_address=street
    )


def test_a_street_repeating_the_records_own_areas_is_stored_without_them(manager, unit, kundulun):
    fields = record(district=kundulun, street_address="内蒙古自治区包头市昆都仑区示范路1号")
    instrument = services.instrument_create(actor=manager, unit=unit, fields=fields)
    assert instrument.street_address == "示范路1号"
    updated = services.instrument_update(
        actor=manager, instrument=instrument, fields={"street_address": "包头市 昆都仑区 示范路2号"}
    )
    assert Instrument.objects.get(pk=updated.pk).street_address == "示范路2号"
    # A name the record does not hold stays: nothing is lost.
    other = services.instrument_create(
        actor=manager, unit=unit, fields=record(asset_number="X-2", city="", street_address="包头市示范路3号")
    )
    assert other.street_address == "包头市示范路3号"


def test_the_form_offers_the_units_district_and_street_and_the_last_province_and_city(unit, kundulun):
    assert InstrumentForm(unit=unit).initial["street_address"] == unit.address
    InstrumentFactory(unit=unit, province="内蒙古自治区", city="包头市")
    initial = InstrumentForm(unit=unit).initial
    assert (initial["province"], initial["city"], initial["district"]) == ("内蒙古自治区", "包头市", unit.district_id)
    assert initial["street_address"] == unit.address == "阿尔丁大街7号"


def test_the_instrument_page_shows_the_address_once(client, unit, kundulun):
    instrument = located(unit, kundulun, "包头市昆都仑区示范路1号A座201室")  # an old, doubled record
    html = client.get(reverse("instruments:detail", args=[instrument.pk])).content.decode()
    location = re.search(r'id="instrument-location">([^<]*)<', html).group(1)
    assert location == "内蒙古自治区包头市昆都仑区示范路1号A座201室"
    unit_address = re.search(r'id="unit-address">([^<]*)<', html).group(1)
    assert unit_address == f"{unit.district.name}阿尔丁大街7号"


def test_the_unit_profile_shows_its_address_once(client, settings):
    settings.PLATFORM_CITY = "包头市"
    unit = UnitFactory(district=DistrictFactory(name="九原区"), address="建华南路1号")
    html = client.get(unit.get_absolute_url()).content.decode()
    assert re.search(r'id="unit-address">([^<]*)<', html).group(1) == "包头市九原区建华南路1号"


def test_the_uniquip_location_does_not_repeat_the_areas(unit, kundulun):
    located(unit, kundulun, "包头市昆都仑区示范路1号")
    rows = csv_rows(exporting.registry_export_response(Instrument.objects.all(), "uniquip"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Location"] == "内蒙古自治区包头市昆都仑区示范路1号"


def test_migration_0010_takes_the_repeated_areas_off_and_keeps_a_history_row(unit, kundulun):
    unit.district = kundulun
    unit.save()
    doubled = located(unit, kundulun, "示范路1号A座201室")
    Instrument.objects.filter(pk=doubled.pk).update(street_address="包头市昆都仑区示范路1号A座201室")
    no_district = InstrumentFactory(unit=unit, district=None, street_address="包头市昆都仑区示范路2号")
    clean = located(unit, kundulun, "示范路3号")
    elsewhere = InstrumentFactory(unit=unit, street_address="包头市青山区幸福路8号")
    history_before = doubled.history.count()

    migration.clean_streets(apps, None)

    streets = dict(Instrument.objects.values_list("pk", "street_address"))
    assert streets[doubled.pk] == "示范路1号A座201室"
    assert streets[no_district.pk] == "示范路2号"  # the unit's district, with the city typed before it
    assert streets[clean.pk] == "示范路3号"
    assert streets[elsewhere.pk] == "包头市青山区幸福路8号"  # another district: left alone
    assert doubled.history.count() == history_before + 1
    assert Instrument.objects.get(pk=doubled.pk).display_address == "内蒙古自治区包头市昆都仑区示范路1号A座201室"
    migration.clean_streets(apps, None)  # twice is once
    assert dict(Instrument.objects.values_list("pk", "street_address")) == streets
