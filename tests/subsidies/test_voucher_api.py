"""The voucher API: an enterprise applies for a quota, the bureau grants it, a completed booking draws
on it and the voucher shows the draw; the provider redeems an ended period and the bureau approves,
publicises and pays. Who may see and do what (404 for the rest); replays that write one ledger entry;
a grant over the budget named in a 409; filters and fixed query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from subsidies import services
from subsidies.models import EntryKind, LedgerEntry, Voucher, VoucherDraw, VoucherRedemption
from tests.bookings.factories import member_of
from tests.factories import UnitFactory

from .factories import InstrumentFactory, paid_record
from .voucher_factories import completed_booking, granted_voucher, voucher_programme

pytestmark = pytest.mark.django_db
VOUCHERS = "/api/v1/vouchers/"
REDEMPTIONS = "/api/v1/voucher-redemptions/"


def as_user(user):
    """A client signed in as a fresh copy of ``user``, as each request loads it (no cached roles)."""
    client = APIClient()
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    return client


def url(base, obj, step=""):
    return f"{base}{obj.pk}/" + (f"{step}/" if step else "")


@pytest.fixture
def programme(db):
    """A Shanghai-like voucher programme: the voucher pays 50% of the fee."""
    return voucher_programme()


@pytest.fixture
def voucher(programme, admin, enterprise, officer):
    """Granted 10,000.00 yuan, valid from a month ago (so past services draw on it)."""
    voucher = granted_voucher(programme=programme, admin=admin, unit=enterprise, officer=officer)
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=30))
    return voucher


@pytest.fixture
def period():
    today = timezone.localdate()
    return {"period_start": today - timedelta(days=10), "period_end": today - timedelta(days=1)}


@pytest.fixture
def redemption(voucher, programme, tem, admin, enterprise, provider, provider_manager, period):
    """The provider's submitted claim for one voucher-paid service two days ago (1,500.00 yuan)."""
    completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager, hours_ago=50)
    redemption = services.redemption_create(actor=provider_manager, programme=programme, provider=provider, **period)
    return services.redemption_submit(actor=provider_manager, redemption=redemption)


@pytest.fixture
def stranger(db):
    """The administrator of another enterprise."""
    return member_of(UnitFactory(name="包头另一家企业", unit_type="enterprise", scale="small"), role="admin")


@pytest.fixture
def other_manager(db):
    """A manager of another provider unit."""
    return member_of(UnitFactory(name="包头另一所大学"), role="manager")


def after_notice(redemption):
    """The notice period is over (the services take ``today``; the API is always today)."""
    VoucherRedemption.objects.filter(pk=redemption.pk).update(notice_until=timezone.localdate() - timedelta(days=1))


def ledger(**subject):
    return list(LedgerEntry.objects.filter(**subject).values_list("kind", "amount"))


def dates(period):
    return {key: value.isoformat() for key, value in period.items()}


# --- The whole flow --------------------------------------------------------------------------------


def test_a_voucher_from_application_to_a_paid_redemption_through_the_api(
    programme, enterprise, admin, tem, provider, provider_manager, officer, payer, period
):
    applicant = as_user(admin)
    response = applicant.post(
        VOUCHERS,
        {
            "programme": programme.pk,
            "unit": enterprise.pk,
            "amount": "10000",
            "purpose": "钕铁硼磁体研发测试",
            "project_name": "高性能稀土永磁材料",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested" and body["requested_amount"] == "10000.00" and body["quota"] == "0.00"
    assert body["number"].startswith(f"V{programme.year}-") and body["draws"] == []
    voucher = Voucher.objects.get(pk=body["id"])

    response = as_user(officer).post(url(VOUCHERS, voucher, "grant"), {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "granted" and body["quota"] == "10000.00" and body["remaining"] == "10000.00"
    assert body["valid_from"] == timezone.localdate().isoformat() and body["valid_until"]
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=30))

    record = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager, hours_ago=50)
    seen = applicant.get(url(VOUCHERS, voucher)).json()
    assert (seen["status"], seen["drawn"], seen["remaining"]) == ("active", "1500.00", "8500.00")
    (draw,) = seen["draws"]
    assert draw["service_record"] == record.pk and draw["instrument"] == tem.pk and draw["provider"] == provider.pk
    assert (draw["charged"], draw["paid_by_voucher"], draw["paid_by_user"]) == ("3000.00", "1500.00", "1500.00")
    assert draw["started_at"] and draw["instrument_name"] == tem.name

    claimant = as_user(provider_manager)
    response = claimant.post(
        REDEMPTIONS, {"programme": programme.pk, "provider": provider.pk, **dates(period)}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["services"]) == ("draft", "1500.00", 1)
    assert body["draws"][0]["voucher_number"] == seen["number"] and body["draws"][0]["unit"] == enterprise.pk
    redemption = VoucherRedemption.objects.get(pk=body["id"])
    assert claimant.post(url(REDEMPTIONS, redemption, "submit")).json()["status"] == "submitted"

    bureau = as_user(officer)
    assert bureau.post(url(REDEMPTIONS, redemption, "start-review")).json()["status"] == "under_review"
    response = bureau.post(url(REDEMPTIONS, redemption, "approve"), {"reason": "服务记录与发票一致"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert bureau.post(url(REDEMPTIONS, redemption, "publicise")).json()["status"] == "publicised"
    after_notice(redemption)
    response = as_user(payer).post(url(REDEMPTIONS, redemption, "pay"), {"reference": "CW-V-2026-001"}, format="json")
    assert response.status_code == 200, response.content
    body = claimant.get(url(REDEMPTIONS, redemption)).json()
    assert (body["status"], body["payment_reference"], body["decision_reason"]) == (
        "paid",
        "CW-V-2026-001",
        "服务记录与发票一致",
    )
    assert ledger(voucher=voucher) == [(EntryKind.GRANT, Decimal("10000.00")), (EntryKind.DRAW, Decimal("1500.00"))]
    assert ledger(redemption=redemption) == [(EntryKind.REDEMPTION, Decimal("1500.00"))]
    assert services.ledger_check(programme) == []


def test_a_smaller_grant_needs_a_reason_and_the_enterprise_sees_it(programme, admin, enterprise, officer):
    voucher = services.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("5000"), purpose="x"
    )
    bureau = as_user(officer)
    response = bureau.post(url(VOUCHERS, voucher, "grant"), {"amount": "3000.00"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = bureau.post(url(VOUCHERS, voucher, "grant"), {"amount": "6000.00", "reason": "多"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()["fields"]
    response = bureau.post(url(VOUCHERS, voucher, "grant"), {"amount": "3000.00", "reason": "预算有限"}, format="json")
    assert response.status_code == 200 and response.json()["quota"] == "3000.00"
    seen = as_user(admin).get(url(VOUCHERS, voucher)).json()
    assert seen["decision_reason"] == "预算有限" and seen["remaining"] == "3000.00"


def test_a_refusal_needs_a_reason_and_a_refused_voucher_cannot_be_granted(programme, admin, enterprise, officer):
    voucher = services.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("5000"), purpose="x"
    )
    bureau = as_user(officer)
    response = bureau.post(url(VOUCHERS, voucher, "refuse"), {"reason": "  "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = bureau.post(url(VOUCHERS, voucher, "refuse"), {"reason": "非科技型中小企业"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "refused"
    response = bureau.post(url(VOUCHERS, voucher, "grant"), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert ledger(voucher=voucher) == []


def test_applying_checks_the_body_and_the_programme(programme, admin, enterprise):
    applicant = as_user(admin)
    base = {"programme": programme.pk, "unit": enterprise.pk, "amount": "1000.00", "purpose": "测试"}
    response = applicant.post(VOUCHERS, {**base, "amount": "0"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()["fields"]
    response = applicant.post(VOUCHERS, {**base, "purpose": " "}, format="json")
    assert response.status_code == 400 and "purpose" in response.json()["fields"]
    response = applicant.post(VOUCHERS, {**base, "programme": 999999}, format="json")
    assert response.status_code == 400 and "programme" in response.json()["fields"]
    response = applicant.post(VOUCHERS, {**base, "unit": 999999}, format="json")
    assert response.status_code == 400 and "unit" in response.json()["fields"]
    from .factories import ProgrammeFactory

    response = applicant.post(VOUCHERS, {**base, "programme": ProgrammeFactory().pk}, format="json")
    assert response.status_code == 400  # a reimbursement programme takes no voucher applications
    assert not Voucher.objects.exists()


def test_a_redemption_needs_an_ended_period_with_services_waiting(
    voucher, programme, provider, provider_manager, period
):
    claimant = as_user(provider_manager)
    today = timezone.localdate().isoformat()
    body = {"programme": programme.pk, "provider": provider.pk, **dates(period)}
    response = claimant.post(REDEMPTIONS, {**body, "period_end": today}, format="json")
    assert response.status_code == 400 and "period_end" in response.json()["fields"]
    response = claimant.post(REDEMPTIONS, {**body, "period_start": "1899-12-31"}, format="json")
    assert response.status_code == 400 and "period_start" in response.json()["fields"]
    response = claimant.post(REDEMPTIONS, body, format="json")
    assert response.status_code == 400  # nothing voucher-paid in the period
    assert not VoucherRedemption.objects.exists()


def test_a_returned_redemption_is_submitted_again_and_a_rejected_one_frees_its_services(
    redemption, programme, provider, provider_manager, officer, period
):
    bureau, claimant = as_user(officer), as_user(provider_manager)
    response = bureau.post(url(REDEMPTIONS, redemption, "return"), {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = bureau.post(url(REDEMPTIONS, redemption, "return"), {"reason": "补充发票"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert claimant.get(url(REDEMPTIONS, redemption)).json()["decision_reason"] == "补充发票"
    assert claimant.post(url(REDEMPTIONS, redemption, "submit")).json()["status"] == "submitted"
    response = bureau.post(url(REDEMPTIONS, redemption, "reject"), {"reason": "发票与服务记录不符"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert claimant.post(url(REDEMPTIONS, redemption, "submit")).status_code == 409
    response = claimant.post(
        REDEMPTIONS, {"programme": programme.pk, "provider": provider.pk, **dates(period)}, format="json"
    )
    assert response.status_code == 201 and response.json()["amount"] == "1500.00"


def test_paying_before_the_notice_ends_or_before_publicising_is_refused(redemption, officer, payer):
    finance = as_user(payer)
    services.redemption_approve(actor=officer, redemption=redemption)
    response = finance.post(url(REDEMPTIONS, redemption, "pay"), {"reference": "CW-1"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    services.redemption_publicise(actor=officer, redemption=redemption)
    response = finance.post(url(REDEMPTIONS, redemption, "pay"), {"reference": "CW-1"}, format="json")
    assert response.status_code == 400  # the notice runs until its last day
    assert finance.post(url(REDEMPTIONS, redemption, "pay"), {"reference": " "}, format="json").status_code == 400
    assert ledger(redemption=redemption) == []


# --- Replays and limits ------------------------------------------------------------------------------


def test_granting_and_paying_again_write_one_ledger_entry_each(
    programme, admin, enterprise, officer, payer, redemption
):
    other = services.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("2000"), purpose="x"
    )
    bureau = as_user(officer)
    for _ in range(3):
        response = bureau.post(url(VOUCHERS, other, "grant"), {}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "granted"
    assert ledger(voucher=other) == [(EntryKind.GRANT, Decimal("2000.00"))]
    for _ in range(2):
        assert bureau.post(url(REDEMPTIONS, redemption, "approve"), {}, format="json").status_code == 200
    bureau.post(url(REDEMPTIONS, redemption, "publicise"))
    after_notice(redemption)
    for _ in range(2):
        response = as_user(payer).post(url(REDEMPTIONS, redemption, "pay"), {"reference": "CW-2"}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "paid"
    assert ledger(redemption=redemption) == [(EntryKind.REDEMPTION, Decimal("1500.00"))]
    assert services.ledger_check(programme) == []


def test_a_grant_over_the_budget_is_refused_naming_the_limit(programme, admin, enterprise, officer):
    type(programme).objects.filter(pk=programme.pk).update(budget=Decimal("8000.00"))
    voucher = services.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("10000"), purpose="x"
    )
    response = as_user(officer).post(url(VOUCHERS, voucher, "grant"), {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and "8,000.00" in body["detail"] and "2,000.00" in body["detail"]
    assert ledger(voucher=voucher) == []
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.REQUESTED
    programme.refresh_from_db()
    assert programme.committed == 0


# --- Who may see and do what -----------------------------------------------------------------------


def test_an_enterprise_sees_only_its_own_vouchers(voucher, enterprise, stranger, provider_manager, officer):
    assert as_user(stranger).get(VOUCHERS).json()["count"] == 0
    assert as_user(stranger).get(url(VOUCHERS, voucher)).status_code == 404
    assert as_user(stranger).get(f"{VOUCHERS}99999999999999999999/").status_code == 404
    member = as_user(member_of(enterprise, role="member"))  # any active member reads it
    assert member.get(url(VOUCHERS, voucher)).json()["id"] == voucher.pk
    assert as_user(provider_manager).get(VOUCHERS).json()["count"] == 0  # the provider sees draws in redemptions
    assert as_user(officer).get(VOUCHERS).json()["count"] == 1
    anonymous = APIClient()
    assert anonymous.get(VOUCHERS).status_code in (401, 403)
    assert anonymous.get(url(VOUCHERS, voucher)).status_code in (401, 403)


def test_only_an_enterprise_administrator_applies(programme, enterprise, stranger):
    body = {"programme": programme.pk, "unit": enterprise.pk, "amount": "1000.00", "purpose": "测试"}
    assert as_user(stranger).post(VOUCHERS, body, format="json").status_code == 404
    assert as_user(member_of(enterprise, role="member")).post(VOUCHERS, body, format="json").status_code == 404
    assert not Voucher.objects.exists()


def test_only_the_bureau_grants_or_refuses(programme, admin, enterprise, provider_manager, officer):
    voucher = services.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("1000"), purpose="x"
    )
    for user in (admin, provider_manager):
        assert as_user(user).post(url(VOUCHERS, voucher, "grant"), {}, format="json").status_code == 404
        response = as_user(user).post(url(VOUCHERS, voucher, "refuse"), {"reason": "不"}, format="json")
        assert response.status_code == 404
    assert ledger(voucher=voucher) == []
    assert as_user(officer).post(url(VOUCHERS, voucher, "grant"), {}, format="json").status_code == 200


def test_a_provider_sees_only_redemptions_of_its_own_services(
    redemption, programme, provider, admin, other_manager, officer, period
):
    other = as_user(other_manager)
    assert other.get(REDEMPTIONS).json()["count"] == 0
    assert other.get(url(REDEMPTIONS, redemption)).status_code == 404
    assert other.post(url(REDEMPTIONS, redemption, "submit")).status_code == 404
    response = other.post(
        REDEMPTIONS, {"programme": programme.pk, "provider": provider.pk, **dates(period)}, format="json"
    )
    assert response.status_code == 404  # another unit's services are not its to claim
    assert as_user(admin).get(REDEMPTIONS).json()["count"] == 0  # the enterprise sees its vouchers, not these
    member = as_user(member_of(provider, role="member"))  # a member who manages no instruments
    assert member.get(REDEMPTIONS).json()["count"] == 0
    assert as_user(officer).get(url(REDEMPTIONS, redemption)).json()["provider"]["id"] == provider.pk


@pytest.mark.parametrize("step", ["start-review", "approve", "publicise"])
def test_only_bureau_staff_decide_redemptions(redemption, provider_manager, officer, step):
    assert as_user(provider_manager).post(url(REDEMPTIONS, redemption, step), {}, format="json").status_code == 404
    assert as_user(officer).post(url(REDEMPTIONS, redemption, "approve"), {}, format="json").status_code == 200


def test_only_holders_of_the_pay_permission_pay(redemption, officer, payer, provider_manager):
    services.redemption_approve(actor=officer, redemption=redemption)
    services.redemption_publicise(actor=officer, redemption=redemption)
    after_notice(redemption)
    for user in (officer, provider_manager):
        response = as_user(user).post(url(REDEMPTIONS, redemption, "pay"), {"reference": "CW-9"}, format="json")
        assert response.status_code == 404
    assert ledger(redemption=redemption) == []
    response = as_user(payer).post(url(REDEMPTIONS, redemption, "pay"), {"reference": "CW-9"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "paid"


# --- Filters and query counts ----------------------------------------------------------------------


def _voucher(programme, unit, user, *, status=Voucher.Status.ACTIVE, instrument=None, draws=0):
    """A voucher row with ``draws`` draws of ``instrument``'s services (written directly: the list's
    shape, not the workflow, is under test)."""
    today = timezone.localdate()
    voucher = Voucher.objects.create(
        programme=programme,
        unit=unit,
        created_by=user,
        status=status,
        requested_amount=Decimal("10000.00"),
        purpose="测试",
        quota=Decimal("10000.00"),
        drawn=Decimal("500.00") * draws,
        valid_from=today - timedelta(days=30),
        valid_until=today + timedelta(days=300),
    )
    for _ in range(draws):
        _draw(voucher, instrument, unit)
    return voucher


def _draw(voucher, instrument, unit, redemption=None):
    record = paid_record(instrument=instrument, unit=unit, amount="1000.00")
    return VoucherDraw.objects.create(
        voucher=voucher,
        service_record=record,
        charged=record.amount,
        share=Decimal("500.00"),
        amount=Decimal("500.00"),
        redemption=redemption,
    )


def _redemption(programme, provider, user, voucher, instrument, *, status=VoucherRedemption.Status.SUBMITTED, draws=2):
    today = timezone.localdate()
    redemption = VoucherRedemption.objects.create(
        programme=programme,
        provider=provider,
        created_by=user,
        status=status,
        period_start=today - timedelta(days=40),
        period_end=today - timedelta(days=1),
        amount=Decimal("500.00") * draws,
        services=draws,
    )
    for _ in range(draws):
        _draw(voucher, instrument, voucher.unit, redemption=redemption)
    return redemption


def test_vouchers_filter_by_programme_status_and_unit(officer, programme, enterprise, admin, stranger):
    other_programme = voucher_programme()
    other_unit = stranger.memberships.get().unit
    mine = _voucher(programme, enterprise, admin)
    theirs = _voucher(other_programme, other_unit, stranger, status=Voucher.Status.REQUESTED)
    bureau = as_user(officer)

    def ids(**query):
        response = bureau.get(VOUCHERS, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {mine.pk, theirs.pk}
    assert ids(programme=other_programme.pk) == {theirs.pk}
    assert ids(status="active") == {mine.pk}
    assert ids(unit=enterprise.pk) == {mine.pk}
    assert ids(unit=999999) == set()
    assert bureau.get(VOUCHERS, {"status": ""}).status_code == 400
    assert bureau.get(VOUCHERS, {"status": "spent"}).status_code == 400
    assert bureau.get(VOUCHERS, {"programme": "0"}).status_code == 400


def test_redemptions_filter_by_programme_status_and_provider(
    officer, programme, enterprise, admin, provider, tem, provider_manager
):
    voucher = _voucher(programme, enterprise, admin)
    elsewhere = UnitFactory(name="包头另一所大学")
    first = _redemption(programme, provider, provider_manager, voucher, tem, draws=1)
    second = _redemption(
        programme,
        elsewhere,
        provider_manager,
        voucher,
        InstrumentFactory(unit=elsewhere, city="包头市"),
        status=VoucherRedemption.Status.PAID,
        draws=1,
    )
    bureau = as_user(officer)

    def ids(**query):
        response = bureau.get(REDEMPTIONS, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {first.pk, second.pk}
    assert ids(provider=provider.pk) == {first.pk}
    assert ids(status="paid") == {second.pk}
    assert ids(programme=programme.pk) == {first.pk, second.pk}
    assert ids(programme=voucher_programme().pk) == set()
    assert bureau.get(REDEMPTIONS, {"provider": ""}).status_code == 400
    assert bureau.get(REDEMPTIONS, {"status": "granted"}).status_code == 400


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_the_voucher_list_takes_the_same_queries_for_one_or_twenty(
    request, who, programme, enterprise, admin, tem, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    _voucher(programme, enterprise, admin, instrument=tem, draws=2)
    # the viewer's units (2) and, for staff, the bureau group; count, rows, draws
    client = as_user(user)
    with django_assert_num_queries(6 if who == "officer" else 5) as one:
        assert client.get(VOUCHERS).json()["count"] == 1
    for _ in range(19):
        _voucher(programme, enterprise, admin, instrument=tem, draws=2)
    client = as_user(user)
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(VOUCHERS).json()
    assert body["count"] == 20 and all(len(row["draws"]) == 2 for row in body["results"])


@pytest.mark.parametrize("who", ["officer", "provider_manager"])
def test_the_redemption_list_takes_the_same_queries_for_one_or_twenty(
    request, who, programme, enterprise, admin, provider, tem, provider_manager, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    voucher = _voucher(programme, enterprise, admin)
    _redemption(programme, provider, provider_manager, voucher, tem)
    # the viewer's units (2) and, for staff, the bureau group; count, rows, draws
    client = as_user(user)
    with django_assert_num_queries(6 if who == "officer" else 5) as one:
        assert client.get(REDEMPTIONS).json()["count"] == 1
    for _ in range(19):
        _redemption(programme, provider, provider_manager, voucher, tem)
    client = as_user(user)
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(REDEMPTIONS).json()
    assert body["count"] == 20 and all(len(row["draws"]) == 2 for row in body["results"])


# --- The schema ------------------------------------------------------------------------------------


def test_every_voucher_operation_is_in_the_schema():
    paths = APIClient().get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for step in ("grant", "refuse"):
        assert set(paths[f"/api/v1/vouchers/{{id}}/{step}/"]["post"]["responses"]) >= {"200", "400", "404", "409"}
    for step in ("submit", "start-review", "approve", "return", "reject", "publicise", "pay"):
        assert set(paths[f"/api/v1/voucher-redemptions/{{id}}/{step}/"]["post"]["responses"]) >= {"200", "404", "409"}
    assert set(paths["/api/v1/vouchers/"]) == {"get", "post"}
    for path in ("/api/v1/vouchers/", "/api/v1/voucher-redemptions/"):
        assert list(paths[path]["post"]["requestBody"]["content"]) == ["application/json"]
    assert set(paths["/api/v1/voucher-redemptions/"]["post"]["responses"]) >= {"201", "400", "404"}
    assert {p["name"] for p in paths["/api/v1/voucher-redemptions/"]["get"]["parameters"]} >= {
        "programme",
        "status",
        "provider",
    }
