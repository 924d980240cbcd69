"""Migration members 0005: a unit's address keeps the street only; the district is its field."""

import importlib

import pytest
from django.apps import apps

from members import services
from members.models import Unit
from tests.factories import DistrictFactory, MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("members.migrations.0005_unit_address_is_the_street")


def test_the_city_and_district_before_the_street_are_taken_off():
    kundulun = DistrictFactory(name="昆都仑区")
    doubled = UnitFactory(district=kundulun, address="包头市昆都仑区阿尔丁大街7号")
    other = UnitFactory(district=kundulun, address="包头市青山区幸福路8号")
    bare = UnitFactory(district=kundulun, address="昆都仑区")
    before = doubled.history.count()
    migration.clean_addresses(apps, None)
    addresses = dict(Unit.objects.values_list("pk", "address"))
    assert addresses[doubled.pk] == "阿尔丁大街7号"
    assert addresses[other.pk] == "包头市青山区幸福路8号"
    assert addresses[bare.pk] == "昆都仑区"  # nothing but the district: kept, the field is required
    assert doubled.history.count() == before + 1
    assert Unit.objects.get(pk=doubled.pk).display_address == "昆都仑区阿尔丁大街7号"


def test_editing_a_unit_stores_the_street_only():
    kundulun = DistrictFactory(name="昆都仑区")
    unit = UnitFactory(district=kundulun)
    admin = MembershipFactory(unit=unit, role="admin").user
    services.unit_update(actor=admin, unit=unit, address="包头市昆都仑区钢铁大街9号")
    assert Unit.objects.get(pk=unit.pk).address == "钢铁大街9号"
