"""Fee computation from fee items: internal vs external price, per hour, sample and day."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookings import fees
from instruments.models import FeeItem

from .factories import FeeItemFactory, InstrumentFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2030, 3, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def priced(owner_unit):
    instrument = InstrumentFactory(unit=owner_unit)
    FeeItemFactory(
        instrument=instrument, name="机时", basis=FeeItem.Basis.HOUR, internal_price="150.00", external_price="333.33"
    )
    FeeItemFactory(
        instrument=instrument, name="制样", basis=FeeItem.Basis.SAMPLE, internal_price="20.00", external_price="50.00"
    )
    FeeItemFactory(
        instrument=instrument, name="场地", basis=FeeItem.Basis.DAY, internal_price="0.00", external_price="1000.00"
    )
    return instrument


def test_external_price_for_another_unit(priced, enterprise):
    total, lines = fees.estimate(priced, unit=enterprise, start=T0, end=T0 + timedelta(minutes=100), samples=3)
    # 333.33 × 100/60 h = 555.55; 3 × 50; 1 day begun × 1000
    assert [line.amount for line in lines] == [Decimal("555.55"), Decimal("150.00"), Decimal("1000.00")]
    assert total == Decimal("1705.55")


def test_internal_price_for_the_owner_unit(priced, owner_unit):
    total, lines = fees.estimate(priced, unit=owner_unit, start=T0, end=T0 + timedelta(hours=2), samples=1)
    assert total == Decimal("320.00")  # 2 × 150 + 1 × 20 + 0


def test_days_are_counted_by_each_24_hours_begun():
    assert fees.days_begun(T0, T0 + timedelta(hours=24)) == 1
    assert fees.days_begun(T0, T0 + timedelta(hours=24, minutes=1)) == 2
    assert fees.days_begun(T0, T0 + timedelta(minutes=5)) == 1


def test_amounts_round_half_up_to_the_fen():
    assert fees.quantize(Decimal("0.005")) == Decimal("0.01")
    assert fees.quantize(Decimal("2.344999")) == Decimal("2.34")
    assert isinstance(fees.hours_between(T0, T0 + timedelta(minutes=20)), Decimal)


def test_no_fee_items_cost_nothing(owner_unit, enterprise):
    instrument = InstrumentFactory(unit=owner_unit)
    total, lines = fees.estimate(instrument, unit=enterprise, start=T0, end=T0 + timedelta(hours=1), samples=0)
    assert (total, lines) == (Decimal("0.00"), [])
