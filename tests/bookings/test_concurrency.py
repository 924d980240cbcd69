"""No double booking by construction: many clients race for overlapping slots of one instrument.

PostgreSQL: 50 threads with their own connections; the exclusion constraint refuses every loser
the check did not catch. SQLite: the IMMEDIATE transaction serialises check and insert.
"""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction

from bookings import services
from bookings.exceptions import SlotTaken
from bookings.models import Booking, SlotHold
from bookings.services import booking as booking_services

from .conftest import local_dt
from .factories import member_of


def race(instrument, users, day, now):
    """Start one request per user at the same moment; return the outcomes."""
    barrier = threading.Barrier(len(users))
    outcomes, lock = [], threading.Lock()

    def client(i, user):
        try:
            barrier.wait(timeout=60)
            services.booking_request(
                user=user,
                unit=user.memberships.first().unit,
                instrument=instrument,
                starts_at=local_dt(day, 9) + timedelta(minutes=i % 50),
                ends_at=local_dt(day, 10) + timedelta(minutes=i % 50),
                purpose="并发测试",
                now=now,
            )
            result = "booked"
        except SlotTaken:
            result = "taken"
        except Exception as exc:  # anything else is a failure the test reports
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(i, u)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_clients_on_postgresql_get_one_booking(postgres, instrument, enterprise, day, now):
    users = [member_of(enterprise) for _ in range(50)]
    outcomes = race(instrument, users, day, now)
    assert len(outcomes) == 50
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("taken") == 49, outcomes
    assert Booking.objects.holding().filter(instrument=instrument).count() == 1
    assert SlotHold.objects.filter(instrument=instrument).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_clients_on_sqlite_get_one_booking(instrument, enterprise, day, now):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL race is the test above")
    users = [member_of(enterprise) for _ in range(12)]
    outcomes = race(instrument, users, day, now)
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("taken") == 11, outcomes
    assert Booking.objects.holding().filter(instrument=instrument).count() == 1


def test_the_constraint_refuses_an_overlap_the_service_did_not_see(
    postgres, instrument, requester, day, now, monkeypatch
):
    """If the check misses a concurrent hold, the database still refuses it: 'slot just taken'."""
    services.booking_request(
        user=requester,
        unit=requester.memberships.get().unit,
        instrument=instrument,
        starts_at=local_dt(day, 9),
        ends_at=local_dt(day, 10),
        purpose="先到",
        now=now,
    )
    monkeypatch.setattr(booking_services, "hold_conflicts", lambda **kw: SlotHold.objects.none())
    with pytest.raises(SlotTaken, match="just taken"):
        services.booking_request(
            user=requester,
            unit=requester.memberships.get().unit,
            instrument=instrument,
            starts_at=local_dt(day, 9, 30),
            ends_at=local_dt(day, 10, 30),
            purpose="后到",
            now=now,
        )
    assert Booking.objects.count() == 1


def test_outages_and_bookings_exclude_each_other_in_the_database(postgres, instrument, requester, manager, day, now):
    booking = services.booking_request(
        user=requester,
        unit=requester.memberships.get().unit,
        instrument=instrument,
        starts_at=local_dt(day, 9),
        ends_at=local_dt(day, 10),
        purpose="x",
        now=now,
    )
    from bookings.models import Outage

    outage = Outage.objects.create(
        instrument=instrument, starts_at=local_dt(day, 9, 30), ends_at=local_dt(day, 11), kind="repair"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotHold.objects.create(
            instrument=instrument, starts_at=outage.starts_at, ends_at=outage.ends_at, kind="outage", outage=outage
        )
    # Touching ranges are fine ('[)' bounds), and another instrument is unaffected.
    SlotHold.objects.create(
        instrument=instrument, starts_at=booking.ends_at, ends_at=outage.ends_at, kind="outage", outage=outage
    )
