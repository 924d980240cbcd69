"""Fixtures for the bookings tests: an owner unit with an instrument open every day 08:30–17:30
(Asia/Shanghai), its manager, and an outside enterprise user."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings.models import Booking, Outage, SlotHold
from tests.factories import UnitFactory

from .factories import BookingFactory, FeeItemFactory, InstrumentFactory, member_of, weekday_hours

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
def tem(owner_unit):
    """DOMAIN.md §3: a TEM whose fee items are alternative services, per hour (external prices
    790, 870, 800 yuan/h), open every day 08:30–17:30."""
    instrument = InstrumentFactory(unit=owner_unit, name="透射电子显微镜", needs_approval=True)
    weekday_hours(instrument)
    for name, internal, external in (
        ("高分辨成像", "500", "790"),
        ("电子衍射", "550", "870"),
        ("STEM-EDS面扫", "520", "800"),
    ):
        FeeItemFactory(instrument=instrument, name=name, internal_price=internal, external_price=external)
    return instrument


def fee_items(instrument, *names):
    """The instrument's fee items of these names, in that order."""
    return [instrument.fee_items.get(name=name) for name in names]


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


@pytest.fixture
def wed(day):
    return day  # Wednesday 2030-03-06


def hold(instrument, start, end):
    booking = BookingFactory(instrument=instrument, starts_at=start, ends_at=end, status=Booking.Status.APPROVED)
    return SlotHold.objects.create(instrument=instrument, starts_at=start, ends_at=end, kind="booking", booking=booking)


def outage(instrument, start, end):
    row = Outage.objects.create(instrument=instrument, starts_at=start, ends_at=end, kind="repair")
    return SlotHold.objects.create(instrument=instrument, starts_at=start, ends_at=end, kind="outage", outage=row)


@pytest.fixture
def fleet(owner_unit):
    """Five instruments, open 08:30–17:30 on weekdays unless said otherwise."""
    names = {}
    for name in ("idle", "morning-busy", "fragmented", "outage", "closed-wed"):
        names[name] = InstrumentFactory(unit=owner_unit, name=name)
        weekday_hours(names[name], weekdays=[0, 1, 2, 3, 4] if name != "closed-wed" else [0, 1, 3, 4])
    short = InstrumentFactory(unit=owner_unit, name="short-hours")
    weekday_hours(short, opens=time(9), closes=time(11))
    InstrumentFactory(unit=owner_unit, name="no-hours")
    return names
