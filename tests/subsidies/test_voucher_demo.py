"""The voucher demo: this year's Shanghai-preset programme of 包头市 with vouchers in every state,
draws made by completing real bookings, an expiry released through the ledger, a paid redemption;
the ledger balanced; a second run adds nothing."""

import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from bookings.models import Booking, ServiceRecord
from core.money import to_yuan
from members.demo import seed as seed_members
from members.models import Notification
from subsidies import rules, services
from subsidies.demo import vouchers
from subsidies.models import EntryKind, LedgerEntry, Programme, Voucher, VoucherDraw, VoucherRedemption

pytestmark = pytest.mark.django_db
V = Voucher.Status


def _counts():
    return tuple(
        model.objects.count()
        for model in (
            Programme,
            Voucher,
            VoucherDraw,
            VoucherRedemption,
            LedgerEntry,
            Booking,
            ServiceRecord,
            Notification,
        )
    )


def test_the_voucher_demo_on_its_own():
    """On the world of test_demo.py without the reimbursement programmes; seeded twice."""
    from .test_demo import _world

    _world()
    vouchers.seed(stdout=sys.stdout)
    check_the_voucher_demo()
    counts = _counts()
    vouchers.seed()
    assert _counts() == counts


def test_without_instruments_there_is_no_voucher_programme():
    seed_members()
    vouchers.seed()
    assert not Programme.objects.exists()


@pytest.mark.parametrize("year", [2026, 2028])
def test_the_days_fit_on_every_day_of_a_year(year):
    day = date(year, 1, 1)
    while day.year == year:
        days = vouchers.timeline(day)
        assert days.services_from <= days.grant_on <= day - timedelta(days=vouchers.EARLY_DAYS)
        assert days.services_from.year == year or day < date(year, 2, 11)
        assert days.grant_on + timedelta(days=364) >= day  # the vouchers in use are valid today
        assert days.services_from <= days.period_start < days.period_end < days.notice_on
        assert days.notice_on + timedelta(days=7) < days.paid_on < day
        assert days.services_from < days.expired_until < day
        day += timedelta(days=1)


def check_the_voucher_demo():
    """What the demo promises, whichever seeder ran it (also called by test_demo.py)."""
    today = timezone.localdate()
    programme = Programme.objects.get(name=vouchers.NAME.format(year=today.year))
    assert programme.mode == "voucher" and programme.year == today.year and programme.region_city == "包头市"
    assert (programme.base_rate, programme.min_instrument_value) == (Decimal("0.5000"), Decimal("300000.00"))
    assert programme.voucher_validity_days == 365 and programme.settlement_cycle == "quarterly"
    assert services.ledger_check(programme) == []
    every = Voucher.objects.filter(programme=programme)
    assert every.count() == len(vouchers.PLAN)
    assert set(every.values_list("status", flat=True)) == set(V.values)
    assert every.filter(status=V.REQUESTED, quota=0).count() == 2
    assert every.get(status=V.REFUSED).decision_reason
    less = every.get(quota__gt=0, quota__lt=F("requested_amount"))
    assert less.status == V.ACTIVE and less.decision_reason
    showcase = every.get(unit__name=vouchers.SHOWCASE_ENTERPRISE)
    assert showcase.status == V.ACTIVE and showcase.draws.exists()
    check_the_draws(programme)
    for voucher in every.filter(status=V.ACTIVE):
        assert 0 < voucher.drawn < voucher.quota and voucher.valid_from <= date(today.year, 1, 2)
    assert not every.get(status=V.GRANTED).draws.exists()
    exhausted = every.get(status=V.EXHAUSTED)
    assert exhausted.drawn == exhausted.quota and exhausted.draws.exists()
    assert any(d.amount < d.share for d in exhausted.draws.all())  # the balance covered part of the last
    check_the_expired_voucher(every.get(status=V.EXPIRED), today)
    check_the_paid_redemption(programme, today)
    # The bookings, draws and decisions told people in the portal; nothing is e-mailed.
    urls = [
        d.service_record.booking.get_absolute_url()
        for d in VoucherDraw.objects.select_related("service_record__booking")
    ]
    assert not Notification.objects.filter(sent_at__isnull=True, url__in=urls).exists()
    assert not Notification.objects.filter(sent_at__isnull=True, params__number__startswith="V").exists()


def check_the_draws(programme):
    draws = VoucherDraw.objects.filter(voucher__programme=programme).select_related(
        "voucher__unit", "service_record__instrument", "service_record__booking"
    )
    assert draws.count() >= 10
    for draw in draws:
        record, voucher = draw.service_record, draw.voucher
        assert record.booking.status == Booking.Status.COMPLETED and record.user_unit_id == voucher.unit_id
        assert draw.charged == record.amount > 0 and draw.share == to_yuan(record.amount * Decimal("0.5"))
        assert 0 < draw.amount <= draw.share and draw.paid_by_user == record.amount - draw.amount > 0
        started = timezone.localdate(record.started_at)
        assert voucher.valid_from <= started <= voucher.valid_until and started < timezone.localdate()
        assert rules.record_problem(programme, voucher.unit, record, claimed=False, require_paid=False) is None
        assert record.paid_on is not None and record.invoice_number.startswith(vouchers.INVOICE_PREFIX)
        assert LedgerEntry.objects.filter(voucher=voucher, kind=EntryKind.DRAW, note=f"service record {record.pk}")


def check_the_expired_voucher(voucher, today):
    assert voucher.valid_until < today and voucher.draws.exists() and voucher.drawn < voucher.quota
    release = LedgerEntry.objects.get(voucher=voucher, kind=EntryKind.EXPIRY)
    assert release.amount == voucher.quota - voucher.drawn


def check_the_paid_redemption(programme, today):
    redemption = VoucherRedemption.objects.get(programme=programme, status=VoucherRedemption.Status.PAID)
    draws = redemption.draws.select_related("service_record__instrument")
    assert redemption.services == draws.count() >= 2
    assert redemption.amount == sum(d.amount for d in draws) > 0
    for draw in draws:
        assert draw.service_record.instrument.unit_id == redemption.provider_id
        assert redemption.period_start <= timezone.localdate(draw.service_record.started_at) <= redemption.period_end
    assert redemption.period_end < redemption.notice_from and redemption.notice_until < today
    assert redemption.payment_reference and redemption.decided_by.email == "bureau@demo.local"
    payment = LedgerEntry.objects.get(redemption=redemption, kind=EntryKind.REDEMPTION)
    assert payment.amount == redemption.amount and payment.created_by.email == "finance@demo.local"
