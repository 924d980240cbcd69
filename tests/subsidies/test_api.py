"""The subsidies API: public programmes; an application from draft to payment with its evidence;
provider confirmation; bureau decisions; provider rewards; who may see and do what (404 for the
rest); replays that write one ledger entry; limits named in a 409; filters and fixed query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from subsidies import services
from subsidies.models import Application, ApplicationLine, EntryKind, Evidence, LedgerEntry, ProviderReward
from tests.bookings.factories import member_of
from tests.factories import DistrictFactory, UnitFactory

from .factories import InstrumentFactory, ProgrammeFactory, confirmed_application, paid_record, pdf_upload

pytestmark = pytest.mark.django_db
S = Application.Status
APPLICATIONS = "/api/v1/subsidy-applications/"
REWARDS = "/api/v1/provider-rewards/"


@pytest.fixture
def api():
    return APIClient()


def as_user(user):
    """A client signed in as a fresh copy of ``user``, as each request loads it (no cached roles)."""
    client = APIClient()
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    return client


@pytest.fixture
def records(tem, enterprise):
    return [
        paid_record(instrument=tem, unit=enterprise, amount=a, days_ago=d) for a, d in (("12000.00", 5), ("8000.00", 6))
    ]


@pytest.fixture
def application(programme, enterprise, admin, records, provider_manager):
    """Confirmed by the provider: 2,000.00 yuan requested (10% of 20,000.00)."""
    return confirmed_application(
        programme=programme, admin=admin, unit=enterprise, records=records, provider_manager=provider_manager
    )


@pytest.fixture
def decider(bureau_group):
    """A bureau officer who decides but does not hold the pay permission (``payer`` is ``officer``
    given it)."""
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True, name="局审核员二")
    user.groups.add(bureau_group)
    return user


@pytest.fixture
def stranger(db):
    """The administrator of another enterprise."""
    return member_of(UnitFactory(name="包头另一家企业", unit_type="enterprise", scale="small"), role="admin")


def url(application, step=""):
    return f"{APPLICATIONS}{application.pk}/" + (f"{step}/" if step else "")


def after_notice(model, obj):
    """The notice period is over (the services take ``today``; the API is always today)."""
    model.objects.filter(pk=obj.pk).update(notice_until=timezone.localdate() - timedelta(days=1))


def ledger(application):
    return list(LedgerEntry.objects.filter(application=application).values_list("kind", "amount"))


# --- Programmes ----------------------------------------------------------------------------------


def test_programmes_are_public_with_their_rules_and_money(api, programme):
    type(programme).objects.filter(pk=programme.pk).update(committed=Decimal("1234.50"))
    body = api.get(f"/api/v1/subsidy-programmes/{programme.pk}/").json()
    assert body["budget"] == "1000000.00" and body["committed"] == "1234.50" and body["remaining"] == "998765.50"
    assert body["base_rate"] == "0.1000" and body["cap_per_enterprise"] == "500000.00"
    assert body["eligible_unit_types"] == ["enterprise"] and "medical" in body["excluded_purposes"]
    assert body["notice_days"] == 7 and body["settlement_cycle"] == "yearly" and body["region"] == "包头市"
    assert api.get("/api/v1/subsidy-programmes/").json()["count"] == 1
    assert api.get("/api/v1/subsidy-programmes/99999999999999999999/").status_code == 404


def test_the_programme_list_takes_the_same_queries_for_one_or_twenty(api, django_assert_num_queries):
    ProgrammeFactory()
    with django_assert_num_queries(4):  # count, rows, tiers, listed units
        assert api.get("/api/v1/subsidy-programmes/").json()["count"] == 1
    ProgrammeFactory.create_batch(19)
    with django_assert_num_queries(4):
        assert api.get("/api/v1/subsidy-programmes/").json()["count"] == 20


# --- The whole flow --------------------------------------------------------------------------------


def test_an_application_from_draft_to_payment_through_the_api(
    programme, enterprise, admin, tem, records, provider_manager, officer, payer
):
    excluded = paid_record(instrument=tem, unit=enterprise, amount="500.00", days_ago=7, purpose="certification")
    applicant = as_user(admin)
    response = applicant.post(
        APPLICATIONS,
        {"programme": programme.pk, "unit": enterprise.pk, "project_name": "稀土抛光粉研发"},
        format="json",
    )
    assert response.status_code == 201, response.content
    draft = Application.objects.get(pk=response.json()["id"])
    assert response.json()["status"] == "draft" and response.json()["viewer_role"] == "applicant"

    rows = {row["service_record"]: row for row in applicant.get(url(draft, "claimable")).json()}
    assert rows[records[0].pk]["claimable"] is True and rows[records[0].pk]["subsidy"] == "1200.00"
    assert rows[excluded.pk]["reason"] == "excluded_purpose" and rows[excluded.pk]["reason_message"]

    response = applicant.patch(
        url(draft), {"service_records": [r.pk for r in records], "note": "发票两张"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["requested_amount"] == "2000.00" and len(response.json()["lines"]) == 2
    steps = applicant.get(url(draft, "arithmetic")).json()
    assert steps["lines_total"] == steps["result"] == "2000.00" and steps["steps"][0]["amount"] == "2000.00"

    upload = applicant.post(
        url(draft, "evidence"),
        {"kind": "invoice", "invoice_number": "15020001-0042", "file": pdf_upload()},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["content_type"] == "application/pdf" and upload.json()["url"].startswith("/subsidies/")
    assert applicant.post(url(draft, "submit")).json()["status"] == "submitted"

    provider = as_user(provider_manager)
    for line in draft.lines.all():
        response = provider.post(url(draft, f"lines/{line.pk}/confirm"))
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "provider_confirmed"

    bureau = as_user(officer)
    assert bureau.post(url(draft, "start-review")).json()["status"] == "under_review"
    response = bureau.post(url(draft, "approve"), {"amount": "1500.00", "reason": "一张发票金额不符"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "partly_approved" and response.json()["approved_amount"] == "1500.00"
    assert bureau.post(url(draft, "publicise")).json()["status"] == "publicised"
    after_notice(Application, draft)
    response = as_user(payer).post(url(draft, "pay"), {"reference": "CW-2026-001"}, format="json")
    assert response.status_code == 200, response.content

    seen = applicant.get(url(draft)).json()
    assert seen["status"] == "paid" and seen["payment_reference"] == "CW-2026-001"
    assert seen["decision_reason"] == "一张发票金额不符" and seen["evidence"][0]["invoice_number"] == "15020001-0042"
    assert ledger(draft) == [(EntryKind.COMMITMENT, Decimal("1500.00")), (EntryKind.PAYMENT, Decimal("1500.00"))]
    assert services.ledger_check(programme) == []


def test_evidence_is_checked_by_its_content(application, admin, officer):
    services.application_return(actor=officer, application=application, reason="补充合同")
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = as_user(admin).post(url(application, "evidence"), {"kind": "contract", "file": fake}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["fields"]
    response = as_user(admin).post(
        url(application, "evidence"), {"kind": "invoice", "file": pdf_upload()}, format="multipart"
    )
    assert response.status_code == 400 and "invoice_number" in response.json()["fields"]


def test_approving_and_paying_again_write_one_ledger_entry_each(application, officer, payer):
    bureau, finance = as_user(officer), as_user(payer)
    for _ in range(3):
        assert bureau.post(url(application, "approve"), {}, format="json").status_code == 200
    bureau.post(url(application, "publicise"))
    after_notice(Application, application)
    for _ in range(2):
        assert finance.post(url(application, "pay"), {"reference": "CW-1"}, format="json").status_code == 200
    assert ledger(application) == [
        (EntryKind.COMMITMENT, Decimal("2000.00")),
        (EntryKind.PAYMENT, Decimal("2000.00")),
    ]


def test_a_decision_over_the_budget_is_refused_naming_the_limit(application, officer, programme):
    type(programme).objects.filter(pk=programme.pk).update(budget=Decimal("1500.00"))
    response = as_user(officer).post(url(application, "approve"), {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and "1,500.00" in body["detail"] and "500.00" in body["detail"]
    assert ledger(application) == []


def test_a_step_the_status_does_not_allow_is_409_and_a_broken_rule_400(application, officer, admin):
    assert as_user(admin).post(url(application, "submit")).status_code == 409
    response = as_user(officer).post(url(application, "approve"), {"amount": "5000.00"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()["fields"]
    response = as_user(officer).post(url(application, "reject"), {"reason": "  "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = as_user(admin).patch(url(application), {"note": "改"}, format="json")
    assert response.status_code == 400  # no longer editable


def test_a_provider_disputes_a_line_and_the_applicant_sees_why(programme, enterprise, admin, records, provider_manager):
    draft = services.application_create(actor=admin, programme=programme, unit=enterprise)
    services.application_set_lines(actor=admin, application=draft, record_ids=[r.pk for r in records])
    services.evidence_add(actor=admin, application=draft, kind="invoice", file=pdf_upload(), invoice_number="1")
    services.application_submit(actor=admin, application=draft)
    line = draft.lines.first()
    provider = as_user(provider_manager)
    assert provider.post(url(draft, f"lines/{line.pk}/dispute"), {}, format="json").status_code == 400
    response = provider.post(url(draft, f"lines/{line.pk}/dispute"), {"reason": "未做此项测试"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    seen = as_user(admin).get(url(draft)).json()
    assert "未做此项测试" in seen["decision_reason"]
    assert {row["provider_status"] for row in seen["lines"]} == {"disputed", "pending"}


# --- Who may see and do what -----------------------------------------------------------------------


def test_an_enterprise_cannot_see_or_touch_another_enterprises_application(application, stranger, api):
    other = as_user(stranger)
    assert other.get(url(application)).status_code == 404
    assert other.get(APPLICATIONS).json()["count"] == 0
    for step in ("claimable", "arithmetic"):
        assert other.get(url(application, step)).status_code == 404
    assert other.patch(url(application), {"note": "x"}, format="json").status_code == 404
    assert other.post(url(application, "withdraw")).status_code == 404
    assert api.get(APPLICATIONS).status_code in (401, 403)
    assert api.get(url(application)).status_code in (401, 403)


def test_an_ordinary_member_reads_the_unit_application_but_only_its_administrators_act(application, enterprise):
    member = as_user(member_of(enterprise, role="member"))
    assert member.get(url(application)).json()["viewer_role"] == "applicant"
    assert member.post(url(application, "withdraw")).status_code == 404


def test_a_provider_sees_only_the_lines_of_its_own_instruments(
    programme, enterprise, admin, records, tem, provider_manager
):
    other_provider = UnitFactory(name="包头另一所大学")
    other_manager = member_of(other_provider, role="manager")
    elsewhere = paid_record(instrument=InstrumentFactory(unit=other_provider, city="包头市"), unit=enterprise)
    draft = services.application_create(actor=admin, programme=programme, unit=enterprise, note="内部说明")
    services.application_set_lines(actor=admin, application=draft, record_ids=[*[r.pk for r in records], elsewhere.pk])
    services.evidence_add(actor=admin, application=draft, kind="invoice", file=pdf_upload(), invoice_number="9")

    provider = as_user(provider_manager)
    assert provider.get(url(draft)).status_code == 404  # a draft is the applicant's alone
    assert provider.get(APPLICATIONS).json()["count"] == 0
    services.application_submit(actor=admin, application=draft)

    seen = provider.get(url(draft)).json()
    assert seen["viewer_role"] == "provider"
    assert {line["service_record"] for line in seen["lines"]} == {r.pk for r in records}
    assert seen["note"] == "" and seen["evidence"] == []
    listed = provider.get(APPLICATIONS).json()["results"]
    assert [len(a["lines"]) for a in listed] == [2]
    assert provider.get(url(draft, "claimable")).status_code == 404
    assert provider.get(url(draft, "arithmetic")).status_code == 404

    theirs = draft.lines.get(service_record=elsewhere)
    assert provider.post(url(draft, f"lines/{theirs.pk}/confirm")).status_code == 404
    assert as_user(other_manager).post(url(draft, f"lines/{theirs.pk}/confirm")).status_code == 200
    theirs.refresh_from_db()
    assert theirs.provider_status == ApplicationLine.ProviderStatus.CONFIRMED
    assert as_user(admin).get(url(draft)).json()["note"] == "内部说明"


@pytest.mark.parametrize("step", ["start-review", "approve", "publicise"])
def test_only_bureau_staff_decide(application, admin, provider_manager, officer, step):
    for user in (admin, provider_manager):
        assert as_user(user).post(url(application, step), {}, format="json").status_code == 404
    assert as_user(officer).post(url(application, "approve"), {}, format="json").status_code == 200


def test_only_holders_of_the_pay_permission_pay_and_claw_back(application, decider, payer):
    services.application_approve(actor=decider, application=application)
    services.application_publicise(actor=decider, application=application)
    after_notice(Application, application)
    assert as_user(decider).post(url(application, "pay"), {"reference": "CW-9"}, format="json").status_code == 404
    assert as_user(payer).post(url(application, "pay"), {"reference": "CW-9"}, format="json").status_code == 200
    response = as_user(decider).post(url(application, "claw-back"), {"reason": "虚假发票"}, format="json")
    assert response.status_code == 404
    response = as_user(payer).post(url(application, "claw-back"), {"reason": "虚假发票"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "clawed_back"


def test_bureau_staff_see_every_application_and_return_or_reduce(application, officer):
    bureau = as_user(officer)
    assert bureau.get(APPLICATIONS).json()["results"][0]["viewer_role"] == "bureau"
    assert bureau.post(url(application, "return"), {"reason": "补充合同"}, format="json").json()["status"] == "returned"
    application.refresh_from_db()
    assert application.status == S.RETURNED


def test_reduce_releases_the_difference(application, officer, programme):
    services.application_approve(actor=officer, application=application)
    response = as_user(officer).post(url(application, "reduce"), {"amount": "1200.00", "reason": "核减"}, format="json")
    assert response.status_code == 200 and response.json()["approved_amount"] == "1200.00"
    programme.refresh_from_db()
    assert programme.committed == Decimal("1200.00")


# --- Filters and query counts ----------------------------------------------------------------------


def _application(programme, unit, user, amount, status=S.SUBMITTED, provider=None, records=1):
    """An application row with ``records`` lines of a provider's instrument and one evidence file
    (written directly: the list's shape, not the workflow, is under test)."""
    application = Application.objects.create(
        programme=programme,
        unit=unit,
        created_by=user,
        status=status,
        requested_amount=Decimal(amount),
        submitted_at=timezone.now(),
    )
    instrument = InstrumentFactory(unit=provider or UnitFactory(), city="包头市")
    for _ in range(records):
        record = paid_record(instrument=instrument, unit=unit)
        ApplicationLine.objects.create(
            application=application,
            service_record=record,
            provider=instrument.unit,
            fee=record.amount,
            rate=Decimal("0.1"),
            subsidy=record.amount / 10,
        )
    Evidence.objects.create(
        application=application,
        kind="invoice",
        invoice_number="1",
        file="x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
    )
    return application


def test_filters_by_programme_status_unit_district_scale_and_amount(officer, enterprise, admin, programme):
    north = DistrictFactory(code="150299", name="北区")
    medium = UnitFactory(unit_type="enterprise", scale="medium", district=north)
    other = ProgrammeFactory()
    small_one = _application(programme, enterprise, admin, "800.00")
    medium_one = _application(other, medium, admin, "5000.00", status=S.APPROVED)
    bureau = as_user(officer)

    def ids(**query):
        response = bureau.get(APPLICATIONS, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(programme=other.pk) == {medium_one.pk}
    assert ids(status="submitted") == {small_one.pk}
    assert ids(unit=enterprise.pk) == {small_one.pk}
    assert ids(district=north.pk) == {medium_one.pk}
    assert ids(scale="small") == {small_one.pk}
    assert ids(min_amount="1000") == {medium_one.pk}
    assert ids(max_amount="800.00") == {small_one.pk}
    assert ids(unit=999999) == set()
    assert bureau.get(APPLICATIONS, {"status": ""}).status_code == 400
    assert bureau.get(APPLICATIONS, {"min_amount": "-1"}).status_code == 400
    assert bureau.get(APPLICATIONS, {"programme": "0"}).status_code == 400


@pytest.mark.parametrize("who", ["officer", "admin", "provider_manager"])
def test_the_list_takes_the_same_queries_for_one_or_twenty(
    request, who, programme, enterprise, admin, provider, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    _application(programme, enterprise, admin, "100.00", provider=provider, records=2)
    # the viewer's units (2) and, for staff, the bureau group; count, rows, lines, evidence
    client = as_user(user)
    with django_assert_num_queries(7 if who == "officer" else 6) as one:
        assert client.get(APPLICATIONS).json()["count"] == 1
    for _ in range(19):
        _application(programme, enterprise, admin, "100.00", provider=provider, records=2)
    client = as_user(user)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(APPLICATIONS).json()["count"] == 20


# --- Provider rewards ------------------------------------------------------------------------------


@pytest.fixture
def reward(application, officer, programme):
    services.application_approve(actor=officer, application=application)
    response = as_user(officer).post(f"{REWARDS}compute/", {"programme": programme.pk}, format="json")
    assert response.status_code == 200, response.content
    assert [(r["external_income"], r["computed_amount"]) for r in response.json()] == [("20000.00", "2000.00")]
    return ProviderReward.objects.get()


def test_rewards_are_computed_decided_and_paid_by_the_bureau(reward, decider, payer, provider_manager, stranger):
    assert as_user(provider_manager).get(REWARDS).json()["count"] == 1
    assert as_user(stranger).get(REWARDS).json()["count"] == 0
    assert as_user(stranger).get(f"{REWARDS}{reward.pk}/").status_code == 404
    assert as_user(provider_manager).post(f"{REWARDS}{reward.pk}/approve/", {}, format="json").status_code == 404
    bureau = as_user(decider)
    for _ in range(2):
        assert bureau.post(f"{REWARDS}{reward.pk}/approve/", {}, format="json").json()["status"] == "approved"
    assert bureau.post(f"{REWARDS}{reward.pk}/publicise/").json()["status"] == "publicised"
    after_notice(ProviderReward, reward)
    assert bureau.post(f"{REWARDS}{reward.pk}/pay/", {"reference": "CW-R1"}, format="json").status_code == 404
    for _ in range(2):
        response = as_user(payer).post(f"{REWARDS}{reward.pk}/pay/", {"reference": "CW-R1"}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "paid"
    kinds = list(LedgerEntry.objects.filter(reward=reward).values_list("kind", flat=True))
    assert kinds == [EntryKind.COMMITMENT, EntryKind.PAYMENT]


def test_only_the_bureau_computes_rewards(application, admin, provider_manager, programme):
    for user in (admin, provider_manager):
        response = as_user(user).post(f"{REWARDS}compute/", {"programme": programme.pk}, format="json")
        assert response.status_code == 404
    assert not ProviderReward.objects.exists()


def test_the_reward_list_takes_the_same_queries_for_one_or_twenty(officer, programme, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            ProviderReward.objects.create(
                programme=programme, unit=UnitFactory(), external_income=1000, rate="0.1", computed_amount=100
            )

    make(1)
    client = as_user(officer)
    with django_assert_num_queries(5) as one:  # the viewer's units and bureau group, count, rows
        assert client.get(REWARDS).json()["count"] == 1
    make(19)
    client = as_user(officer)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(REWARDS).json()["count"] == 20


# --- The schema ------------------------------------------------------------------------------------


def test_every_subsidy_operation_is_in_the_schema(api):
    paths = api.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert {"/api/v1/subsidy-programmes/", "/api/v1/subsidy-programmes/{id}/", "/api/v1/provider-rewards/compute/"} <= (
        paths.keys()
    )
    confirm = paths["/api/v1/subsidy-applications/{id}/lines/{line_id}/confirm/"]["post"]
    assert set(confirm["responses"]) >= {"200", "404", "409"}
    upload = paths["/api/v1/subsidy-applications/{id}/evidence/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
