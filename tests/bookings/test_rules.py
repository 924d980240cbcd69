"""Every booking rule at its boundary, enforced by the service for every door alike."""

from datetime import time, timedelta

import pytest

from bookings import services
from bookings.exceptions import BookingRuleError, PermissionDenied
from bookings.models import Booking
from bookings.rules import is_external_use
from instruments.models import Instrument, OpeningHours
from members.models import Membership, Unit
from tests.factories import MembershipFactory, UnitFactory, UserFactory

from .conftest import local_dt
from .factories import InstrumentFactory, member_of, weekday_hours

pytestmark = pytest.mark.django_db


def book(instrument, user, starts_at, ends_at, now, unit=None):
    unit = unit or user.memberships.first().unit
    return services.booking_request(
        user=user, unit=unit, instrument=instrument, starts_at=starts_at, ends_at=ends_at, purpose="测试", now=now
    )


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ((8, 30), (9, 30), True),  # starts exactly at opening
        ((8, 29), (9, 30), False),  # one minute before opening
        ((16, 30), (17, 30), True),  # ends exactly at closing
        ((16, 31), (17, 31), False),  # one minute after closing
        ((7, 0), (8, 0), False),  # before opening altogether
    ],
)
def test_opening_hours(start, end, ok, instrument, requester, day, now):
    args = (instrument, requester, local_dt(day, *start), local_dt(day, *end), now)
    if ok:
        assert book(*args).status == Booking.Status.REQUESTED
    else:
        with pytest.raises(BookingRuleError, match="opening period"):
            book(*args)


def test_a_booking_cannot_span_the_lunch_break(owner_unit, requester, day, now):
    instrument = InstrumentFactory(unit=owner_unit)
    weekday_hours(instrument, opens=time(8), closes=time(12))
    weekday_hours(instrument, opens=time(13), closes=time(17))
    with pytest.raises(BookingRuleError):
        book(instrument, requester, local_dt(day, 11), local_dt(day, 14), now)
    book(instrument, requester, local_dt(day, 13), local_dt(day, 17), now)


def test_closed_weekdays(owner_unit, requester, day, now):
    instrument = InstrumentFactory(unit=owner_unit)
    weekday_hours(instrument, weekdays=[0, 1, 2, 3, 4])
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    with pytest.raises(BookingRuleError):
        book(instrument, requester, local_dt(saturday, 9), local_dt(saturday, 10), now)


def test_no_opening_hours_means_not_bookable(owner_unit, requester, day, now):
    instrument = InstrumentFactory(unit=owner_unit)
    with pytest.raises(BookingRuleError):
        book(instrument, requester, local_dt(day, 9), local_dt(day, 10), now)


def test_minimum_and_maximum_length(instrument, requester, day, now):
    instrument.min_slot_minutes, instrument.max_slot_minutes = 60, 120
    instrument.save()
    with pytest.raises(BookingRuleError, match="at least 60"):
        book(instrument, requester, local_dt(day, 9), local_dt(day, 9, 59), now)
    with pytest.raises(BookingRuleError, match="at most 120"):
        book(instrument, requester, local_dt(day, 9), local_dt(day, 11, 1), now)
    book(instrument, requester, local_dt(day, 9), local_dt(day, 10), now)
    book(instrument, requester, local_dt(day, 11), local_dt(day, 13), now)


def test_lead_time(instrument, requester, now):
    start = now + timedelta(hours=instrument.min_lead_hours)  # tomorrow 10:00
    with pytest.raises(BookingRuleError, match="24 hours ahead"):
        book(instrument, requester, start - timedelta(minutes=1), start + timedelta(hours=1), now)
    book(instrument, requester, start, start + timedelta(hours=1), now)


def test_furthest_day(instrument, requester, now):
    instrument.max_advance_days = 10
    instrument.save()
    last = now.date() + timedelta(days=10)
    with pytest.raises(BookingRuleError, match="10 days ahead"):
        book(instrument, requester, local_dt(last + timedelta(days=1), 9), local_dt(last + timedelta(days=1), 10), now)
    book(instrument, requester, local_dt(last, 16), local_dt(last, 17), now)


def test_end_before_start(instrument, requester, day, now):
    with pytest.raises(BookingRuleError):
        book(instrument, requester, local_dt(day, 10), local_dt(day, 9), now)


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        (Instrument.OperatingStatus.NORMAL, True),
        (Instrument.OperatingStatus.STANDBY, True),
        (Instrument.OperatingStatus.REMOTE, True),
        (Instrument.OperatingStatus.OCCASIONAL_FAULTS, True),
        (Instrument.OperatingStatus.FREQUENT_FAULTS, True),
        (Instrument.OperatingStatus.AWAITING_REPAIR, False),
        (Instrument.OperatingStatus.AWAITING_DISPOSAL, False),
    ],
)
def test_operating_status(status, ok, instrument, requester, day, now):
    instrument.operating_status = status
    instrument.save()
    if ok:
        book(instrument, requester, local_dt(day, 9), local_dt(day, 10), now)
    else:
        with pytest.raises(BookingRuleError, match="awaiting"):
            book(instrument, requester, local_dt(day, 9), local_dt(day, 10), now)


def test_retired_instruments_cannot_be_booked(instrument, requester, day, now):
    instrument.retired_at = now - timedelta(days=1)
    instrument.save()
    with pytest.raises(BookingRuleError, match="retired"):
        book(instrument, requester, local_dt(day, 9), local_dt(day, 10), now)


def test_internal_sharing_admits_only_the_owner_units_members(instrument, requester, day, now):
    instrument.sharing_mode = Instrument.SharingMode.INTERNAL
    instrument.save()
    with pytest.raises(BookingRuleError, match="only within"):
        book(instrument, requester, local_dt(day, 9), local_dt(day, 10), now)
    colleague = member_of(instrument.unit)
    book(instrument, colleague, local_dt(day, 9), local_dt(day, 10), now)


def test_not_shared_instruments_cannot_be_booked(instrument, day, now):
    instrument.sharing_mode = Instrument.SharingMode.NONE
    instrument.save()
    with pytest.raises(BookingRuleError, match="not shared"):
        book(instrument, member_of(instrument.unit), local_dt(day, 9), local_dt(day, 10), now)


@pytest.mark.parametrize("unit_status", [Unit.Status.PENDING, Unit.Status.REJECTED, Unit.Status.SUSPENDED])
def test_the_requesters_unit_must_be_approved(unit_status, instrument, day, now):
    unit = UnitFactory(status=unit_status)
    user = member_of(unit)
    with pytest.raises(BookingRuleError, match="approved unit"):
        book(instrument, user, local_dt(day, 9), local_dt(day, 10), now, unit=unit)


def test_the_requester_must_be_an_active_member_of_the_unit(instrument, enterprise, day, now):
    pending = MembershipFactory(unit=enterprise, status=Membership.Status.PENDING).user
    with pytest.raises(BookingRuleError):
        book(instrument, pending, local_dt(day, 9), local_dt(day, 10), now, unit=enterprise)
    stranger = UserFactory()
    with pytest.raises(BookingRuleError):
        book(instrument, stranger, local_dt(day, 9), local_dt(day, 10), now, unit=enterprise)


def test_anonymous_users_cannot_book(instrument, enterprise, day, now):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        book(instrument, AnonymousUser(), local_dt(day, 9), local_dt(day, 10), now, unit=enterprise)


def test_an_owner_unit_that_is_suspended_takes_no_bookings(instrument, requester, day, now):
    Unit.objects.filter(pk=instrument.unit_id).update(status=Unit.Status.SUSPENDED)
    with pytest.raises(BookingRuleError):
        book(instrument, requester, local_dt(day, 9), local_dt(day, 10), now)


def test_opening_hours_are_wall_times_in_shanghai(instrument, requester, day, now):
    """08:30 Shanghai is 00:30 UTC: a booking given in UTC is judged by the local wall clock."""
    from datetime import UTC, datetime

    start = datetime.combine(day, time(0, 30), tzinfo=UTC)  # 08:30 in Shanghai
    booking = book(instrument, requester, start, start + timedelta(hours=1), now)
    assert booking.starts_at == start
    assert OpeningHours.objects.filter(instrument=instrument, opens=time(8, 30)).exists()
    with pytest.raises(BookingRuleError):
        earlier = datetime.combine(day, time(0, 0), tzinfo=UTC)  # 08:00 Shanghai
        book(instrument, requester, earlier, earlier + timedelta(minutes=30), now)


def test_external_use_is_one_rule():
    """DOMAIN.md §4: external when the user's unit is missing or is not the owner unit."""
    assert is_external_use(user_unit_id=None, owner_unit_id=1)
    assert is_external_use(user_unit_id=2, owner_unit_id=1)
    assert not is_external_use(user_unit_id=1, owner_unit_id=1)
