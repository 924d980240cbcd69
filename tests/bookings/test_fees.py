"""Fees of the chosen services: alternatives, never the sum of the list; internal vs external price;
per hour, sample and day."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookings import fees
from bookings.exceptions import DomainError
from instruments.models import FeeItem

from .conftest import fee_items
from .factories import FeeItemFactory, InstrumentFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2030, 3, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_two_hours_of_one_service_cost_that_service_only(tem, enterprise):
    quote = fees.estimate(
        tem, unit=enterprise, start=T0, end=T0 + timedelta(hours=2), samples=0, fee_items=fee_items(tem, "高分辨成像")
    )
    assert quote.total == Decimal("1580.00")  # not 4,920.00, the sum of the list
    assert [(s.name, s.unit_price) for s in quote.services] == [("高分辨成像", Decimal("790.00"))]


def test_two_chosen_services_add_exactly_those_two(tem, enterprise):
    chosen = fee_items(tem, "高分辨成像", "电子衍射")
    quote = fees.estimate(tem, unit=enterprise, start=T0, end=T0 + timedelta(hours=2), samples=0, fee_items=chosen)
    assert [line.amount for line in quote.lines] == [Decimal("1580.00"), Decimal("1740.00")]
    assert quote.total == Decimal("3320.00")


def test_ids_choose_as_well_as_items(tem, enterprise):
    ids = [item.pk for item in fee_items(tem, "电子衍射")]
    quote = fees.estimate(tem, unit=enterprise, start=T0, end=T0 + timedelta(hours=1), samples=0, fee_items=ids)
    assert quote.total == Decimal("870.00")


def test_internal_price_for_the_owner_unit(tem, owner_unit):
    chosen = fee_items(tem, "高分辨成像")
    quote = fees.estimate(tem, unit=owner_unit, start=T0, end=T0 + timedelta(hours=2), samples=0, fee_items=chosen)
    assert quote.total == Decimal("1000.00")


def test_per_sample_items_count_samples(owner_unit, enterprise):
    instrument = InstrumentFactory(unit=owner_unit)
    FeeItemFactory(instrument=instrument, name="制样", basis=FeeItem.Basis.SAMPLE, external_price="50.00")
    quote = fees.estimate(instrument, unit=enterprise, start=T0, end=T0 + timedelta(hours=5), samples=3)
    assert quote.total == Decimal("150.00")  # 3 samples × 50, whatever the hours


def test_per_day_items_count_days_begun(owner_unit, enterprise):
    instrument = InstrumentFactory(unit=owner_unit)
    FeeItemFactory(instrument=instrument, name="场地", basis=FeeItem.Basis.DAY, external_price="1000.00")
    quote = fees.estimate(instrument, unit=enterprise, start=T0, end=T0 + timedelta(hours=25), samples=3)
    assert quote.total == Decimal("2000.00")  # 2 days begun


def test_hours_are_exact_and_each_line_is_rounded_half_up(owner_unit, enterprise):
    instrument = InstrumentFactory(unit=owner_unit)
    FeeItemFactory(instrument=instrument, name="机时", external_price="333.33")
    quote = fees.estimate(instrument, unit=enterprise, start=T0, end=T0 + timedelta(minutes=100), samples=0)
    assert quote.total == Decimal("555.55")  # 333.33 × 100/60 h = 555.55
    assert isinstance(fees.hours_between(T0, T0 + timedelta(minutes=20)), Decimal)


def test_the_only_item_is_chosen_by_default(owner_unit, enterprise):
    instrument = InstrumentFactory(unit=owner_unit)
    only = FeeItemFactory(instrument=instrument)
    assert fees.chosen_fee_items(instrument, None, required=True) == [only]


def test_several_items_need_a_choice(tem):
    with pytest.raises(DomainError) as err:
        fees.chosen_fee_items(tem, None, required=True)
    assert err.value.field == "fee_items"
    assert fees.chosen_fee_items(tem, None, required=False) == []
    with pytest.raises(DomainError):
        fees.chosen_fee_items(tem, [], required=False)


def test_items_of_another_instrument_are_refused(tem, owner_unit):
    other = FeeItemFactory(instrument=InstrumentFactory(unit=owner_unit))
    with pytest.raises(DomainError) as err:
        fees.chosen_fee_items(tem, [other.pk], required=True)
    assert err.value.field == "fee_items" and str(other.pk) in str(err.value.message)


def test_days_are_counted_by_each_24_hours_begun():
    assert fees.days_begun(T0, T0 + timedelta(hours=24)) == 1
    assert fees.days_begun(T0, T0 + timedelta(hours=24, minutes=1)) == 2
    assert fees.days_begun(T0, T0 + timedelta(minutes=5)) == 1


def test_no_fee_items_cost_nothing(owner_unit, enterprise):
    instrument = InstrumentFactory(unit=owner_unit)
    quote = fees.estimate(instrument, unit=enterprise, start=T0, end=T0 + timedelta(hours=1), samples=0)
    assert (quote.total, quote.lines) == (Decimal("0.00"), [])
