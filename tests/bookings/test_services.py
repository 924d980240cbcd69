"""The booking services: requests, every transition and every illegal one, history, outages,
notifications, completion into a service record, ratings and reminders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils.translation import override

from bookings import services
from bookings.exceptions import BookingRuleError, DomainError, InvalidTransition, SlotTaken
from bookings.models import Booking, BookingEvent, Outage, ServiceRecord, SlotHold
from members.models import Notification
from tests.factories import UserFactory

from .conftest import fee_items, local_dt
from .factories import FeeItemFactory, InstrumentFactory, member_of

pytestmark = pytest.mark.django_db
S = Booking.Status


def request(instrument, requester, day, now, start=(9, 0), end=(12, 0), **extra):
    fields = {
        "user": requester,
        "unit": requester.memberships.get().unit,
        "instrument": instrument,
        "starts_at": local_dt(day, *start),
        "ends_at": local_dt(day, *end),
        "purpose": "稀土永磁材料断口形貌观察",
        "sample_count": 3,
        "now": now,
    }
    fields.update(extra)
    return services.booking_request(**fields)


def subjects(user) -> list[str]:
    """The subjects of the user's notifications, rendered in the active language (English here)."""
    return [n.subject for n in Notification.objects.filter(recipient=user)]


def in_state(state, instrument, requester, manager, day, now):
    """A booking brought to ``state`` through the services."""
    booking = request(instrument, requester, day, now)
    after = now + timedelta(days=3)
    if state == S.APPROVED or state in (S.COMPLETED, S.NO_SHOW):
        services.booking_approve(actor=manager, booking=booking)
    if state == S.REJECTED:
        services.booking_reject(actor=manager, booking=booking, reason="样品不适合")
    if state == S.CANCELLED:
        services.booking_cancel(actor=requester, booking=booking, now=now)
    if state == S.COMPLETED:
        services.booking_complete(
            actor=manager,
            booking=booking,
            actual_start=booking.starts_at,
            actual_end=booking.ends_at,
            preparation_hours=Decimal("0.5"),
            measurement_hours=Decimal("2"),
            post_processing_hours=Decimal("0.5"),
            sample_count=3,
            now=after,
        )
    if state == S.NO_SHOW:
        services.booking_no_show(actor=manager, booking=booking, now=after)
    booking.refresh_from_db()
    assert booking.status == state
    return booking


def test_a_request_holds_the_slot_and_tells_the_owner(instrument, requester, manager, day, now):
    booking = request(instrument, requester, day, now)
    assert booking.status == S.REQUESTED
    assert SlotHold.objects.get().booking == booking
    assert booking.fee_estimate == Decimal("1200.00")  # 3 h × 400 external
    note = Notification.objects.get(recipient=manager)
    assert "场发射扫描电镜" in note.subject and "09:00–12:00" in note.body
    event = booking.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", S.REQUESTED, requester)


def test_an_instrument_without_approval_confirms_at_once(instrument, requester, manager, day, now):
    instrument.needs_approval = False
    instrument.save()
    booking = request(instrument, requester, day, now)
    assert booking.status == S.APPROVED
    assert list(booking.events.values_list("to_status", flat=True)) == [S.REQUESTED, S.APPROVED]
    assert any(s.startswith("Booking confirmed") for s in subjects(requester))


def test_an_overlapping_request_is_refused_as_taken(instrument, requester, day, now):
    request(instrument, requester, day, now)
    other = member_of(requester.memberships.get().unit)
    with pytest.raises(SlotTaken):
        request(instrument, other, day, now, start=(11, 30), end=(13, 0))
    # Touching ranges do not overlap: [09:00, 12:00) and [12:00, 13:00).
    request(instrument, other, day, now, start=(12, 0), end=(13, 0))
    assert Booking.objects.count() == 2


# --- Transitions: every legal one and every illegal one -------------------------------------------

ALL = [S.REQUESTED, S.APPROVED, S.REJECTED, S.CANCELLED, S.COMPLETED, S.NO_SHOW]
VERBS = {
    S.APPROVED: lambda b, m, r, now: services.booking_approve(actor=m, booking=b),
    S.REJECTED: lambda b, m, r, now: services.booking_reject(actor=m, booking=b, reason="不适合"),
    S.CANCELLED: lambda b, m, r, now: services.booking_cancel(actor=m, booking=b, reason="设备调整"),
    S.COMPLETED: lambda b, m, r, now: services.booking_complete(
        actor=m,
        booking=b,
        actual_start=b.starts_at,
        actual_end=b.ends_at,
        preparation_hours=Decimal("1"),
        measurement_hours=Decimal("1"),
        post_processing_hours=Decimal("0"),
        sample_count=1,
        now=now + timedelta(days=3),
    ),
    S.NO_SHOW: lambda b, m, r, now: services.booking_no_show(actor=m, booking=b, now=now + timedelta(days=3)),
}
CASES = [(start, to) for start in ALL for to in VERBS]


@pytest.mark.parametrize(("start", "to"), CASES, ids=[f"{a}->{b}" for a, b in CASES])
def test_transitions(start, to, instrument, requester, manager, day, now):
    booking = in_state(start, instrument, requester, manager, day, now)
    events_before = booking.events.count()
    allowed = to in services.BOOKING_TRANSITIONS[start]
    if allowed:
        VERBS[to](booking, manager, requester, now)
        booking.refresh_from_db()
        assert booking.status == to
        last = booking.events.last()
        assert (last.from_status, last.to_status, last.actor) == (start, to, manager)
        assert booking.history.latest().history_user == manager
        assert SlotHold.objects.filter(booking=booking).exists() == (to in Booking.HOLDING_STATUSES)
    else:
        with pytest.raises(InvalidTransition) as err:
            VERBS[to](booking, manager, requester, now)
        assert str(S(start).label) in err.value.message or start in err.value.message.lower()
        booking.refresh_from_db()
        assert booking.status == start
        assert booking.events.count() == events_before


def test_the_transition_map_covers_every_status():
    assert set(services.BOOKING_TRANSITIONS) == set(S.values)


def test_rejecting_needs_a_reason_and_frees_the_slot(instrument, requester, manager, day, now):
    booking = request(instrument, requester, day, now)
    with pytest.raises(DomainError):
        services.booking_reject(actor=manager, booking=booking, reason=" ")
    services.booking_reject(actor=manager, booking=booking, reason="样品含放射性")
    assert not SlotHold.objects.exists()
    assert booking.events.last().reason == "样品含放射性"
    assert "样品含放射性" in Notification.objects.filter(recipient=requester).latest("pk").body
    # The freed slot can be requested again.
    request(instrument, requester, day, now)


def test_a_long_rejection_reason_is_kept_whole_and_cut_only_in_the_history(instrument, requester, manager, day, now):
    """The history's reason column holds 100 characters; a 200-character reason used to fail on PostgreSQL."""
    booking = request(instrument, requester, day, now)
    reason = ("样品含放射性，请改约。" * 20)[:200]
    services.booking_reject(actor=manager, booking=booking, reason=reason)
    booking.refresh_from_db()
    assert booking.status == S.REJECTED and booking.decision_reason == reason
    assert booking.events.last().reason == reason
    assert len(booking.history.latest().history_change_reason) == 100
    assert reason in Notification.objects.filter(recipient=requester).latest("pk").body


def test_only_the_owner_decides(instrument, requester, day, now):
    booking = request(instrument, requester, day, now)
    plain_member = member_of(instrument.unit, role="member")
    for outsider in (requester, plain_member, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.booking_approve(actor=outsider, booking=booking)
        with pytest.raises(PermissionDenied):
            services.booking_reject(actor=outsider, booking=booking, reason="x")
        with pytest.raises(PermissionDenied):
            services.booking_no_show(actor=outsider, booking=booking, now=now)
    booking.refresh_from_db()
    assert booking.status == S.REQUESTED


def test_the_unit_admin_may_decide_too(instrument, requester, day, now):
    admin = member_of(instrument.unit, role="admin")
    booking = request(instrument, requester, day, now)
    services.booking_approve(actor=admin, booking=booking)


def test_requester_cancels_until_the_deadline(instrument, requester, manager, day, now):
    booking = request(instrument, requester, day, now)
    deadline = booking.starts_at - timedelta(hours=instrument.cancel_deadline_hours)
    with pytest.raises(DomainError):
        services.booking_cancel(actor=requester, booking=booking, now=deadline + timedelta(minutes=1))
    services.booking_cancel(actor=requester, booking=booking, now=deadline)
    booking.refresh_from_db()
    assert booking.status == S.CANCELLED
    assert any(s.startswith("Booking cancelled") for s in subjects(manager))


def test_someone_else_cannot_cancel(instrument, requester, day, now):
    booking = request(instrument, requester, day, now)
    colleague = member_of(requester.memberships.get().unit)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(actor=colleague, booking=booking, reason="x", now=now)


def test_owner_cancels_with_a_reason_and_the_requester_is_told(instrument, requester, manager, day, now):
    booking = request(instrument, requester, day, now)
    services.booking_approve(actor=manager, booking=booking)
    with pytest.raises(DomainError):
        services.booking_cancel(actor=manager, booking=booking, reason="")
    services.booking_cancel(actor=manager, booking=booking, reason="电镜灯丝更换")
    note = Notification.objects.filter(recipient=requester).latest("pk")
    assert "电镜灯丝更换" in note.body


def test_completion_before_the_slot_is_refused(instrument, requester, manager, day, now):
    booking = in_state(S.APPROVED, instrument, requester, manager, day, now)
    with pytest.raises(DomainError):
        services.booking_no_show(actor=manager, booking=booking, now=booking.starts_at - timedelta(minutes=1))
    services.booking_no_show(actor=manager, booking=booking, now=booking.starts_at)


# --- Completion, fees, service records, ratings -----------------------------------------------------


def complete(booking, manager, now, **extra):
    fields = {
        "actor": manager,
        "booking": booking,
        "actual_start": booking.starts_at + timedelta(minutes=10),
        "actual_end": booking.ends_at,
        "preparation_hours": Decimal("0.5"),
        "measurement_hours": Decimal("2.25"),
        "post_processing_hours": Decimal("0.25"),
        "sample_count": 4,
        "now": now + timedelta(days=3),
    }
    fields.update(extra)
    return services.booking_complete(**fields)


def test_completion_makes_one_service_record_with_the_fee(instrument, requester, manager, day, now):
    booking = in_state(S.APPROVED, instrument, requester, manager, day, now)
    record = complete(booking, manager, now)
    assert record.booking == booking and record.hours == Decimal("3.00")
    assert record.amount == record.computed_amount == Decimal("1200.00")  # 3 h × 400 external
    assert record.is_external and record.user == requester and record.user_unit == booking.unit
    assert record.service_way == booking.service_way
    with pytest.raises(InvalidTransition):
        complete(booking, manager, now)
    assert ServiceRecord.objects.count() == 1


def test_overriding_the_amount_needs_a_reason(instrument, requester, manager, day, now):
    booking = in_state(S.APPROVED, instrument, requester, manager, day, now)
    with pytest.raises(DomainError):
        complete(booking, manager, now, amount=Decimal("1000"))
    booking.refresh_from_db()
    assert booking.status == S.APPROVED  # nothing was written
    record = complete(booking, manager, now, amount=Decimal("1000"), amount_reason="老客户优惠")
    assert (record.amount, record.computed_amount, record.amount_reason) == (
        Decimal("1000.00"),
        Decimal("1200.00"),
        "老客户优惠",
    )


def test_internal_users_pay_the_internal_price(instrument, manager, day, now):
    colleague = member_of(instrument.unit, name="内部用户")
    booking = request(instrument, colleague, day, now, end=(10, 30))
    assert booking.fee_estimate == Decimal("300.00")  # 1.5 h × 200
    services.booking_approve(actor=manager, booking=booking)
    record = complete(
        booking,
        manager,
        now,
        preparation_hours=Decimal("0"),
        measurement_hours=Decimal("1.5"),
        post_processing_hours=Decimal("0"),
    )
    assert record.amount == Decimal("300.00") and not record.is_external


def test_the_requester_rates_once(instrument, requester, manager, day, now):
    booking = in_state(S.COMPLETED, instrument, requester, manager, day, now)
    record = booking.service_record
    with pytest.raises(PermissionDenied):
        services.service_record_rate(user=manager, record=record, rating=5)
    with pytest.raises(DomainError):
        services.service_record_rate(user=requester, record=record, rating=9)
    services.service_record_rate(user=requester, record=record, rating=5, comment="数据质量很好")
    record.refresh_from_db()
    assert (record.rating, record.rating_comment) == (5, "数据质量很好")
    assert record.get_rating_display().startswith("Very satisfied") or "非常满意" in record.get_rating_display()
    with pytest.raises(DomainError):
        services.service_record_rate(user=requester, record=record, rating=1)


def test_owner_enters_a_record_without_booking(instrument, manager, enterprise):
    record = services.service_record_create(
        actor=manager,
        instrument=instrument,
        started_at=local_dt(__import__("datetime").date(2030, 1, 5), 9),
        ended_at=local_dt(__import__("datetime").date(2030, 1, 5), 11),
        service_content="委托检测 10 个磁材样品",
        sample_count=10,
        measurement_hours=Decimal("2"),
        user_name="王工",
        user_unit=enterprise,
    )
    assert record.booking is None and record.is_external and record.amount == Decimal("800.00")
    with pytest.raises(PermissionDenied):
        services.service_record_create(
            actor=member_of(instrument.unit),
            instrument=instrument,
            started_at=record.started_at,
            ended_at=record.ended_at,
            service_content="x",
            user_name="x",
            user_unit_name="某公司",
        )


# --- Chosen services (DOMAIN.md §3: fee items are alternatives) -------------------------------------


def test_a_request_is_charged_for_the_chosen_service_only(tem, requester, day, now):
    booking = request(tem, requester, day, now, end=(11, 0), fee_items=fee_items(tem, "高分辨成像"))
    assert booking.fee_estimate == Decimal("1580.00")  # 2 h × 790, not 4,920.00 for the whole list
    assert [(c.name, c.basis, c.unit_price) for c in booking.chosen_services.all()] == [
        ("高分辨成像", "hour", Decimal("790.00"))
    ]


def test_two_chosen_services_add_exactly_those_two(tem, requester, day, now):
    booking = request(tem, requester, day, now, end=(11, 0), fee_items=fee_items(tem, "高分辨成像", "电子衍射"))
    assert booking.fee_estimate == Decimal("3320.00")  # 2 h × (790 + 870)


def test_an_instrument_with_several_items_needs_a_choice(tem, requester, day, now):
    with pytest.raises(DomainError) as err:
        request(tem, requester, day, now)
    assert err.value.field == "fee_items"
    assert not Booking.objects.exists()


def test_completion_charges_the_bookings_choice(tem, requester, manager, day, now):
    booking = request(tem, requester, day, now, end=(11, 0), fee_items=fee_items(tem, "高分辨成像"))
    services.booking_approve(actor=manager, booking=booking)
    record = complete(
        booking,
        manager,
        now,
        actual_start=booking.starts_at,
        preparation_hours=Decimal("0"),
        measurement_hours=Decimal("2"),
        post_processing_hours=Decimal("0"),
    )
    assert record.computed_amount == record.amount == Decimal("1580.00")
    assert [c.name for c in record.chosen_services.all()] == ["高分辨成像"]
    assert booking.chosen_services.count() == 1  # the booking keeps its own rows


def test_the_owner_overrides_the_chosen_services_amount_with_a_reason(tem, requester, manager, day, now):
    booking = request(tem, requester, day, now, end=(11, 0), fee_items=fee_items(tem, "高分辨成像"))
    services.booking_approve(actor=manager, booking=booking)
    two_hours = {"preparation_hours": Decimal("0"), "measurement_hours": Decimal("2"), "post_processing_hours": 0}
    with pytest.raises(DomainError):
        complete(booking, manager, now, amount=Decimal("1200"), **two_hours)
    record = complete(booking, manager, now, amount=Decimal("1200"), amount_reason="合作项目优惠", **two_hours)
    assert (record.computed_amount, record.amount, record.amount_reason) == (
        Decimal("1580.00"),
        Decimal("1200.00"),
        "合作项目优惠",
    )


def test_the_choice_survives_a_repriced_or_deleted_fee_item(tem, requester, manager, day, now):
    imaging = fee_items(tem, "高分辨成像")[0]
    booking = request(tem, requester, day, now, end=(11, 0), fee_items=[imaging])
    services.booking_approve(actor=manager, booking=booking)
    imaging.delete()
    record = complete(
        booking,
        manager,
        now,
        actual_start=booking.starts_at,
        preparation_hours=Decimal("0"),
        measurement_hours=Decimal("2"),
        post_processing_hours=Decimal("0"),
    )
    chosen = record.chosen_services.get()
    assert (chosen.fee_item, chosen.name, chosen.unit_price) == (None, "高分辨成像", Decimal("790.00"))
    assert record.computed_amount == Decimal("1580.00")


def entered(instrument, manager, enterprise, **extra):
    fields = {
        "actor": manager,
        "instrument": instrument,
        "started_at": local_dt(date(2030, 1, 5), 9),
        "ended_at": local_dt(date(2030, 1, 6), 11),
        "service_content": "委托检测",
        "sample_count": 6,
        "measurement_hours": Decimal("2"),
        "user_name": "王工",
        "user_unit": enterprise,
    }
    fields.update(extra)
    return services.service_record_create(**fields)


def test_a_record_entered_by_hand_is_charged_for_its_chosen_services(tem, manager, enterprise):
    record = entered(tem, manager, enterprise, fee_items=fee_items(tem, "电子衍射", "STEM-EDS面扫"))
    assert record.computed_amount == Decimal("3340.00")  # 2 h × (870 + 800)
    assert record.chosen_services.count() == 2


def test_per_sample_and_per_day_items_of_a_record(owner_unit, manager, enterprise):
    instrument = InstrumentFactory(unit=owner_unit)
    per_sample = FeeItemFactory(instrument=instrument, name="制样", basis="sample", external_price="50.00")
    per_day = FeeItemFactory(instrument=instrument, name="场地", basis="day", external_price="1000.00")
    assert entered(instrument, manager, enterprise, fee_items=[per_sample]).computed_amount == Decimal("300.00")
    # 2030-01-05 09:00 → 01-06 11:00 is 26 h: two days begun
    assert entered(instrument, manager, enterprise, fee_items=[per_day]).computed_amount == Decimal("2000.00")


def test_a_record_without_a_choice_takes_the_only_item_or_none(tem, instrument, manager, enterprise):
    assert entered(instrument, manager, enterprise).computed_amount == Decimal("800.00")  # its only item
    record = entered(tem, manager, enterprise)  # several items, no choice (the spreadsheet import)
    assert record.computed_amount == Decimal("0.00") and not record.chosen_services.exists()
    with pytest.raises(DomainError):
        entered(tem, manager, enterprise, fee_items=[])
    with pytest.raises(DomainError):
        entered(tem, manager, enterprise, fee_items=instrument.fee_items.all())


# --- Outages ------------------------------------------------------------------------------------------


def test_an_outage_cancels_bookings_inside_it_and_blocks_new_ones(instrument, requester, manager, day, now):
    inside = request(instrument, requester, day, now)
    services.booking_approve(actor=manager, booking=inside)
    outside = request(instrument, requester, day, now, start=(14, 0), end=(15, 0))
    outage = services.outage_create(
        actor=manager,
        instrument=instrument,
        starts_at=local_dt(day, 8, 0),
        ends_at=local_dt(day, 13, 0),
        kind=Outage.Kind.REPAIR,
        reason="真空泵故障",
    )
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.status == S.CANCELLED and outside.status == S.REQUESTED
    assert "真空泵故障" in inside.events.last().reason
    note = Notification.objects.filter(recipient=requester).latest("pk")
    assert "/book/" in note.url and "场发射扫描电镜" in note.subject
    assert "(Repair)" in note.body  # the outage kind, in the reader's language
    with override("zh-hans"):
        assert "停机（维修）" in note.body
    with pytest.raises(SlotTaken):
        request(instrument, requester, day, now, start=(12, 30), end=(13, 30))
    services.outage_withdraw(actor=manager, outage=outage)
    request(instrument, requester, day, now, start=(12, 30), end=(13, 30))


def test_only_the_owner_declares_outages(instrument, requester, day):
    with pytest.raises(PermissionDenied):
        services.outage_create(
            actor=requester,
            instrument=instrument,
            starts_at=local_dt(day, 8),
            ends_at=local_dt(day, 9),
            kind=Outage.Kind.MAINTENANCE,
        )


def test_outages_of_one_instrument_do_not_overlap(instrument, manager, day):
    services.outage_create(
        actor=manager, instrument=instrument, starts_at=local_dt(day, 8), ends_at=local_dt(day, 12), kind="repair"
    )
    with pytest.raises(DomainError):
        services.outage_create(
            actor=manager, instrument=instrument, starts_at=local_dt(day, 11), ends_at=local_dt(day, 14), kind="repair"
        )


# --- Notifications and reminders ----------------------------------------------------------------------


def test_notifications_are_mailed_after_commit(
    instrument, requester, manager, day, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request(instrument, requester, day, now)
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert Notification.objects.get(recipient=manager).sent_at is not None


def test_a_failed_request_leaves_no_notification(instrument, requester, day, now):
    with pytest.raises(BookingRuleError):
        request(instrument, requester, day, now, start=(7, 0), end=(9, 0))
    assert not Notification.objects.exists() and not Booking.objects.exists()


def test_reminders_go_out_once_the_day_before(instrument, requester, manager, day, now):
    booking = in_state(S.APPROVED, instrument, requester, manager, day, now)
    later = request(instrument, requester, day + timedelta(days=1), now)
    services.booking_approve(actor=manager, booking=later)
    the_day_before = booking.starts_at - timedelta(hours=20)
    assert services.booking_send_reminders(now=the_day_before) == 1
    assert services.booking_send_reminders(now=the_day_before) == 0
    booking.refresh_from_db()
    assert booking.reminded_at == the_day_before
    assert len([s for s in subjects(requester) if s.startswith("Reminder:")]) == 1


def test_every_change_is_in_the_history(instrument, requester, manager, day, now):
    booking = in_state(S.COMPLETED, instrument, requester, manager, day, now)
    events = list(BookingEvent.objects.filter(booking=booking).values_list("from_status", "to_status"))
    assert events == [("", S.REQUESTED), (S.REQUESTED, S.APPROVED), (S.APPROVED, S.COMPLETED)]
    assert booking.history.count() == 3
