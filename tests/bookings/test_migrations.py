"""Migration 0003: existing bookings and service records get one chosen service (the instrument's
first fee item) and their amounts are recomputed from it instead of the sum of the list."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps

from bookings.models import ChosenService

from .conftest import local_dt
from .factories import BookingFactory, InstrumentFactory, ServiceRecordFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("bookings.migrations.0003_chosen_services")
START = local_dt(date(2030, 3, 6), 9)


def old_record(instrument, unit, amount, reason=""):
    return ServiceRecordFactory(
        instrument=instrument,
        started_at=START,
        ended_at=START + timedelta(hours=2),
        hours=Decimal("2"),
        measurement_hours=Decimal("2"),
        user_unit=unit,
        computed_amount=Decimal("4920.00"),
        amount=amount,
        amount_reason=reason,
    )


def test_each_booking_and_record_gets_the_first_item_and_recomputed_amounts(tem, enterprise, owner_unit):
    booking = BookingFactory(
        instrument=tem,
        unit=enterprise,
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        fee_estimate=Decimal("4920.00"),  # the old sum of all three items
        chosen=[],
    )
    charged = old_record(tem, enterprise, Decimal("4920.00"))
    overridden = old_record(tem, enterprise, Decimal("3000.00"), reason="协议价")
    internal = old_record(tem, owner_unit, Decimal("4920.00"))
    bare = InstrumentFactory(unit=owner_unit)
    untouched = old_record(bare, enterprise, Decimal("100.00"))

    migration.give_one_chosen_service(apps, None)

    booking.refresh_from_db()
    chosen = booking.chosen_services.get()
    assert (chosen.name, chosen.unit_price, chosen.fee_item.name) == ("高分辨成像", Decimal("790.00"), "高分辨成像")
    assert booking.fee_estimate == Decimal("1580.00")
    for record in (charged, overridden, internal, untouched):
        record.refresh_from_db()
    assert (charged.computed_amount, charged.amount) == (Decimal("1580.00"), Decimal("1580.00"))
    assert (overridden.computed_amount, overridden.amount) == (Decimal("1580.00"), Decimal("3000.00"))
    assert internal.amount == Decimal("1000.00")  # 2 h × 500 internal
    assert untouched.amount == Decimal("100.00") and not untouched.chosen_services.exists()
    assert ChosenService.objects.count() == 4
