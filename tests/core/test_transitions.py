"""core.transitions.transition: each model's TRANSITIONS map refuses an illegal step, and every
step writes the history row (who, why), its reason cut to the history column."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, ServiceRecordImport
from core.exceptions import InvalidTransition
from core.transitions import HISTORY_REASON_LENGTH, history_reason, transition
from instruments.models import ImportJob
from members.models import Membership, Unit
from tests.bookings.factories import BookingFactory
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def instrument_import(status):
    return ImportJob.objects.create(unit=UnitFactory(), original_name="a.csv", file="imports/a.csv", status=status)


def record_import(status):
    return ServiceRecordImport.objects.create(
        unit=UnitFactory(), original_name="b.csv", file="imports/b.csv", status=status
    )


def booking(status):
    start = timezone.now() + timedelta(days=2)
    return BookingFactory(status=status, starts_at=start, ends_at=start + timedelta(hours=2))


@pytest.mark.parametrize(
    ("make", "start", "illegal"),
    [
        (booking, Booking.Status.COMPLETED, Booking.Status.APPROVED),
        (booking, Booking.Status.REQUESTED, Booking.Status.COMPLETED),
        (lambda status: UnitFactory(status=status), Unit.Status.PENDING, Unit.Status.SUSPENDED),
        (lambda status: UnitFactory(status=status), Unit.Status.APPROVED, Unit.Status.REJECTED),
        (lambda status: MembershipFactory(status=status), Membership.Status.ACTIVE, Membership.Status.DECLINED),
        (lambda status: MembershipFactory(status=status), Membership.Status.DECLINED, Membership.Status.ACTIVE),
        (instrument_import, ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING),
        (instrument_import, ImportJob.Status.DONE, ImportJob.Status.IMPORTING),
        (record_import, ServiceRecordImport.Status.VALIDATED, ServiceRecordImport.Status.DONE),
        (record_import, ServiceRecordImport.Status.CANCELLED, ServiceRecordImport.Status.IMPORTING),
    ],
    ids=[
        "booking-completed",
        "booking-requested",
        "unit-pending",
        "unit-approved",
        "member-active",
        "member-declined",
        "instrument-import-validating",
        "instrument-import-done",
        "record-import-validated",
        "record-import-cancelled",
    ],
)
def test_an_illegal_step_is_refused_and_nothing_changes(make, start, illegal):
    obj = make(start)
    model = type(obj)
    assert illegal not in model.TRANSITIONS.get(start, ())
    history_before = obj.history.count()
    with pytest.raises(InvalidTransition) as err:
        transition(obj, to=illegal, actor=UserFactory())
    assert str(model.Status(start).label) in err.value.message
    obj.refresh_from_db()
    assert obj.status == start
    assert obj.history.count() == history_before


def test_the_map_is_read_from_the_database_not_from_a_stale_object():
    unit = UnitFactory(status=Unit.Status.PENDING)
    Unit.objects.filter(pk=unit.pk).update(status=Unit.Status.APPROVED)
    with pytest.raises(InvalidTransition):
        transition(unit, to=Unit.Status.REJECTED)  # legal from the stale "pending", not from "approved"


@pytest.mark.parametrize(
    ("make", "start", "to"),
    [
        (booking, Booking.Status.REQUESTED, Booking.Status.REJECTED),
        (lambda status: UnitFactory(status=status), Unit.Status.PENDING, Unit.Status.REJECTED),
        (lambda status: MembershipFactory(status=status), Membership.Status.PENDING, Membership.Status.DECLINED),
    ],
    ids=["booking", "unit", "membership"],
)
def test_a_legal_step_writes_who_and_why_in_the_history(make, start, to):
    obj = make(start)
    actor = UserFactory()
    previous = transition(obj, to=to, actor=actor, reason="材料不全")
    assert previous == start
    latest = obj.history.latest()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (to, actor, f"{to}: 材料不全")


def test_a_long_reason_is_cut_to_the_history_column():
    row = booking(Booking.Status.REQUESTED)
    reason = "样" * 200
    transition(row, to=Booking.Status.REJECTED, reason=reason, decision_reason=reason)
    kept = row.history.latest().history_change_reason
    assert len(kept) == HISTORY_REASON_LENGTH and kept.endswith("…") and kept.startswith("rejected: 样")
    row.refresh_from_db()
    assert row.decision_reason == reason
    assert history_reason("approved") == "approved"
