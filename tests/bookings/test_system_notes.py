"""The notes the booking services write themselves ("confirmed at once", a cancellation by an
outage) read in the reader's language, on the booking page and in the admin's history, whoever
caused them; a person's own reason is shown as written. Notes stored translated before this
change are rewritten as keys by migration 0008."""

import importlib

from django.urls import reverse
from django.utils.translation import override

from bookings import services
from bookings.models import Booking, Outage
from core.transitions import history_note

from .conftest import local_dt
from .test_services import request

rewrite = importlib.import_module("bookings.migrations.0008_system_notes_as_keys")


def booking_page(client, booking, language):
    return client.get(reverse("bookings:detail", args=[booking.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_booking_confirmed_at_once_says_so_in_the_readers_language(client, instrument, requester, day, now):
    instrument.needs_approval = False
    instrument.save()
    with override("zh-hans"):  # caused by a reader of Chinese
        booking = request(instrument, requester, day, now)
    assert booking.status == Booking.Status.APPROVED
    client.force_login(requester)
    assert "confirmed at once (no approval needed)" in booking_page(client, booking, "en")
    assert "无需审批，已直接确认" not in booking_page(client, booking, "en")
    assert "无需审批，已直接确认" in booking_page(client, booking, "zh-hans")
    row = booking.history.filter(status=Booking.Status.APPROVED).first()
    with override("en"):
        assert history_note(Booking, row.history_change_reason) == "Approved: confirmed at once (no approval needed)"
    with override("zh-hans"):
        assert history_note(Booking, row.history_change_reason) == "已批准：无需审批，已直接确认"


def test_a_cancellation_by_an_outage_names_its_kind_in_the_readers_language(
    client, instrument, requester, manager, day, now
):
    booking = request(instrument, requester, day, now)
    with override("zh-hans"):
        services.outage_create(
            actor=manager,
            instrument=instrument,
            starts_at=local_dt(day, 8, 0),
            ends_at=local_dt(day, 13, 0),
            kind=Outage.Kind.REPAIR,
            reason="真空泵故障",
        )
    client.force_login(requester)
    assert "Outage (Repair): 真空泵故障" in booking_page(client, booking, "en")
    assert "停机（维修）：真空泵故障" in booking_page(client, booking, "zh-hans")


def test_a_persons_reason_is_shown_as_written(client, instrument, requester, manager, day, now):
    booking = request(instrument, requester, day, now)
    services.booking_reject(actor=manager, booking=booking, reason="样品含放射性")
    client.force_login(requester)
    assert "Rejected · 赵磊 · 样品含放射性" in booking_page(client, booking, "en")
    assert "已驳回 · 赵磊 · 样品含放射性" in booking_page(client, booking, "zh-hans")


def test_the_migration_turns_notes_written_in_either_language_into_keys():
    assert rewrite.as_key("无需审批，已直接确认") == "confirmed at once"
    assert rewrite.as_key("confirmed at once (no approval needed)") == "confirmed at once"
    assert rewrite.as_key("停机（维修）：真空泵故障") == "outage repair: 真空泵故障"
    assert rewrite.as_key("Outage (Calibration): annual check") == "outage calibration: annual check"
    assert rewrite.as_key("停机（年检）：x") is None  # not a kind the services wrote
    assert rewrite.as_key("计划有变") is None


def test_the_migration_rewrites_stored_events_and_history(instrument, requester, day, now):
    from django.apps import apps

    booking = request(instrument, requester, day, now)
    event = booking.events.create(to_status=Booking.Status.APPROVED, reason="无需审批，已直接确认")
    person = booking.events.create(to_status=Booking.Status.CANCELLED, reason="计划有变")
    row = booking.history.first()
    row.history_change_reason = "cancelled: 停机（维修）：真空泵故障"
    row.save()
    rewrite.to_keys(apps, None)
    event.refresh_from_db()
    person.refresh_from_db()
    row.refresh_from_db()
    assert (event.reason, person.reason) == ("confirmed at once", "计划有变")
    assert row.history_change_reason == "cancelled: outage repair: 真空泵故障"


def test_notifications_name_the_instrument_and_unit_in_the_readers_language(instrument, requester, manager, day, now):
    from members.messages import render_message
    from members.models import Notification

    instrument.name_en = "Field-emission SEM"
    instrument.needs_approval = True
    instrument.save()
    unit = requester.memberships.get().unit
    unit.name_en = "Baotou Xibao New Materials Technology Co., Ltd."
    unit.save()
    request(instrument, requester, day, now)
    note = Notification.objects.filter(recipient=manager).latest("pk")
    with override("en"):
        assert "Field-emission SEM" in note.subject and "场发射扫描电镜" not in note.subject
        assert "Baotou Xibao New Materials Technology Co., Ltd." in note.body
    with override("zh-hans"):
        assert "场发射扫描电镜" in note.subject and "Field-emission SEM" not in note.subject
        assert "包头稀宝新材料科技有限公司" in note.body
    with override("en"):  # a row written before names were kept in both languages: as stored
        assert render_message(
            "Booking request: %(instrument)s, %(slot)s", {"instrument": "场发射扫描电镜", "slot": "x"}
        ) == ("Booking request: 场发射扫描电镜, x")
