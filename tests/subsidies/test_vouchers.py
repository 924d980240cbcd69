"""Innovation vouchers on the same ledger: a grant commits the quota, a completed booking draws the
voucher's share at once (never more than the balance), a correction adjusts the draw, expiry
releases what is left (once), and a service is never paid by a voucher and reimbursed too."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.exceptions import Conflict, DomainError
from members.models import Notification
from subsidies import selectors, services
from subsidies.models import EntryKind, LedgerEntry, Voucher, VoucherDraw
from subsidies.services import vouchers

from .factories import paid_record
from .voucher_factories import completed_booking, granted_voucher, voucher_programme

pytestmark = pytest.mark.django_db
V = Voucher.Status


@pytest.fixture
def programme(db):
    return voucher_programme()


@pytest.fixture
def voucher(programme, admin, enterprise, officer):
    return granted_voucher(programme=programme, admin=admin, unit=enterprise, officer=officer)


def entries(voucher):
    return list(LedgerEntry.objects.filter(voucher=voucher).values_list("kind", "amount"))


def test_a_grant_commits_the_quota_against_the_budget_and_the_cap(voucher, programme, enterprise):
    programme.refresh_from_db()
    assert voucher.status == V.GRANTED and voucher.quota == Decimal("10000.00")
    assert voucher.valid_until == timezone.localdate() + timedelta(days=364)
    assert programme.committed == Decimal("10000.00")
    assert programme.counters.get(holder_key=f"unit:{enterprise.pk}").granted == Decimal("10000.00")
    assert entries(voucher) == [(EntryKind.GRANT, Decimal("10000.00"))]


def test_granting_again_writes_nothing_and_a_smaller_grant_needs_a_reason(
    voucher, officer, programme, admin, enterprise
):
    vouchers.voucher_grant(actor=officer, voucher=voucher)
    assert len(entries(voucher)) == 1
    other = vouchers.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("5000"), purpose="x"
    )
    with pytest.raises(DomainError):
        vouchers.voucher_grant(actor=officer, voucher=other, amount=Decimal("3000"))
    vouchers.voucher_grant(actor=officer, voucher=other, amount=Decimal("3000"), reason="预算有限")
    other.refresh_from_db()
    assert other.quota == Decimal("3000.00") and other.decision_reason == "预算有限"


def test_a_grant_over_the_enterprise_cap_is_refused_naming_it(admin, enterprise, officer):
    programme = voucher_programme(cap_per_enterprise=Decimal("8000.00"))
    voucher = vouchers.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("9000"), purpose="x"
    )
    with pytest.raises(Conflict, match="8,000.00.*1,000.00"):
        vouchers.voucher_grant(actor=officer, voucher=voucher)


def test_only_an_administrator_applies_and_only_the_bureau_grants(programme, enterprise, admin, provider_manager):
    from tests.bookings.factories import member_of

    with pytest.raises(PermissionDenied):
        vouchers.voucher_apply(
            actor=member_of(enterprise), programme=programme, unit=enterprise, amount=Decimal("1000"), purpose="x"
        )
    voucher = vouchers.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("1000"), purpose="x"
    )
    with pytest.raises(PermissionDenied):
        vouchers.voucher_grant(actor=provider_manager, voucher=voucher)


def test_a_reimbursement_programme_takes_no_voucher_applications(admin, enterprise):
    from .factories import ProgrammeFactory

    with pytest.raises(DomainError):
        vouchers.voucher_apply(
            actor=admin, programme=ProgrammeFactory(), unit=enterprise, amount=Decimal("1"), purpose="x"
        )


def test_the_owner_completing_a_booking_draws_the_voucher_share(
    voucher, programme, tem, admin, enterprise, provider_manager
):
    record = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager)
    draw = VoucherDraw.objects.get(service_record=record)
    assert (draw.charged, draw.share, draw.amount, draw.paid_by_user) == (
        Decimal("3000.00"),
        Decimal("1500.00"),
        Decimal("1500.00"),
        Decimal("1500.00"),
    )
    voucher.refresh_from_db()
    assert (
        voucher.status == V.ACTIVE and voucher.drawn == Decimal("1500.00") and voucher.remaining == Decimal("8500.00")
    )
    assert entries(voucher)[-1] == (EntryKind.DRAW, Decimal("1500.00"))
    assert Notification.objects.filter(recipient=admin, subject_msgid__contains="you pay").exists()
    assert services.ledger_check(programme) == []


def test_a_draw_never_exceeds_the_balance_and_then_the_user_pays_in_full(
    programme, admin, enterprise, officer, tem, provider_manager
):
    voucher = granted_voucher(programme=programme, admin=admin, unit=enterprise, officer=officer, quota="1000.00")
    first = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager, hours_ago=5)
    assert first.voucher_draw.amount == Decimal("1000.00") and first.voucher_draw.share == Decimal("1500.00")
    assert first.voucher_draw.note  # the balance covered only part of the share
    voucher.refresh_from_db()
    assert voucher.status == V.EXHAUSTED and voucher.remaining == 0
    second = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager, hours_ago=3)
    assert not VoucherDraw.objects.filter(service_record=second).exists()
    assert Notification.objects.filter(recipient=admin, subject_msgid__startswith="No voucher balance").exists()
    assert services.ledger_check(programme) == []


def test_a_service_before_the_voucher_was_granted_draws_nothing(voucher, tem, admin, enterprise, provider_manager):
    record = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager, hours_ago=50)
    assert not VoucherDraw.objects.filter(service_record=record).exists()


def test_an_ineligible_service_draws_nothing(voucher, admin, enterprise, provider_manager, provider):
    from .factories import InstrumentFactory

    cheap = InstrumentFactory(unit=provider, original_value=Decimal("100000.00"), city="包头市")
    record = completed_booking(instrument=cheap, requester=admin, unit=enterprise, manager=provider_manager)
    assert not VoucherDraw.objects.filter(service_record=record).exists()


def test_a_correction_of_the_charge_adjusts_the_draw_with_new_entries(
    voucher, programme, tem, admin, enterprise, provider_manager
):
    from bookings.services import service_record_correct_amount

    record = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager)
    service_record_correct_amount(
        actor=provider_manager, record=record, amount=Decimal("2000.00"), reason="少测一个样品"
    )
    service_record_correct_amount(actor=provider_manager, record=record, amount=Decimal("4000.00"), reason="加测")
    assert entries(voucher)[1:] == [
        (EntryKind.DRAW, Decimal("1500.00")),
        (EntryKind.DRAW_RETURN, Decimal("500.00")),
        (EntryKind.DRAW, Decimal("1000.00")),
    ]
    voucher.refresh_from_db()
    draw = VoucherDraw.objects.get()
    assert voucher.drawn == Decimal("2000.00") == draw.amount and draw.paid_by_user == Decimal("2000.00")
    assert services.ledger_check(programme) == []


def test_expiry_releases_what_was_not_drawn_once(voucher, programme, tem, admin, enterprise, provider_manager):
    completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager)
    later = voucher.valid_until + timedelta(days=1)
    assert vouchers.vouchers_expire(today=voucher.valid_until) == 0  # still valid on its last day
    assert vouchers.vouchers_expire(today=later) == 1
    assert vouchers.vouchers_expire(today=later) == 0
    voucher.refresh_from_db()
    assert voucher.status == V.EXPIRED
    assert [k for k, _a in entries(voucher)] == [EntryKind.GRANT, EntryKind.DRAW, EntryKind.EXPIRY]
    assert entries(voucher)[-1][1] == Decimal("8500.00")
    programme.refresh_from_db()
    assert programme.committed == Decimal("1500.00")
    assert programme.counters.get().granted == Decimal("1500.00")
    assert services.ledger_check(programme) == []


def test_the_expiry_task_runs_the_service(voucher):
    from subsidies.tasks import vouchers_expire_task

    Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert vouchers_expire_task.delay().get() == 1
    assert vouchers_expire_task.delay().get() == 0


def test_a_service_paid_by_a_voucher_cannot_also_be_reimbursed(voucher, tem, admin, enterprise, provider_manager):
    from bookings.models import ServiceRecord

    from .factories import ProgrammeFactory

    record = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager)
    ServiceRecord.objects.filter(pk=record.pk).update(paid_on=timezone.localdate())
    (row,) = selectors.claimable_records(programme=ProgrammeFactory(), unit=enterprise, record_ids=[record.pk])
    assert row["problem"].code == "voucher_paid"


def test_a_service_claimed_for_reimbursement_draws_nothing(voucher, programme, tem, admin, enterprise):
    from subsidies.models import ApplicationLine

    from .factories import ProgrammeFactory

    record = paid_record(instrument=tem, unit=enterprise, user=admin)
    application = services.application_create(actor=admin, programme=ProgrammeFactory(), unit=enterprise)
    services.application_set_lines(actor=admin, application=application, record_ids=[record.pk])
    assert ApplicationLine.objects.filter(service_record=record, live=True).exists()
    assert vouchers.voucher_draw_for_record(record=record) is None


def test_the_database_refuses_a_line_for_a_service_drawn_on_a_voucher(
    postgres, voucher, tem, admin, enterprise, provider_manager
):
    from django.db import IntegrityError, transaction

    from subsidies.models import ApplicationLine

    from .factories import ProgrammeFactory

    record = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager)
    application = services.application_create(actor=admin, programme=ProgrammeFactory(), unit=enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationLine.objects.create(
            application=application,
            service_record=record,
            provider=tem.unit,
            fee=record.amount,
            rate=Decimal("0.1"),
            subsidy=Decimal("300.00"),
        )


def test_the_database_refuses_an_overdraw(postgres, voucher):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(drawn=Decimal("10000.01"))


def test_the_provider_redeems_its_voucher_paid_services_and_the_bureau_pays(
    voucher, programme, tem, admin, enterprise, provider, provider_manager, officer, payer
):
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=30))
    for hours in (50, 60):
        completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager, hours_ago=hours)
    today = timezone.localdate()
    start, end = today - timedelta(days=10), today - timedelta(days=1)
    redemption = services.redemption_create(
        actor=provider_manager, programme=programme, provider=provider, period_start=start, period_end=end
    )
    assert (redemption.amount, redemption.services) == (Decimal("3000.00"), 2)
    with pytest.raises(DomainError):  # nothing left to claim twice
        services.redemption_create(
            actor=provider_manager, programme=programme, provider=provider, period_start=start, period_end=end
        )
    services.redemption_submit(actor=provider_manager, redemption=redemption)
    with pytest.raises(PermissionDenied):
        services.redemption_approve(actor=provider_manager, redemption=redemption)
    services.redemption_approve(actor=officer, redemption=redemption)
    services.redemption_publicise(actor=officer, redemption=redemption)
    with pytest.raises(PermissionDenied):
        services.redemption_pay(
            actor=officer, redemption=redemption, reference="CW-V-1", today=today + timedelta(days=8)
        )
    for _ in range(2):
        services.redemption_pay(actor=payer, redemption=redemption, reference="CW-V-1", today=today + timedelta(days=8))
    redemption.refresh_from_db()
    assert redemption.status == "paid"
    assert list(LedgerEntry.objects.filter(redemption=redemption).values_list("kind", "amount")) == [
        (EntryKind.REDEMPTION, Decimal("3000.00"))
    ]
    totals = services.ledger_totals(LedgerEntry.objects.filter(programme=programme))
    assert totals["paid"] == Decimal("3000.00") and totals["committed"] == Decimal("10000.00")
    assert services.ledger_check(programme) == []


def test_a_rejected_redemption_lets_its_services_be_claimed_again(
    voucher, programme, tem, admin, enterprise, provider, provider_manager, officer
):
    from tests.bookings.factories import member_of
    from tests.factories import UnitFactory

    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=30))
    completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager, hours_ago=50)
    today = timezone.localdate()
    period = {"period_start": today - timedelta(days=10), "period_end": today - timedelta(days=1)}
    with pytest.raises(PermissionDenied):  # another unit's manager cannot claim these services
        services.redemption_create(
            actor=member_of(UnitFactory(), role="manager"), programme=programme, provider=provider, **period
        )
    first = services.redemption_create(actor=provider_manager, programme=programme, provider=provider, **period)
    services.redemption_submit(actor=provider_manager, redemption=first)
    services.redemption_reject(actor=officer, redemption=first, reason="发票与服务记录不符")
    second = services.redemption_create(actor=provider_manager, programme=programme, provider=provider, **period)
    assert second.amount == Decimal("1500.00")


def test_reminders_a_month_and_a_week_before_expiry_go_once_each(voucher, admin):
    until = voucher.valid_until
    assert vouchers.voucher_expiry_reminders(today=until - timedelta(days=40)) == 0
    assert vouchers.voucher_expiry_reminders(today=until - timedelta(days=30)) == 1
    assert vouchers.voucher_expiry_reminders(today=until - timedelta(days=20)) == 0
    assert vouchers.voucher_expiry_reminders(today=until - timedelta(days=7)) == 1
    assert vouchers.voucher_expiry_reminders(today=until - timedelta(days=6)) == 0
    lapses = Notification.objects.filter(recipient=admin, subject_msgid__contains="lapses")
    assert lapses.count() == 2 and "10,000.00" in lapses.first().subject


def test_a_correction_after_expiry_leaves_the_draw_and_the_user_pays_the_rest(
    voucher, programme, tem, admin, enterprise, provider_manager
):
    from bookings.services import service_record_correct_amount

    record = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager)
    vouchers.vouchers_expire(today=voucher.valid_until + timedelta(days=1))
    service_record_correct_amount(actor=provider_manager, record=record, amount=Decimal("5000.00"), reason="加测")
    draw = VoucherDraw.objects.get()
    assert draw.amount == Decimal("1500.00") and draw.paid_by_user == Decimal("3500.00")
    with pytest.raises(DomainError):
        service_record_correct_amount(actor=provider_manager, record=record, amount=Decimal("1000.00"), reason="x")
    assert services.ledger_check(programme) == []
