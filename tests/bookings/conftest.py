"""Fixtures for the bookings tests: an owner unit with an instrument open every day 08:30–17:30
(Asia/Shanghai), its manager, and an outside enterprise user."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UnitFactory

from .factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_dt(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def owner_unit(db):
    return UnitFactory(name="内蒙古科技大学")


@pytest.fixture
def manager(owner_unit):
    return member_of(owner_unit, role="manager", name="赵磊")


@pytest.fixture
def instrument(owner_unit):
    instrument = InstrumentFactory(unit=owner_unit, name="场发射扫描电镜")
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument)
    return instrument


@pytest.fixture
def enterprise(db):
    return UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise")


@pytest.fixture
def requester(enterprise):
    return member_of(enterprise, name="张伟", email="zhangwei@example.cn")


@pytest.fixture
def now():
    """A fixed 'now': Monday 2030-03-04 10:00 in Shanghai."""
    return local_dt(datetime(2030, 3, 4).date(), 10)


@pytest.fixture
def day(now):
    """A day comfortably within the booking window: Wednesday 2030-03-06."""
    return (now + timedelta(days=2)).date()


@pytest.fixture(autouse=True)
def english_messages():
    """Services' messages are asserted in English (the source language); pages pick their own."""
    from django.utils.translation import override

    with override("en"):
        yield
