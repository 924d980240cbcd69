"""Vouchers under concurrency on PostgreSQL: 20 owners complete bookings drawing on one voucher at
once and it is never overdrawn (each draw too late leaves the booking completed, the user paying in
full and told so); 20 grants racing over the budget end within it; the ledger balances."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import translation

from bookings.models import Booking
from core.exceptions import Conflict
from members.models import Notification, Unit
from subsidies import services
from subsidies.models import Voucher, VoucherDraw
from subsidies.services import vouchers
from tests.bookings.factories import InstrumentFactory, member_of
from tests.factories import UnitFactory

from .voucher_factories import completed_booking, granted_voucher, voucher_programme

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes, lock = [], threading.Lock()

    def client(call):
        try:
            barrier.wait(timeout=60)
            with translation.override("en"):
                call()
            result = "done"
        except Conflict as exc:
            result = f"refused: {exc.message}"
        except Exception as exc:  # anything else is a failure the test reports
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_twenty_completions_never_overdraw_one_voucher(
    postgres, officer, provider, provider_manager, enterprise, admin
):
    programme = voucher_programme()
    voucher = granted_voucher(programme=programme, admin=admin, unit=enterprise, officer=officer, quota="10000.00")
    instruments = [InstrumentFactory(unit=provider, city="包头市") for _ in range(20)]

    def complete(instrument):
        return lambda: completed_booking(
            instrument=instrument, requester=admin, unit=enterprise, manager=provider_manager
        )

    outcomes = race([complete(i) for i in instruments])
    assert outcomes == ["done"] * 20, outcomes
    assert Booking.objects.filter(status=Booking.Status.COMPLETED).count() == 20
    voucher.refresh_from_db()
    assert voucher.drawn == Decimal("10000.00") and voucher.status == Voucher.Status.EXHAUSTED
    draws = list(VoucherDraw.objects.values_list("amount", flat=True))
    assert sum(draws) == Decimal("10000.00") and len(draws) == 7  # six shares of 1,500 and the last 1,000
    told = Notification.objects.filter(recipient=admin, subject_msgid__startswith="No voucher balance").count()
    assert told == 13
    assert services.ledger_check(programme) == []


def test_twenty_grants_over_the_budget_end_within_it(postgres, officer):
    programme = voucher_programme(budget=Decimal("50000.00"), cap_per_enterprise=None)
    requests = []
    for _ in range(20):
        unit = UnitFactory(unit_type=Unit.Type.ENTERPRISE)
        admin = member_of(unit, role="admin")
        requests.append(
            vouchers.voucher_apply(actor=admin, programme=programme, unit=unit, amount=Decimal("5000"), purpose="研发")
        )
    outcomes = race([lambda v=v: vouchers.voucher_grant(actor=officer, voucher=v) for v in requests])
    assert outcomes.count("done") == 10, outcomes
    refused = [o for o in outcomes if o.startswith("refused")]
    assert len(refused) == 10 and all("budget of 50,000.00" in o and "exceeded by 5,000.00" in o for o in refused)
    programme.refresh_from_db()
    assert programme.committed == Decimal("50000.00")
    assert services.ledger_check(programme) == []


def test_twenty_grants_to_one_enterprise_end_within_its_cap(postgres, officer, enterprise, admin):
    programme = voucher_programme(cap_per_enterprise=Decimal("12000.00"))
    requests = [
        vouchers.voucher_apply(
            actor=admin, programme=programme, unit=enterprise, amount=Decimal("3000"), purpose="研发"
        )
        for _ in range(20)
    ]
    outcomes = race([lambda v=v: vouchers.voucher_grant(actor=officer, voucher=v) for v in requests])
    assert outcomes.count("done") == 4, outcomes
    refused = [o for o in outcomes if o.startswith("refused")]
    assert len(refused) == 16 and all(
        "enterprise cap of 12,000.00" in o and "exceeded by 3,000.00" in o for o in refused
    )
    assert programme.counters.get().granted == Decimal("12000.00")
    assert services.ledger_check(programme) == []
