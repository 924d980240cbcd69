"""The subsidies demo: last year's programme closed and paid, this year's open with applications in
every state, all made through the services from eligible services; the ledger balanced; a second
run adds nothing."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from bookings.demo import seed as seed_bookings
from bookings.models import ServicePurpose, ServiceRecord
from instruments.models import Instrument
from members.demo import seed as seed_members
from members.models import Notification, Unit
from members.selectors import units_related
from subsidies import demo, rules, selectors, services
from subsidies.demo.actors import INVOICE_PREFIX, Actors, Records
from subsidies.models import (
    Application,
    ApplicationLine,
    Evidence,
    LedgerEntry,
    Programme,
    ProviderReward,
    TierCondition,
)
from subsidies.permissions import can_decide, can_pay
from tests.bookings.factories import FeeItemFactory, InstrumentFactory, weekday_hours

from .factories import ProgrammeFactory
from .test_voucher_demo import check_the_voucher_demo

pytestmark = pytest.mark.django_db
S = Application.Status


def _world():
    """The members demo, a dozen external instruments of two public bodies in 包头市, and the
    bookings demo's year of services on them."""
    units = seed_members()
    for i in range(12):
        instrument = InstrumentFactory(
            unit=units["内蒙古科技大学"] if i < 5 else units["包头稀土研究院"],
            name=f"演示仪器{i}",
            city="包头市",
            sharing_mode=Instrument.SharingMode.EXTERNAL,
            original_value=Decimal("850000.00"),
        )
        weekday_hours(instrument, weekdays=[0, 1, 2, 3, 4])
        FeeItemFactory(instrument=instrument, external_price=Decimal("600.00"))
    seed_bookings()
    return units


def _counts():
    return tuple(
        model.objects.count()
        for model in (
            Programme,
            Application,
            ApplicationLine,
            Evidence,
            LedgerEntry,
            ProviderReward,
            ServiceRecord,
            Notification,
        )
    )


def test_without_service_records_it_does_nothing():
    seed_members()
    demo.seed()
    assert not Programme.objects.exists()


def test_the_demo(django_user_model):
    """One seeded world (seeding is the slow part), checked part by part, then seeded again."""
    _world()
    demo.seed()
    today = timezone.localdate()
    open_ = Programme.objects.get(year=today.year, mode="reimbursement")  # the voucher one is of this year too
    closed = Programme.objects.get(year=today.year - 1)
    check_the_open_programme_is_qingdaos_with_every_state(open_, django_user_model)
    check_the_notice_page_shows_the_publicised_ones(open_)
    check_the_closed_programme_is_paid_and_mostly_used(closed)
    check_the_ledgers_balance_and_claims_are_eligible([open_, closed])
    check_the_finance_officer_pays_and_nobody_is_mailed(django_user_model)
    check_the_voucher_demo()
    assert 20 <= Application.objects.count() <= 40
    counts = _counts()
    demo.seed()
    assert _counts() == counts


def check_the_open_programme_is_qingdaos_with_every_state(programme, django_user_model):
    today = timezone.localdate()
    assert programme in selectors.programme_list_open()
    assert programme.applies_from < today < programme.applies_until
    assert (programme.base_rate, programme.min_instrument_value) == (Decimal("0.1000"), Decimal("200000.00"))
    assert programme.region_city == "包头市" and programme.budget == Decimal("3000000.00")
    assert programme.tiers.get().condition == TierCondition.HIGH_TECH
    applications = Application.objects.filter(programme=programme)
    statuses = set(applications.values_list("status", flat=True))
    wanted = {
        S.DRAFT,
        S.SUBMITTED,
        S.RETURNED,
        S.PROVIDER_CONFIRMED,
        S.UNDER_REVIEW,
        S.APPROVED,
        S.PARTLY_APPROVED,
        S.REJECTED,
        S.PUBLICISED,
        S.PAID,
    }
    assert wanted <= statuses
    returned = applications.filter(status=S.RETURNED)
    disputed = returned.filter(lines__provider_status=ApplicationLine.ProviderStatus.DISPUTED).distinct()
    assert disputed.count() >= 1 and returned.exclude(pk__in=disputed).count() >= 1  # a provider's and the bureau's
    for partly in applications.filter(status=S.PARTLY_APPROVED):
        assert partly.decision_reason and 0 < partly.approved_amount < partly.requested_amount
    assert applications.filter(status=S.DRAFT, lines__isnull=False, evidence__kind=Evidence.Kind.INVOICE).exists()
    # 张伟 finds a draft ready to submit; 赵磊 finds claims of his unit's instruments to confirm.
    assert applications.filter(status=S.DRAFT, created_by__email="enterprise@demo.local").exists()
    manager = django_user_model.objects.get(email="manager@demo.local")
    assert selectors.provider_lines(user=manager, pending_only=True).exists()
    # Two units of the 一机 group share the group's cap.
    assert applications.filter(holder_key__startswith="group:").count() >= 2


def check_the_notice_page_shows_the_publicised_ones(programme):
    on_notice, _rewards = selectors.notice_list()
    assert on_notice.filter(programme=programme).count() >= 1
    for application in Application.objects.filter(programme=programme, status=S.PAID):
        assert application.notice_until < timezone.localdate() and application.payment_reference


def check_the_closed_programme_is_paid_and_mostly_used(programme):
    today = timezone.localdate()
    assert programme.applies_until < today and programme not in selectors.programme_list_open()
    assert (
        programme.services_from.year == programme.services_until.year == programme.applies_until.year == today.year - 1
    )
    applications = Application.objects.filter(programme=programme)
    assert applications.filter(status=S.PAID).count() >= 5
    assert applications.filter(status=S.PAID, created_by__email="enterprise@demo.local").exists()
    rewards = ProviderReward.objects.filter(programme=programme)
    assert rewards.exists() and not rewards.exclude(status=ProviderReward.Status.PAID).exists()
    assert rewards.filter(approved_amount__lt=F("computed_amount")).exists()
    assert Decimal("0.85") <= programme.committed / programme.budget <= 1


def check_the_ledgers_balance_and_claims_are_eligible(programmes):
    for programme in programmes:
        assert services.ledger_check(programme) == []
        for line in ApplicationLine.objects.filter(application__programme=programme).select_related(
            "service_record__instrument", "application__unit"
        ):
            record, applicant = line.service_record, line.application.unit
            assert applicant.unit_type == Unit.Type.ENTERPRISE
            assert record.is_external and not units_related(record.instrument.unit_id, applicant.pk)
            assert record.purpose == ServicePurpose.RD and record.paid_on is not None
            started = timezone.localdate(record.started_at)
            assert programme.services_from <= started <= programme.services_until


def check_the_finance_officer_pays_and_nobody_is_mailed(django_user_model):
    finance = django_user_model.objects.get(email="finance@demo.local")
    bureau = django_user_model.objects.get(email="bureau@demo.local")
    assert can_pay(finance) and can_decide(finance) and can_decide(bureau) and not can_pay(bureau)
    assert not Application.objects.filter(status=S.PAID).exclude(ledger__created_by=finance).exists()
    assert not Notification.objects.filter(sent_at__isnull=True, url__contains="/subsidies/").exists()


def test_where_the_demo_has_too_few_services_the_provider_enters_them(django_user_model):
    units = seed_members()
    provider, unit = units["内蒙古科技大学"], units["包头稀宝新材料科技有限公司"]
    instrument = InstrumentFactory(unit=provider, city="包头市", sharing_mode=Instrument.SharingMode.EXTERNAL)
    FeeItemFactory(instrument=instrument, external_price=Decimal("600.00"))
    year = timezone.localdate().year - 1
    programme = ProgrammeFactory(services_from=date(year, 1, 1), services_until=date(year, 12, 31))
    rng = random.Random(demo.SEED)
    records = Records(rng, Actors(rng), timezone.localdate())
    taken = records.take(programme, unit, 3, until=date(year, 12, 31))
    assert len(taken) == records.entered == 3
    for record in taken:
        record.refresh_from_db()
        assert rules.record_problem(programme, unit, record, claimed=False) is None
        assert record.created_by.email == "manager@demo.local" and record.invoice_number.startswith(INVOICE_PREFIX)
    assert len({r.invoice_number for r in taken}) == 3
