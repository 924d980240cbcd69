"""Money never overspent under concurrency: 20+ clients approve at once on PostgreSQL; the row locks
serialise them and the check constraints refuse what a bug or raw SQL would let through."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import translation

from core.exceptions import Conflict
from members.models import Unit
from subsidies import services
from subsidies.models import Application, LedgerEntry
from tests.bookings.factories import member_of
from tests.factories import UnitFactory

from .factories import ProgrammeFactory, confirmed_application, paid_record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def approve_all(officer, applications, language="en"):
    """One thread per application, all released at the same moment; returns the outcomes."""
    barrier = threading.Barrier(len(applications))
    outcomes, lock = [], threading.Lock()

    def client(application):
        try:
            barrier.wait(timeout=60)
            with translation.override(language):
                services.application_approve(actor=officer, application=application)
            result = "approved"
        except Conflict as exc:
            result = f"refused: {exc.message}"
        except Exception as exc:  # anything else is a failure the test reports
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(a,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def applications_for(units, *, programme, tem, provider_manager, amount="10000.00"):
    """One confirmed application per unit in ``units`` (a unit may repeat), each asking 1,000.00."""
    result = []
    for i, unit in enumerate(units):
        admin = unit.memberships.filter(role="admin").first().user
        record = paid_record(instrument=tem, unit=unit, amount=amount, days_ago=5 + i % 50)
        result.append(
            confirmed_application(
                programme=programme,
                admin=admin,
                unit=unit,
                records=[record],
                provider_manager=provider_manager,
                invoice=f"INV-{i}",
            )
        )
    return result


def enterprises(n):
    units = [UnitFactory(unit_type=Unit.Type.ENTERPRISE) for _ in range(n)]
    for unit in units:
        member_of(unit, role="admin")
    return units


def assert_balanced(programme):
    programme.refresh_from_db()
    assert services.ledger_check(programme) == []
    totals = services.ledger_totals(LedgerEntry.objects.filter(programme=programme))
    assert totals["committed"] == programme.committed


def test_approvals_beyond_the_budget_end_at_the_budget(postgres, officer, tem, provider_manager):
    programme = ProgrammeFactory(budget=Decimal("10000.00"), cap_per_enterprise=None)
    applications = applications_for(enterprises(25), programme=programme, tem=tem, provider_manager=provider_manager)
    outcomes = approve_all(officer, applications)
    assert outcomes.count("approved") == 10, outcomes
    refused = [o for o in outcomes if o.startswith("refused")]
    assert len(refused) == 15, outcomes
    assert all("budget of 10,000.00" in o and "exceeded by 1,000.00" in o for o in refused), refused
    programme.refresh_from_db()
    assert programme.committed == Decimal("10000.00")
    assert Application.objects.filter(status=Application.Status.APPROVED).count() == 10
    assert LedgerEntry.objects.filter(programme=programme).count() == 10
    assert_balanced(programme)


def test_approvals_beyond_an_enterprise_cap_end_at_the_cap(postgres, officer, tem, provider_manager):
    programme = ProgrammeFactory(cap_per_enterprise=Decimal("5000.00"), cap_per_application=None)
    (unit,) = enterprises(1)
    applications = applications_for([unit] * 20, programme=programme, tem=tem, provider_manager=provider_manager)
    outcomes = approve_all(officer, applications, language="zh-hans")
    assert outcomes.count("approved") == 5, outcomes
    refused = [o for o in outcomes if o.startswith("refused")]
    assert len(refused) == 15
    assert all("企业上限 5,000.00元" in o and "超出 1,000.00元" in o for o in refused), refused
    assert programme.counters.get().granted == Decimal("5000.00")
    assert_balanced(programme)


def test_approvals_across_a_group_of_related_units_end_at_the_group_cap(postgres, officer, tem, provider_manager):
    from members.models import UnitGroup

    programme = ProgrammeFactory(cap_per_enterprise=Decimal("5000.00"))
    group = UnitGroup.objects.create(name="海联控股", controller="李海")
    units = enterprises(3)
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(group=group, group_confirmed=True)
    units = list(Unit.objects.filter(pk__in=[u.pk for u in units]))
    applications = applications_for(units * 7, programme=programme, tem=tem, provider_manager=provider_manager)
    outcomes = approve_all(officer, applications)
    assert outcomes.count("approved") == 5, outcomes
    refused = [o for o in outcomes if o.startswith("refused")]
    assert len(refused) == 16
    assert all("group of related units" in o for o in refused), refused
    counter = programme.counters.get()
    assert counter.holder_key == f"group:{group.pk}"
    assert counter.granted == Decimal("5000.00")
    assert_balanced(programme)


def test_raw_sql_cannot_drive_a_counter_negative_or_past_its_limit(postgres, programme):
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE subsidies_programme SET committed = -0.01 WHERE id = %s",
            "UPDATE subsidies_programme SET committed = budget + 0.01 WHERE id = %s",
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(sql, [programme.pk])
        cursor.execute(
            "INSERT INTO subsidies_capcounter (programme_id, kind, holder_key, cap, granted) "
            "VALUES (%s, 'applicant', 'unit:1', 100.00, 0.00) RETURNING id",
            [programme.pk],
        )
        (counter_id,) = cursor.fetchone()
        for sql in (
            "UPDATE subsidies_capcounter SET granted = granted - 0.01 WHERE id = %s",
            "UPDATE subsidies_capcounter SET granted = 100.01 WHERE id = %s",
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(sql, [counter_id])


def test_raw_sql_cannot_change_or_delete_a_ledger_entry(
    postgres, officer, programme, enterprise, admin, tem, provider_manager
):
    from django.db import InternalError

    record = paid_record(instrument=tem, unit=enterprise)
    application = confirmed_application(
        programme=programme, admin=admin, unit=enterprise, records=[record], provider_manager=provider_manager
    )
    services.application_approve(actor=officer, application=application)
    entry = LedgerEntry.objects.get()
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE subsidies_ledgerentry SET amount = 1 WHERE id = %s",
            "DELETE FROM subsidies_ledgerentry WHERE id = %s",
        ):
            with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
                cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get().amount == Decimal("100.00")
