"""Which services can be claimed and why not, the rate that applies, and the arithmetic to the fen."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import ServicePurpose, ServiceWay
from core.exceptions import DomainError
from members.models import Unit, UnitGroup
from subsidies import rules, selectors, services
from subsidies.models import Application, TierCondition
from tests.factories import UnitFactory

from .factories import InstrumentFactory, ProgrammeFactory, confirmed_application, paid_record, tier

pytestmark = pytest.mark.django_db


def problem_of(programme, enterprise, record):
    rows = selectors.claimable_records(programme=programme, unit=enterprise)
    (row,) = [r for r in rows if r["record"].pk == record.pk]
    return row["problem"] and row["problem"].code


def test_an_eligible_service_has_no_reason(programme, enterprise, tem):
    assert problem_of(programme, enterprise, paid_record(instrument=tem, unit=enterprise)) is None


def test_a_service_of_the_applicants_own_unit_is_not_claimable(programme, enterprise):
    own = InstrumentFactory(unit=enterprise, city="包头市")
    assert problem_of(programme, enterprise, paid_record(instrument=own, unit=enterprise)) == "own_unit"


def test_a_service_of_a_related_unit_is_not_claimable_once_the_group_is_confirmed(programme, enterprise):
    sister = UnitFactory(unit_type=Unit.Type.ENTERPRISE)
    group = UnitGroup.objects.create(name="海联控股", controller="李海")
    Unit.objects.filter(pk__in=[enterprise.pk, sister.pk]).update(group=group, group_confirmed=False)
    record = paid_record(instrument=InstrumentFactory(unit=sister, city="包头市"), unit=enterprise)
    assert problem_of(programme, enterprise, record) is None  # a declaration alone does not count
    Unit.objects.filter(pk__in=[enterprise.pk, sister.pk]).update(group_confirmed=True)
    assert problem_of(programme, enterprise, record) == "related_unit"


@pytest.mark.parametrize("purpose", ["certification", "enforcement", "commercial", "medical"])
def test_each_excluded_purpose_is_not_claimable(programme, enterprise, tem, purpose):
    record = paid_record(instrument=tem, unit=enterprise, purpose=purpose)
    assert problem_of(programme, enterprise, record) == "excluded_purpose"
    assert paid_record(instrument=tem, unit=enterprise, purpose=ServicePurpose.RD, days_ago=3).purpose == "rd"


def test_a_service_way_the_programme_does_not_cover(enterprise, tem):
    programme = ProgrammeFactory(eligible_service_ways=[ServiceWay.COMMISSION])
    record = paid_record(instrument=tem, unit=enterprise, service_way=ServiceWay.REMOTE)
    assert problem_of(programme, enterprise, record) == "excluded_way"


def test_a_service_outside_the_service_period(programme, enterprise, tem):
    record = paid_record(instrument=tem, unit=enterprise, days_ago=200)
    assert problem_of(programme, enterprise, record) == "outside_window"


def test_an_instrument_below_the_value_line(programme, enterprise, provider):
    cheap = InstrumentFactory(unit=provider, original_value=Decimal("199999.99"), city="包头市")
    assert problem_of(programme, enterprise, paid_record(instrument=cheap, unit=enterprise)) == "below_value"


def test_a_provider_outside_the_region(programme, enterprise, provider):
    far = InstrumentFactory(unit=provider, city="青岛市")
    assert problem_of(programme, enterprise, paid_record(instrument=far, unit=enterprise)) == "outside_region"
    programme.providers_in_region = False
    assert problem_of(programme, enterprise, paid_record(instrument=far, unit=enterprise, days_ago=4)) is None


def test_a_service_not_yet_paid(programme, enterprise, tem):
    assert problem_of(programme, enterprise, paid_record(instrument=tem, unit=enterprise, paid_on=None)) == "not_paid"


def test_a_service_already_claimed_elsewhere(programme, enterprise, admin, tem, provider_manager):
    record = paid_record(instrument=tem, unit=enterprise)
    confirmed_application(
        programme=programme, admin=admin, unit=enterprise, records=[record], provider_manager=provider_manager
    )
    assert problem_of(programme, enterprise, record) == "already_claimed"
    second = services.application_create(actor=admin, programme=programme, unit=enterprise)
    with pytest.raises(DomainError, match="Already claimed|已"):
        services.application_set_lines(actor=admin, application=second, record_ids=[record.pk])


def test_the_database_keeps_a_record_in_one_live_line(programme, enterprise, admin, tem):
    from django.db import IntegrityError, transaction

    from subsidies.models import ApplicationLine

    record = paid_record(instrument=tem, unit=enterprise)
    a = services.application_create(actor=admin, programme=programme, unit=enterprise)
    b = services.application_create(actor=admin, programme=programme, unit=enterprise)
    fields = {
        "service_record": record,
        "provider": tem.unit,
        "fee": record.amount,
        "rate": Decimal("0.1"),
        "subsidy": Decimal("100"),
    }
    ApplicationLine.objects.create(application=a, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationLine.objects.create(application=b, **fields)
    ApplicationLine.objects.filter(application=a).update(live=False)
    ApplicationLine.objects.create(application=b, **fields)  # a dead claim frees the record


def test_an_applicant_of_an_ineligible_type_or_scale_cannot_apply(admin, enterprise):
    programme = ProgrammeFactory(eligible_scales=[Unit.Scale.MEDIUM])
    with pytest.raises(DomainError, match="scale|规模"):
        services.application_create(actor=admin, programme=programme, unit=enterprise)
    programme = ProgrammeFactory(eligible_unit_types=[Unit.Type.UNIVERSITY])
    with pytest.raises(DomainError):
        services.application_create(actor=admin, programme=programme, unit=enterprise)


def test_applications_outside_the_window_are_refused(admin, enterprise):
    today = timezone.localdate()
    programme = ProgrammeFactory(applies_from=today - timedelta(days=60), applies_until=today - timedelta(days=1))
    with pytest.raises(DomainError):
        services.application_create(actor=admin, programme=programme, unit=enterprise)


def test_only_the_highest_tier_applies(programme, enterprise, tem):
    tier(programme, TierCondition.HIGH_TECH, "0.2000")
    tier(programme, TierCondition.PLAN_PROJECT, "0.3000")
    tier(programme, TierCondition.LISTED, "0.2500")
    plain = paid_record(instrument=tem, unit=enterprise)
    planned = paid_record(instrument=tem, unit=enterprise, funding_source="provincial", days_ago=4)
    assert rules.line_rate(programme, enterprise, plain) == Decimal("0.1000")
    enterprise.is_high_tech = True
    assert rules.line_rate(programme, enterprise, plain) == Decimal("0.2000")
    programme.listed_units.add(enterprise)
    assert rules.line_rate(programme, enterprise, plain) == Decimal("0.2500")
    assert rules.line_rate(programme, enterprise, planned) == Decimal("0.3000")  # not 0.1 + 0.2 + 0.3


def test_each_line_is_rounded_half_up_once_and_the_total_is_their_sum(programme, enterprise, admin, tem):
    # 333.30 × 10% = 33.33; 0.05 × 10% = 0.005 → 0.01 (half up); 10.05 × 10% = 1.005 → 1.01
    records = [
        paid_record(instrument=tem, unit=enterprise, amount=a, days_ago=d)
        for a, d in (("333.30", 3), ("0.05", 4), ("10.05", 5))
    ]
    application = services.application_create(actor=admin, programme=programme, unit=enterprise)
    services.application_set_lines(actor=admin, application=application, record_ids=[r.pk for r in records])
    subsidies = sorted(line.subsidy for line in application.lines.all())
    assert subsidies == [Decimal("0.01"), Decimal("1.01"), Decimal("33.33")]
    application.refresh_from_db()
    assert application.requested_amount == Decimal("34.35") == sum(subsidies)


def test_the_cap_per_application_and_the_remaining_enterprise_cap_show_their_steps(enterprise, admin, tem):
    programme = ProgrammeFactory(cap_per_application=Decimal("50000.00"), cap_per_enterprise=Decimal("60000.00"))
    records = [paid_record(instrument=tem, unit=enterprise, amount="400000.00", days_ago=d) for d in (3, 4)]
    application = services.application_create(actor=admin, programme=programme, unit=enterprise)
    services.application_set_lines(actor=admin, application=application, record_ids=[r.pk for r in records])
    steps = selectors.application_arithmetic(application).steps
    assert [s.amount for s in steps] == [Decimal("80000.00"), Decimal("50000.00")]
    from subsidies.models import CapCounter

    CapCounter.objects.create(
        programme=programme,
        kind="applicant",
        holder_key=f"unit:{enterprise.pk}",
        cap=programme.cap_per_enterprise,
        granted=Decimal("20000.00"),
    )
    arithmetic = selectors.application_arithmetic(application)
    assert [s.amount for s in arithmetic.steps] == [Decimal("80000.00"), Decimal("50000.00"), Decimal("40000.00")]
    assert arithmetic.result == Decimal("40000.00")


def test_a_programme_cannot_be_changed_below_money_committed(
    programme, enterprise, admin, tem, provider_manager, officer
):
    record = paid_record(instrument=tem, unit=enterprise, amount="50000.00")
    application = confirmed_application(
        programme=programme, admin=admin, unit=enterprise, records=[record], provider_manager=provider_manager
    )
    services.application_approve(actor=officer, application=application)
    with pytest.raises(DomainError) as err:
        services.programme_update(actor=officer, programme=programme, budget=Decimal("4999.99"))
    assert err.value.field == "budget"
    with pytest.raises(DomainError) as err:
        services.programme_update(actor=officer, programme=programme, cap_per_enterprise=Decimal("4000.00"))
    assert err.value.field == "cap_per_enterprise"
    services.programme_update(actor=officer, programme=programme, cap_per_enterprise=Decimal("6000.00"))
    assert programme.counters.get().cap == Decimal("6000.00")
    assert application.lines.count() == 1 and Application.objects.get().approved_amount == Decimal("5000.00")


def test_presets_fill_the_city_values(officer):
    qingdao = services.programme_create(
        actor=officer,
        preset="qingdao",
        name="青岛市大型仪器共享补助",
        year=2026,
        services_from="2026-01-01",
        services_until="2026-12-31",
        applies_from="2026-12-01",
        applies_until="2027-01-31",
        budget=Decimal("3000000.00"),
    )
    assert qingdao.base_rate == Decimal("0.1000") and qingdao.cap_per_enterprise == Decimal("500000.00")
    assert qingdao.provider_reward_cap == Decimal("2000000.00") and qingdao.notice_days == 7
    assert list(qingdao.tiers.values_list("condition", "rate")) == [("high_tech", Decimal("0.2000"))]
    chongqing = services.programme_create(
        actor=officer,
        preset="chongqing",
        name="重庆市大型仪器补助",
        year=2026,
        services_from="2026-01-01",
        services_until="2026-06-30",
        applies_from="2026-07-01",
        applies_until="2026-07-31",
        budget=Decimal("1000000.00"),
        base_rate=Decimal("0.1200"),
    )
    assert chongqing.base_rate == Decimal("0.1200")  # a given value wins over the preset
    assert chongqing.cap_per_application == Decimal("50000.00") and chongqing.settlement_cycle == "half_yearly"
    assert sorted(chongqing.tiers.values_list("rate", flat=True)) == [Decimal("0.2000"), Decimal("0.3000")]
    # The history says which preset, in the reader's language.
    from django.utils.translation import override

    from core.transitions import history_note
    from subsidies.models import Programme

    created = qingdao.history.earliest("history_date").history_change_reason
    assert created == "created: qingdao"
    with override("en"):
        assert history_note(Programme, created) == "Created: Qingdao (reimbursement)"
        assert history_note(Programme, "created: by hand") == "Created: by hand"
    with override("zh-hans"):
        assert history_note(Programme, created).startswith("已创建：") and "qingdao" not in history_note(
            Programme, created
        )
