"""Migration 0008: existing asset numbers typed with full-width digits or spaces are normalised."""

import importlib

import pytest
from django.apps import apps

from instruments.models import Instrument
from tests.instruments.factories import InstrumentFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("instruments.migrations.0008_normalise_asset_numbers")


def test_full_width_and_spaced_numbers_are_normalised_with_history_unless_taken(unit, other_unit):
    typed = InstrumentFactory(unit=unit, asset_number="ZC２０２３ 001")
    clash = InstrumentFactory(unit=unit, asset_number="ZC 2023 002")
    InstrumentFactory(unit=unit, asset_number="ZC2023002")  # the unit already has the normal form
    elsewhere = InstrumentFactory(unit=other_unit, asset_number="ZC２０２３００２")

    migration.normalise(apps, None)

    assert Instrument.objects.get(pk=typed.pk).asset_number == "ZC2023001"
    assert Instrument.objects.get(pk=clash.pk).asset_number == "ZC 2023 002"  # left for the unit to decide
    assert Instrument.objects.get(pk=elsewhere.pk).asset_number == "ZC2023002"
    latest = Instrument.objects.get(pk=typed.pk).history.first()
    assert latest.asset_number == "ZC2023001" and "normalised" in latest.history_change_reason
