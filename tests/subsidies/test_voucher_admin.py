"""The bureau's voucher screens in the admin: the voucher queue and the redemption queue with their
filters at a fixed number of queries, each decision through its admin view (one by one and in
bulk), the redemption warnings, the voucher programme's lists for the finance office, the Shanghai
and Shandong presets, and the ledger filtered by the voucher kinds."""

import datetime
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from members.models import Unit, UnitGroup
from subsidies import exporting, services
from subsidies.models import EntryKind, LedgerEntry, Programme, Voucher, VoucherRedemption
from subsidies.voucher_warnings import redemption_warning_counts, redemption_warnings
from tests.bookings.factories import member_of
from tests.factories import UnitFactory, UserFactory

from .voucher_factories import completed_booking, granted_voucher, voucher_programme

pytestmark = pytest.mark.django_db
V = Voucher.Status
R = VoucherRedemption.Status
VOUCHERS = reverse("admin:subsidies_voucher_changelist")
REDEMPTIONS = reverse("admin:subsidies_voucherredemption_changelist")


@pytest.fixture
def programme(db):
    return voucher_programme(name="上海市科技创新券")


@pytest.fixture(autouse=True)
def own_phones(provider, enterprise):
    """The factories give every unit one phone number: here each unit has its own."""
    Unit.objects.filter(pk=provider.pk).update(phone="0472-5951111")
    Unit.objects.filter(pk=enterprise.pk).update(phone="0472-5212222")
    provider.phone, enterprise.phone = "0472-5951111", "0472-5212222"


@pytest.fixture
def ask(programme, enterprise, admin):
    """A requested voucher of the enterprise (or of ``unit`` by its administrator ``who``)."""

    def make(amount="10000.00", *, unit=enterprise, who=admin):
        return services.voucher_apply(
            actor=who, programme=programme, unit=unit, amount=Decimal(amount), purpose="钕铁硼磁体研发测试"
        )

    return make


@pytest.fixture
def voucher(ask):
    return ask()


def new_enterprise(**fields):
    unit = UnitFactory(**({"unit_type": Unit.Type.ENTERPRISE, "scale": Unit.Scale.SMALL} | fields))
    return unit, member_of(unit, role="admin")


def status(obj):
    obj.refresh_from_db()
    return obj.status


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def decide(obj, name):
    return reverse(f"admin:subsidies_{obj._meta.model_name}_decide", args=[obj.pk, name])


def change(obj):
    return reverse(f"admin:subsidies_{obj._meta.model_name}_change", args=[obj.pk])


def bulk(client, url, action, objects, **data):
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **data}, follow=True)


def measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


# --- The voucher queue ------------------------------------------------------------------------------


def test_the_filtered_voucher_queue_takes_the_same_queries_for_1_and_20(client, officer, ask, programme, enterprise):
    client.force_login(officer)
    url = (
        f"{VOUCHERS}?programme__id__exact={programme.pk}&status__exact=requested"
        f"&unit__district__id__exact={enterprise.district_id}&unit__scale__exact=small"
    )
    first = ask()
    client.get(url)  # warm the caches (content types, sessions)
    one, html = measure(client, url)
    assert f">{first.number}<" in html
    others = [ask() for _ in range(9)]
    for _ in range(10):
        unit, who = new_enterprise(district=enterprise.district)
        others.append(ask(unit=unit, who=who))
    twenty, html = measure(client, url)
    assert all(f">{v.number}<" in html for v in others)
    assert one == twenty


def test_the_voucher_queue_filters_and_searches(client, officer, ask, programme, enterprise, admin):
    asked = ask("8000.00")
    granted = ask("5000.00")
    services.voucher_grant(actor=officer, voucher=granted)
    large, boss = new_enterprise(scale=Unit.Scale.LARGE, name="包头钢铁集团")
    other = ask(unit=large, who=boss)
    elsewhere = voucher_programme(name="山东省创新券")
    shandong = services.voucher_apply(
        actor=admin, programme=elsewhere, unit=enterprise, amount=Decimal("1000"), purpose="检测"
    )
    client.force_login(officer)

    def numbers(**params):
        html = client.get(VOUCHERS, params).content.decode()
        return {v.number for v in (asked, granted, other, shandong) if f">{v.number}<" in html}

    assert numbers() == {asked.number, granted.number, other.number, shandong.number}
    assert numbers(programme__id__exact=programme.pk) == {asked.number, granted.number, other.number}
    assert numbers(status__exact="requested") == {asked.number, other.number, shandong.number}
    assert numbers(status__exact="granted") == {granted.number}
    assert numbers(unit__scale__exact="large") == {other.number}
    district = {asked.number, granted.number, shandong.number}
    assert numbers(unit__district__id__exact=enterprise.district_id) == district
    assert numbers(q="包头钢铁") == {other.number}
    assert numbers(q=enterprise.credit_code) == district


def test_requested_vouchers_come_first(client, officer, ask):
    granted = ask()
    services.voucher_grant(actor=officer, voucher=granted)
    waiting = ask()
    client.force_login(officer)
    html = client.get(VOUCHERS).content.decode()
    assert html.index(f">{waiting.number}<") < html.index(f">{granted.number}<")


def test_the_voucher_page_shows_the_request_cap_budget_draws_ledger_and_history(
    client, officer, programme, admin, enterprise, tem, provider_manager
):
    voucher = granted_voucher(programme=programme, admin=admin, unit=enterprise, officer=officer)
    record = completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager)
    client.force_login(officer)
    html = client.get(change(voucher)).content.decode()
    assert "钕铁硼磁体研发测试" in html  # the request
    assert 'id="remaining-budget">990,000.00' in html and 'id="remaining-cap">490,000.00' in html
    assert f'id="draw-{record.voucher_draw.pk}"' in html and tem.name in html
    assert "3,000.00" in html and "1,500.00" in html  # charged, and paid by the voucher
    assert 'data-kind="grant"' in html and 'data-kind="draw"' in html
    assert 'id="history"' in html and officer.name in html
    assert 'id="decision-grant"' not in html  # granted: nothing left to decide
    assert 'name="_save"' not in html


def test_a_requested_voucher_offers_the_three_decisions(client, officer, voucher):
    client.force_login(officer)
    html = client.get(change(voucher)).content.decode()
    for name in ("grant", "grant_part", "refuse"):
        assert f'id="decision-{name}"' in html
    assert 'id="remaining-cap">500,000.00' in html and 'id="remaining-budget">1,000,000.00' in html


# --- Voucher decisions one by one -------------------------------------------------------------------


def test_grant_in_full_commits_the_quota(client, officer, voucher, programme):
    client.force_login(officer)
    assert voucher.number in client.get(decide(voucher, "grant")).content.decode()
    response = client.post(decide(voucher, "grant"), {"confirm": "1"}, follow=True)
    assert status(voucher) == V.GRANTED and voucher.quota == Decimal("10000.00")
    assert response.redirect_chain[-1][0] == change(voucher)
    programme.refresh_from_db()
    assert programme.committed == Decimal("10000.00")
    assert 'id="remaining-budget">990,000.00' in response.content.decode()


def test_a_smaller_quota_needs_a_reason_and_at_most_the_amount_asked(client, officer, voucher, programme):
    client.force_login(officer)
    url = decide(voucher, "grant_part")
    response = client.post(url, {"amount": "6000.00", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert status(voucher) == V.REQUESTED
    response = client.post(url, {"amount": "12000.00", "reason": "超额"})
    assert response.context["form"].errors["amount"]
    client.post(url, {"amount": "6000.00", "reason": "年度预算有限"})
    assert status(voucher) == V.GRANTED
    assert (voucher.quota, voucher.decision_reason) == (Decimal("6000.00"), "年度预算有限")
    programme.refresh_from_db()
    assert programme.committed == Decimal("6000.00")


def test_a_grant_over_the_budget_is_refused_naming_the_limit(client, officer, voucher, programme):
    Programme.objects.filter(pk=programme.pk).update(budget=Decimal("8000.00"))
    client.force_login(officer)
    response = client.post(decide(voucher, "grant"), {"confirm": "1"}, follow=True)
    assert status(voucher) == V.REQUESTED
    [message] = shown(response)
    assert "8,000.00" in message and "2,000.00" in message  # the budget, and by how much
    assert response.redirect_chain[-1][0] == change(voucher)
    assert not LedgerEntry.objects.exists()


def test_a_grant_over_the_enterprise_cap_is_refused_naming_the_cap(client, officer, voucher, programme):
    Programme.objects.filter(pk=programme.pk).update(cap_per_enterprise=Decimal("9000.00"))
    client.force_login(officer)
    response = client.post(decide(voucher, "grant"), {"confirm": "1"}, follow=True)
    assert status(voucher) == V.REQUESTED
    assert any("9,000.00" in m and "1,000.00" in m for m in shown(response))


def test_a_refusal_needs_a_reason(client, officer, voucher):
    client.force_login(officer)
    response = client.post(decide(voucher, "refuse"), {"reason": ""})
    assert response.context["form"].errors["reason"] and status(voucher) == V.REQUESTED
    client.post(decide(voucher, "refuse"), {"reason": "非科技型中小企业"})
    assert status(voucher) == V.REFUSED and voucher.decision_reason == "非科技型中小企业"


def test_staff_outside_the_bureau_decide_nothing(client, voucher):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(VOUCHERS).status_code == 403
    assert client.post(decide(voucher, "grant"), {"confirm": "1"}).status_code == 403
    assert status(voucher) == V.REQUESTED


def test_nothing_is_added_changed_or_deleted_by_hand(client, officer, voucher, admin_user):
    for user in (officer, admin_user):
        client.force_login(user)
        assert client.get(reverse("admin:subsidies_voucher_add")).status_code == 403
        assert client.post(reverse("admin:subsidies_voucher_delete", args=[voucher.pk])).status_code == 403
        assert 'name="_save"' not in client.get(change(voucher)).content.decode()


# --- Voucher decisions in bulk ----------------------------------------------------------------------


def test_bulk_grant_goes_on_after_a_refusal(client, officer, ask, programme):
    first, too_much, third = ask("3000.00"), ask("6000.00"), ask("2000.00")
    Programme.objects.filter(pk=programme.pk).update(budget=Decimal("8000.00"))
    client.force_login(officer)
    response = bulk(client, VOUCHERS, "grant_selected", [first, too_much, third])
    assert (status(first), status(too_much), status(third)) == (V.GRANTED, V.REQUESTED, V.GRANTED)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and too_much.number in errors[0] and "8,000.00" in errors[0]


def test_bulk_refuse_asks_for_one_reason(client, officer, ask):
    a, b = ask(), ask()
    client.force_login(officer)
    response = bulk(client, VOUCHERS, "refuse_selected", [a, b])
    assert response.status_code == 200 and "reason" in response.context["form"].fields
    assert status(a) == V.REQUESTED
    response = bulk(client, VOUCHERS, "refuse_selected", [a, b], confirm="1", reason="")
    assert response.context["form"].errors["reason"]
    bulk(client, VOUCHERS, "refuse_selected", [a, b], confirm="1", reason="材料不全")
    assert (status(a), status(b)) == (V.REFUSED, V.REFUSED) and a.decision_reason == "材料不全"


# --- Redemptions ------------------------------------------------------------------------------------


@pytest.fixture
def big_voucher(programme, admin, enterprise, officer):
    """A voucher of 100,000.00 granted 40 days ago (so it pays for services in the past)."""
    voucher = granted_voucher(programme=programme, admin=admin, unit=enterprise, officer=officer, quota="100000.00")
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=40))
    return voucher


@pytest.fixture
def serve(big_voucher, tem, admin, enterprise, provider_manager):
    """A completed voucher-paid service ``days_ago`` (its local day returned with the record)."""

    def make(days_ago, fee="1000.00"):
        record = completed_booking(
            instrument=tem,
            requester=admin,
            unit=enterprise,
            manager=provider_manager,
            fee=fee,
            hours_ago=24 * days_ago + 1,
        )
        assert record.voucher_draw.amount > 0
        return record

    return make


@pytest.fixture
def redeem(programme, provider, provider_manager):
    """A submitted redemption of the provider's services in ``start``–``end``."""

    def make(start, end, submit=True):
        redemption = services.redemption_create(
            actor=provider_manager, programme=programme, provider=provider, period_start=start, period_end=end
        )
        if submit:
            services.redemption_submit(actor=provider_manager, redemption=redemption)
        redemption.refresh_from_db()
        return redemption

    return make


def day_of(record):
    return timezone.localdate(record.started_at)


@pytest.fixture
def redemption(serve, redeem):
    """Two services of 1,000.00 (500.00 each from the voucher) 20 and 21 days ago, redeemed."""
    records = [serve(20), serve(21)]
    return redeem(day_of(records[1]), day_of(records[0]))


def test_the_filtered_redemption_queue_takes_the_same_queries_for_1_and_20(
    client, officer, serve, redeem, programme, provider
):
    client.force_login(officer)
    url = (
        f"{REDEMPTIONS}?programme__id__exact={programme.pk}&status__exact=submitted"
        f"&provider__district__id__exact={provider.district_id}"
    )
    day = day_of(serve(2))
    first = redeem(day, day)
    client.get(url)
    one, html = measure(client, url)
    assert f">{first.number}<" in html
    others = []
    for days_ago in range(3, 22):
        day = day_of(serve(days_ago))
        others.append(redeem(day, day))
    twenty, html = measure(client, url)
    assert all(f">{r.number}<" in html for r in others)
    assert one == twenty


def test_the_redemption_queue_shows_the_warning_counts_and_hides_drafts(client, officer, serve, redeem):
    day = day_of(serve(5, fee="3000.00"))  # 3,000.00 charged against a listed 1,000.00
    flagged = redeem(day, day)
    day = day_of(serve(9))
    draft = redeem(day, day, submit=False)
    client.force_login(officer)
    response = client.get(REDEMPTIONS)
    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert set(rows) == {flagged.pk} and rows[flagged.pk].warning_count == 1
    assert draft.number not in response.content.decode()


def test_the_redemption_page_shows_services_listed_prices_warnings_and_history(
    client, officer, redemption, tem, enterprise, big_voucher
):
    client.force_login(officer)
    html = client.get(change(redemption)).content.decode()
    assert tem.name in html and enterprise.name in html and big_voucher.number in html
    assert html.count("1,000.00") >= 4  # charged and listed, twice
    assert "500.00" in html  # paid by the voucher
    assert 'id="warnings"' in html and "data-code=" not in html
    assert 'id="history"' in html
    for name in ("start_review", "approve", "return", "reject"):
        assert f'id="decision-{name}"' in html
    for name in ("publicise", "pay"):
        assert f'id="decision-{name}"' not in html


def test_review_return_and_reject_through_the_admin(client, officer, serve, redeem, redemption):
    client.force_login(officer)
    client.post(decide(redemption, "start_review"), {"confirm": "1"})
    assert status(redemption) == R.UNDER_REVIEW
    response = client.post(decide(redemption, "return"), {"reason": ""})
    assert response.context["form"].errors["reason"] and status(redemption) == R.UNDER_REVIEW
    client.post(decide(redemption, "return"), {"reason": "请补充服务登记表"})
    assert status(redemption) == R.RETURNED and redemption.decision_reason == "请补充服务登记表"

    day = day_of(serve(3))
    other = redeem(day, day)
    response = client.post(decide(other, "reject"), {"reason": ""})
    assert response.context["form"].errors["reason"]
    client.post(decide(other, "reject"), {"reason": "服务记录与发票不符"})
    assert status(other) == R.REJECTED and not other.draws.exists()  # its services may be claimed again


def test_approve_publicise_and_pay_only_with_the_pay_permission(client, officer, payer, redemption, programme):
    client.force_login(officer)
    client.post(decide(redemption, "approve"), {"confirm": "1"})
    assert status(redemption) == R.APPROVED
    client.post(decide(redemption, "publicise"), {"confirm": "1"})
    assert status(redemption) == R.PUBLICISED and redemption.notice_from == timezone.localdate()
    html = client.get(change(redemption)).content.decode()
    assert 'id="decision-pay"' not in html and 'id="decision-reject"' in html
    assert client.get(decide(redemption, "pay")).status_code == 403
    assert client.post(decide(redemption, "pay"), {"reference": "CW-V-1"}).status_code == 403
    actions = {name for name, _ in client.get(REDEMPTIONS).context["action_form"].fields["action"].choices}
    assert "pay_selected" not in actions and "approve_selected" in actions

    client.force_login(payer)
    response = client.post(decide(redemption, "pay"), {"reference": "CW-V-1"}, follow=True)
    assert status(redemption) == R.PUBLICISED  # the notice is still running
    assert any(str(redemption.notice_until) in m for m in shown(response))
    response = client.post(decide(redemption, "pay"), {"reference": ""})
    assert response.context["form"].errors["reference"]
    today = timezone.localdate()
    VoucherRedemption.objects.filter(pk=redemption.pk).update(
        notice_from=today - timedelta(days=10), notice_until=today - timedelta(days=4)
    )
    client.post(decide(redemption, "pay"), {"reference": "CW-V-1"})
    assert status(redemption) == R.PAID and redemption.payment_reference == "CW-V-1"
    assert list(LedgerEntry.objects.filter(redemption=redemption).values_list("kind", "amount")) == [
        (EntryKind.REDEMPTION, Decimal("1000.00"))
    ]
    assert services.ledger_check(programme) == []


def test_bulk_approve_publicise_and_pay_with_one_reference(client, payer, serve, redeem):
    days = [day_of(serve(n)) for n in (3, 4)]
    a, b = redeem(days[0], days[0]), redeem(days[1], days[1])
    client.force_login(payer)
    bulk(client, REDEMPTIONS, "approve_selected", [a, b])
    assert (status(a), status(b)) == (R.APPROVED, R.APPROVED)
    bulk(client, REDEMPTIONS, "publicise_selected", [a, b])
    assert (status(a), status(b)) == (R.PUBLICISED, R.PUBLICISED)
    VoucherRedemption.objects.filter(pk=a.pk).update(notice_until=timezone.localdate() - timedelta(days=1))
    response = bulk(client, REDEMPTIONS, "pay_selected", [a, b])
    assert "reference" in response.context["form"].fields
    response = bulk(client, REDEMPTIONS, "pay_selected", [a, b], confirm="1", reference="CW-V-9")
    assert (status(a), status(b)) == (R.PAID, R.PUBLICISED)  # b's notice is still running
    assert a.payment_reference == "CW-V-9" and any(b.number in m for m in shown(response))


# --- Warnings ---------------------------------------------------------------------------------------


def codes(redemption) -> list[str]:
    return [w.code for w in redemption_warnings(redemption)]


def test_no_warning_for_unrelated_units_at_listed_prices_spread_over_the_period(serve, redeem):
    records = [serve(n) for n in (3, 12, 20)]
    redemption = redeem(day_of(records[-1]), day_of(records[0]) + timedelta(days=1))
    assert codes(redemption) == []


def test_related_units_warn_in_an_unconfirmed_group_and_by_one_phone(redemption, provider, enterprise):
    group = UnitGroup.objects.create(name="稀土集团")
    Unit.objects.filter(pk__in=[provider.pk, enterprise.pk]).update(group=group, group_confirmed=False)
    assert codes(redemption) == ["related_group"]
    Unit.objects.filter(pk=provider.pk).update(group=None, phone="0472 5212222")
    [warning] = redemption_warnings(redemption)
    assert warning.code == "related_phone" and enterprise.name in warning.message


def test_a_charge_far_above_the_listed_price_warns(serve, redeem):
    cheap, dear = serve(5, fee="1500.00"), serve(6, fee="1500.01")  # listed: 1,000.00
    redemption = redeem(day_of(dear), day_of(cheap))
    [warning] = redemption_warnings(redemption)
    assert warning.code == "fee_above_price" and "1,500.01" in warning.message


def test_a_charge_with_no_listed_price_warns(serve, redeem):
    from bookings.models import ServiceRecord

    record = serve(5)
    ServiceRecord.objects.filter(pk=record.pk).update(computed_amount=Decimal("0.00"))
    day = day_of(record)
    assert codes(redeem(day, day)) == ["fee_unpriced"]


def test_a_burst_of_services_before_the_period_closed_warns(serve, redeem):
    early, *late = [serve(n) for n in (25, 3, 4, 5)]  # 3 of 4 in the period's last 7 days
    end = day_of(late[0]) + timedelta(days=1)
    redemption = redeem(day_of(early), end)
    [warning] = redemption_warnings(redemption)
    assert warning.code == "burst" and "3" in warning.message and str(end) in warning.message


def test_half_of_the_services_late_is_a_burst_but_two_services_are_not(serve, redeem):
    records = [serve(n) for n in (20, 21, 3, 4)]
    end = day_of(records[2]) + timedelta(days=1)
    assert codes(redeem(day_of(records[1]), end)) == ["burst"]
    two = [serve(n) for n in (30, 31)]
    assert codes(redeem(day_of(two[1]), day_of(two[0]))) == []


def test_the_counts_read_any_number_of_redemptions_in_one_query(serve, redeem, django_assert_num_queries):
    made = []
    for n in range(3, 8):
        day = day_of(serve(n, fee="3000.00"))
        made.append(redeem(day, day))
    with django_assert_num_queries(1):
        counts = redemption_warning_counts(made)
    assert counts == {r.pk: 1 for r in made}
    assert redemption_warning_counts([]) == {}


# --- The finance office's lists ---------------------------------------------------------------------


def rows_of(response) -> list[tuple]:
    body = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


@pytest.fixture
def voucher_book(programme, big_voucher, serve, ask, officer, enterprise, admin):
    """The big voucher with two services drawn (1,000.00), one expired with 3,000.00 released, one
    still requested and one refused (neither on the list)."""
    serve(3)
    serve(4)
    expired = granted_voucher(programme=programme, admin=admin, unit=enterprise, officer=officer, quota="3000.00")
    services.voucher_expire(voucher=expired, today=expired.valid_until + timedelta(days=1))
    ask("500.00")
    services.voucher_refuse(actor=officer, voucher=ask("700.00"), reason="不符合条件")
    big_voucher.refresh_from_db()
    expired.refresh_from_db()
    return big_voucher, expired


def test_the_vouchers_list_holds_the_granted_vouchers_and_their_totals(voucher_book, programme, enterprise):
    big, expired = voucher_book
    with translation.override("en"):
        response = exporting.list_response([programme], "vouchers")
    assert response["Content-Type"] == exporting.XLSX_TYPE and "subsidies-vouchers-" in response["Content-Disposition"]
    header, *rows, totals = rows_of(response)
    assert header[0] == "Voucher number" and header[8] == "Released on expiry (yuan)" and len(header) == 13
    assert [r[0] for r in rows] == [big.number, expired.number]
    first, second = rows
    assert first[1:5] == (enterprise.name, enterprise.credit_code, enterprise.district.name, "Small")
    assert first[5:10] == (100000, 100000, 1000, 0, 99000)
    assert isinstance(first[10], datetime.datetime) and first[12] == "In use"
    assert second[5:10] == (3000, 3000, 0, 3000, 0) and second[12] == "Expired"
    assert totals[0] == "Total (2 vouchers)" and totals[5:10] == (103000, 103000, 1000, 3000, 99000)


def test_the_redemptions_list_holds_the_approved_and_paid_ones(programme, payer, serve, redeem):
    days = [day_of(serve(n)) for n in (3, 4, 5)]
    approved, paid, waiting = (redeem(d, d) for d in days)
    services.redemption_approve(actor=payer, redemption=approved)
    services.redemption_approve(actor=payer, redemption=paid)
    services.redemption_publicise(actor=payer, redemption=paid)
    later = timezone.localdate() + timedelta(days=8)
    services.redemption_pay(actor=payer, redemption=paid, reference="CW-V-42", today=later)
    with translation.override("en"):
        header, *rows, totals = rows_of(exporting.list_response([programme], "redemptions"))
    assert header[0] == "Redemption number" and header[6] == "Voucher-paid amount (yuan)"
    by_number = {r[0]: r for r in rows}
    assert set(by_number) == {approved.number, paid.number} and waiting.number not in by_number
    assert by_number[paid.number][5:8] == (1, 500, "Paid") and by_number[paid.number][10] == "CW-V-42"
    assert isinstance(by_number[approved.number][3], datetime.datetime)  # the period, as dates
    assert totals[0] == "Total (2 redemptions)" and (totals[5], totals[6]) == (2, 1000)


def test_the_voucher_lists_header_follows_the_language(programme):
    with translation.override("zh-hans"):
        header, totals = rows_of(exporting.list_response([programme], "vouchers"))
    assert header[0] == "创新券编号" and totals[6] == 0


def test_the_voucher_lists_read_a_fixed_number_of_queries(voucher_book, programme, django_assert_max_num_queries):
    for which in ("vouchers", "redemptions"):
        with django_assert_max_num_queries(3):
            rows_of(exporting.list_response([programme], which))


def test_the_voucher_programme_page_offers_its_lists_and_queues(client, officer, voucher_book, programme):
    client.force_login(officer)
    html = client.get(reverse("admin:subsidies_programme_change", args=[programme.pk])).content.decode()
    assert 'id="export-vouchers"' in html and 'id="export-redemptions"' in html
    assert 'id="export-approved"' not in html and 'id="programme-vouchers"' in html
    button = client.get(reverse("admin:subsidies_programme_export", args=[programme.pk, "vouchers"]))
    assert len(rows_of(button)) == 1 + 2 + 1
    response = client.post(
        reverse("admin:subsidies_programme_changelist"),
        {"action": "export_vouchers", ACTION_CHECKBOX_NAME: [programme.pk]},
    )
    assert response["Content-Type"] == exporting.XLSX_TYPE and len(rows_of(response)) == 4
    response = client.post(
        reverse("admin:subsidies_programme_changelist"),
        {"action": "export_redemptions", ACTION_CHECKBOX_NAME: [programme.pk]},
    )
    assert rows_of(response)[-1][0] == "合计（0 份兑付申请）"
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:subsidies_programme_export", args=[programme.pk, "vouchers"])).status_code == 403


# --- Programmes from the voucher presets, and the ledger --------------------------------------------


def test_the_shanghai_and_shandong_presets_make_voucher_programmes(client, officer):
    client.force_login(officer)
    changelist = client.get(reverse("admin:subsidies_programme_changelist")).content.decode()
    assert 'id="preset-shanghai"' in changelist and 'id="preset-shandong"' in changelist
    add = reverse("admin:subsidies_programme_add")
    shandong = client.get(add, {"preset": "shandong"})
    assert shandong.context["adminform"].form.initial["settlement_cycle"] == "monthly"
    [tiers] = shandong.context["inline_admin_formsets"]
    assert [f.initial for f in tiers.formset.forms] == [{"condition": "listed", "rate": Decimal("0.6000")}]
    response = client.get(add, {"preset": "shanghai"})
    form = response.context["adminform"].form
    assert form.initial["mode"] == "voucher" and form.initial["voucher_validity_days"] == 365
    assert form.initial["base_rate"] == Decimal("0.5000") and form.initial["settlement_cycle"] == "quarterly"
    assert 'name="voucher_validity_days"' in response.content.decode()

    today = timezone.localdate()
    data = {
        "name": "上海市科技创新券",
        "mode": "voucher",
        "year": today.year,
        "services_from": today.isoformat(),
        "services_until": (today + timedelta(days=365)).isoformat(),
        "applies_from": today.isoformat(),
        "applies_until": (today + timedelta(days=90)).isoformat(),
        "budget": "5000000.00",
        "base_rate": "0.5000",
        "cap_per_enterprise": "500000.00",
        "cap_counts_group": "on",
        "eligible_unit_types": ["enterprise"],
        "eligible_scales": ["medium", "small", "micro"],
        "excluded_purposes": ["certification"],
        "min_instrument_value": "300000.00",
        "providers_in_region": "on",
        "region_city": "上海市",
        "settlement_cycle": "quarterly",
        "notice_days": "7",
        "voucher_validity_days": "180",  # changed from the preset's 365
        "tiers-TOTAL_FORMS": "0",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
    }
    response = client.post(f"{add}?preset=shanghai", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Programme.objects.get(name="上海市科技创新券")
    assert (created.mode, created.voucher_validity_days) == ("voucher", 180)


def test_the_ledger_filters_by_the_voucher_kinds(client, officer, redemption, big_voucher):
    client.force_login(officer)
    url = reverse("admin:subsidies_ledgerentry_changelist")
    response = client.get(url, {"kind__exact": EntryKind.GRANT})
    assert [e.kind for e in response.context["cl"].result_list] == [EntryKind.GRANT]
    assert big_voucher.number in response.content.decode()
    draws = client.get(url, {"kind__exact": EntryKind.DRAW}).context["cl"].result_list
    assert len(draws) == 2
    html = client.get(url).content.decode()
    for kind in (EntryKind.GRANT, EntryKind.DRAW, EntryKind.DRAW_RETURN, EntryKind.EXPIRY, EntryKind.REDEMPTION):
        assert f"kind__exact={kind.value}" in html
