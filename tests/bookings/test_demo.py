"""The demo seeder: nothing without instruments, a spread of hours with instruments, idempotent."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from bookings import demo, fees
from bookings.availability import local
from bookings.models import Booking, ServicePurpose, ServiceRecord, SlotHold
from instruments.models import Instrument
from members.demo import seed as seed_members
from members.models import Unit

from .factories import FeeItemFactory, InstrumentFactory, weekday_hours

pytestmark = pytest.mark.django_db


def test_without_instruments_it_does_nothing():
    demo.seed()
    assert not Booking.objects.exists() and not ServiceRecord.objects.exists()


def test_seeding_makes_a_year_of_records_once():
    units = seed_members()
    owner = units["内蒙古科技大学"]
    for i in range(12):
        instrument = InstrumentFactory(unit=owner if i < 4 else units["包头稀土研究院"], name=f"演示仪器{i}")
        weekday_hours(instrument, weekdays=[0, 1, 2, 3, 4])
        FeeItemFactory(instrument=instrument)
    demo.seed()
    counts = (Booking.objects.count(), ServiceRecord.objects.count(), SlotHold.objects.count())
    assert counts[0] > 0 and counts[1] > 0
    hours = [
        float(h or 0) for h in Instrument.objects.annotate(h=Sum("service_records__hours")).values_list("h", flat=True)
    ]
    assert max(hours) <= 1800
    assert (
        ServiceRecord.objects.filter(is_external=True).exists()
        and ServiceRecord.objects.filter(is_external=False).exists()
    )
    assert ServiceRecord.objects.filter(rating__isnull=False).exists()
    assert Booking.objects.filter(requester__email="enterprise@demo.local").exists()
    # Every hold belongs to a booking that holds its slot, and holds never overlap.
    for hold in SlotHold.objects.select_related("booking"):
        assert hold.booking.status in Booking.HOLDING_STATUSES
        assert (
            not SlotHold.objects.filter(
                instrument=hold.instrument, starts_at__lt=hold.ends_at, ends_at__gt=hold.starts_at
            )
            .exclude(pk=hold.pk)
            .exists()
        )
    # Fee items are alternatives: each booking and record chose one, and is charged for it alone.
    assert not Booking.objects.annotate(n=Count("chosen_services")).exclude(n=1).exists()
    assert not ServiceRecord.objects.annotate(n=Count("chosen_services")).exclude(n=1).exists()
    for record in ServiceRecord.objects.prefetch_related("chosen_services")[:50]:
        days = fees.days_begun(record.started_at, record.ended_at)
        lines = fees.fee_lines(record.chosen_services.all(), hours=record.hours, samples=record.sample_count, days=days)
        assert record.amount == record.computed_amount == fees.fee_total(lines)
    # Most services are research and development; most charged ones are paid after the service.
    total = ServiceRecord.objects.count()
    excluded = ServiceRecord.objects.exclude(purpose=ServicePurpose.RD).count()
    assert 0 < excluded < total * 0.08
    charged = ServiceRecord.objects.filter(amount__gt=0)
    paid = charged.filter(paid_on__isnull=False)
    assert 0.75 * charged.count() < paid.count() < 0.95 * charged.count()
    assert not ServiceRecord.objects.filter(amount=0, paid_on__isnull=False).exists()
    today = local(timezone.now()).date()
    for record in paid[:200]:
        assert local(record.started_at).date() <= record.paid_on <= today
        assert record.invoice_number.startswith("37020001-")
    assert not charged.filter(paid_on__isnull=True).exclude(invoice_number="").exists()
    demo.seed()
    assert (Booking.objects.count(), ServiceRecord.objects.count(), SlotHold.objects.count()) == counts


def test_seed_demo_runs_this_seeder_last_of_the_three(monkeypatch):
    calls = []
    monkeypatch.setattr("instruments.demo.seed", lambda stdout=None: calls.append("instruments"))
    monkeypatch.setattr("bookings.demo.seed", lambda stdout=None: calls.append("bookings"))
    call_command("seed_demo", stdout=io.StringIO())
    assert calls == ["instruments", "bookings"]
    assert Unit.objects.filter(name="内蒙古科技大学").exists()  # members' seeder ran first


def test_the_demo_manager_has_past_bookings_to_complete_and_a_week_of_requests():
    """赵磊 can try the step subsidies and reports start from (completing an approved booking into a
    service record) and has requests waiting for each of the coming days."""
    from bookings.services import booking_complete

    units = seed_members()
    owner = units["内蒙古科技大学"]
    for i in range(4):
        instrument = InstrumentFactory(unit=owner, name=f"演示电镜{i}", needs_approval=True)
        weekday_hours(instrument, weekdays=[0, 1, 2, 3, 4, 5, 6])
        FeeItemFactory(instrument=instrument)
    demo.seed()
    now = timezone.now()
    ready = Booking.objects.filter(
        requester__email="enterprise@demo.local", status=Booking.Status.APPROVED, ends_at__lt=now
    )
    assert ready.count() == 2
    manager = Unit.objects.get(pk=owner.pk).memberships.get(user__email="manager@demo.local").user
    booking = ready.first()
    record = booking_complete(
        actor=manager,
        booking=booking,
        actual_start=booking.starts_at,
        actual_end=booking.ends_at,
        preparation_hours=0,
        measurement_hours=2,
        post_processing_hours=0,
        sample_count=2,
    )
    assert record.amount > 0 and record.user_unit == booking.unit

    waiting = Booking.objects.filter(instrument__unit=owner, status=Booking.Status.REQUESTED, starts_at__gt=now)
    days = {local(b.starts_at).date() for b in waiting.filter(starts_at__lt=now + timedelta(days=10))}
    assert len(days) >= 6
    assert not waiting.filter(requester__memberships__unit=owner).exists()  # from outside the unit
