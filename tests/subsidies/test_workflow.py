"""An application from draft to payment through the services: the ledger entries each decision
writes, replays that write nothing, disputes, clawback, rewards, and who may do what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.exceptions import DomainError, InvalidTransition
from members.models import Notification
from subsidies import services
from subsidies.models import Application, EntryKind, LedgerEntry, ProviderReward
from tests.bookings.factories import member_of
from tests.factories import UnitFactory

from .factories import confirmed_application, paid_record, pdf_upload

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture
def application(programme, enterprise, admin, tem, provider_manager):
    records = [
        paid_record(instrument=tem, unit=enterprise, amount=a, days_ago=d) for a, d in (("12000.00", 5), ("8000.00", 6))
    ]
    return confirmed_application(
        programme=programme, admin=admin, unit=enterprise, records=records, provider_manager=provider_manager
    )


def kinds(application):
    return list(LedgerEntry.objects.filter(application=application).values_list("kind", "amount"))


def test_full_approval_publicise_and_pay(application, officer, payer, programme):
    services.application_approve(actor=officer, application=application)
    application.refresh_from_db()
    assert application.status == S.APPROVED and application.approved_amount == Decimal("2000.00")
    services.application_publicise(actor=officer, application=application)
    application.refresh_from_db()
    assert application.notice_until == timezone.localdate() + timedelta(days=6)
    with pytest.raises(DomainError, match="公示期至"):
        services.application_pay(actor=payer, application=application, reference="CW-2026-001")
    later = application.notice_until + timedelta(days=1)
    services.application_pay(actor=payer, application=application, reference="CW-2026-001", today=later)
    application.refresh_from_db()
    assert application.status == S.PAID and application.payment_reference == "CW-2026-001"
    assert kinds(application) == [(EntryKind.COMMITMENT, Decimal("2000.00")), (EntryKind.PAYMENT, Decimal("2000.00"))]
    totals = services.ledger_totals(LedgerEntry.objects.filter(programme=programme))
    assert totals["committed"] == totals["paid"] == Decimal("2000.00")
    assert services.ledger_check(programme) == []


def test_replayed_decisions_write_one_entry_each(application, officer, payer):
    for _ in range(3):
        services.application_approve(actor=officer, application=application)
    services.application_publicise(actor=officer, application=application)
    services.application_publicise(actor=officer, application=application)
    later = timezone.localdate() + timedelta(days=8)
    for _ in range(2):
        services.application_pay(actor=payer, application=application, reference="CW-1", today=later)
    assert [k for k, _ in kinds(application)] == [EntryKind.COMMITMENT, EntryKind.PAYMENT]


def test_partial_approval_needs_a_reason_and_commits_only_the_smaller_amount(application, officer, programme):
    with pytest.raises(DomainError, match="reason|理由"):
        services.application_approve(actor=officer, application=application, amount=Decimal("1500.00"))
    with pytest.raises(DomainError):
        services.application_approve(actor=officer, application=application, amount=Decimal("2000.01"), reason="x")
    services.application_approve(
        actor=officer, application=application, amount=Decimal("1500.00"), reason="一张发票金额不符"
    )
    application.refresh_from_db()
    assert application.status == S.PARTLY_APPROVED and application.decision_reason == "一张发票金额不符"
    programme.refresh_from_db()
    assert programme.committed == Decimal("1500.00")


def test_a_reduction_after_approval_and_a_rejection_release_in_the_ledger(application, officer, programme):
    services.application_approve(actor=officer, application=application)
    services.application_reduce(actor=officer, application=application, amount=Decimal("1200.00"), reason="复核")
    application.refresh_from_db()
    assert application.status == S.PARTLY_APPROVED and application.approved_amount == Decimal("1200.00")
    services.application_reject(actor=officer, application=application, reason="公示期间收到异议")
    assert kinds(application) == [
        (EntryKind.COMMITMENT, Decimal("2000.00")),
        (EntryKind.RELEASE, Decimal("800.00")),
        (EntryKind.RELEASE, Decimal("1200.00")),
    ]
    programme.refresh_from_db()
    assert programme.committed == Decimal("0.00") and programme.counters.get().granted == Decimal("0.00")
    assert services.ledger_check(programme) == []
    assert not application.lines.filter(live=True).exists()  # the services may be claimed again


def test_clawback_needs_the_pay_permission_and_a_reason(application, officer, payer, programme):
    services.application_approve(actor=officer, application=application)
    services.application_publicise(actor=officer, application=application)
    later = timezone.localdate() + timedelta(days=8)
    with pytest.raises(PermissionDenied):
        services.application_pay(actor=officer, application=application, reference="CW-1", today=later)
    services.application_pay(actor=payer, application=application, reference="CW-1", today=later)
    with pytest.raises(DomainError):
        services.application_claw_back(actor=payer, application=application, reason=" ")
    services.application_claw_back(actor=payer, application=application, reason="发票作废")
    services.application_claw_back(actor=payer, application=application, reason="发票作废")
    application.refresh_from_db()
    assert application.status == S.CLAWED_BACK
    assert [k for k, _ in kinds(application)] == [EntryKind.COMMITMENT, EntryKind.PAYMENT, EntryKind.CLAWBACK]
    totals = services.ledger_totals(LedgerEntry.objects.filter(programme=programme))
    assert totals["committed"] == totals["paid"] == Decimal("0.00")
    assert application.lines.filter(live=True).count() == 2  # a clawed-back claim cannot be made again


def test_a_disputed_line_returns_the_application_with_the_providers_reason(
    programme, enterprise, admin, tem, provider_manager
):
    record = paid_record(instrument=tem, unit=enterprise)
    application = services.application_create(actor=admin, programme=programme, unit=enterprise)
    services.application_set_lines(actor=admin, application=application, record_ids=[record.pk])
    with pytest.raises(DomainError, match="invoice|发票"):
        services.application_submit(actor=admin, application=application)
    services.evidence_add(actor=admin, application=application, kind="invoice", file=pdf_upload(), invoice_number="A-1")
    services.application_submit(actor=admin, application=application)
    assert Notification.objects.filter(recipient=provider_manager).exists()
    line = application.lines.get()
    services.line_dispute(actor=provider_manager, line=line, reason="实际收费为800元")
    application.refresh_from_db()
    assert application.status == S.RETURNED and "实际收费为800元" in application.decision_reason
    assert Notification.objects.filter(recipient=admin, body_msgid__contains="%(reason)s").exists()
    services.application_submit(actor=admin, application=application)
    line.refresh_from_db()
    assert line.provider_status == "pending"
    services.line_confirm(actor=provider_manager, line=line)
    application.refresh_from_db()
    assert application.status == S.PROVIDER_CONFIRMED


def test_who_may_do_what(application, programme, enterprise, tem, officer, provider_manager):
    stranger = member_of(enterprise, role="member")
    outsider_manager = member_of(UnitFactory(), role="manager")
    with pytest.raises(PermissionDenied):
        services.application_create(actor=stranger, programme=programme, unit=enterprise)  # members do not apply
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=provider_manager, application=application)  # only the bureau decides
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=stranger, application=application)
    line = application.lines.first()
    with pytest.raises(PermissionDenied):
        services.line_confirm(actor=outsider_manager, line=line)
    with pytest.raises(InvalidTransition):
        services.line_confirm(actor=provider_manager, line=line)  # already confirmed and sent on


def test_provider_rewards_at_the_close(application, officer, payer, programme, tem):
    services.application_approve(actor=officer, application=application)
    (reward,) = services.provider_rewards_compute(actor=officer, programme=programme)
    assert reward.unit_id == tem.unit_id and reward.external_income == Decimal("20000.00")
    assert reward.computed_amount == Decimal("2000.00")  # 10% of the confirmed external fees
    services.reward_approve(actor=officer, reward=reward, amount=Decimal("1800.00"), reason="评分扣减")
    services.reward_publicise(actor=officer, reward=reward)
    services.reward_pay(actor=payer, reward=reward, reference="CW-R-1", today=timezone.localdate() + timedelta(days=8))
    reward.refresh_from_db()
    assert reward.status == ProviderReward.Status.PAID and reward.approved_amount == Decimal("1800.00")
    programme.refresh_from_db()
    assert programme.committed == Decimal("3800.00")
    assert services.ledger_check(programme) == []


def test_a_provider_reward_is_capped_per_year(application, officer, programme):
    programme.provider_reward_cap = Decimal("500.00")
    programme.save()
    services.application_approve(actor=officer, application=application)
    (reward,) = services.provider_rewards_compute(actor=officer, programme=programme)
    assert reward.computed_amount == Decimal("500.00")


def test_ledger_entries_are_append_only(application, officer):
    from subsidies.models import AppendOnly

    services.application_approve(actor=officer, application=application)
    entry = LedgerEntry.objects.get()
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
