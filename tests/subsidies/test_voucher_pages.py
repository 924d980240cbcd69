"""The voucher pages through the client: applying for a voucher, the enterprise's vouchers and one
voucher's draws, the voucher panel on the booking page (balance and share of the estimate) and on
a service record's page (paid by the voucher, paid by the user), the provider's periods and
redemptions (redeem an ended period, submit), the statement in a voucher programme, who may NOT see
each page (the same 404), and fixed query counts for the voucher and redemption lists."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.availability import local
from bookings.models import ServiceRecord
from subsidies import services
from subsidies.models import Voucher, VoucherDraw, VoucherRedemption
from subsidies.services import vouchers
from tests.bookings.factories import FeeItemFactory, member_of
from tests.factories import UnitFactory

from .factories import InstrumentFactory, ProgrammeFactory, paid_record
from .voucher_factories import completed_booking, granted_voucher, voucher_programme

pytestmark = pytest.mark.django_db
R = VoucherRedemption.Status


def url(name, *args):
    return reverse(f"subsidies:{name}", args=args)


def last_month_start():
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def programme(db):
    """A Shandong-like voucher programme: 50%, monthly settlement, services until two months ahead."""
    today = timezone.localdate()
    return voucher_programme(
        name="创新券试点",
        settlement_cycle="monthly",
        services_from=today - timedelta(days=120),
        services_until=today + timedelta(days=60),
    )


@pytest.fixture
def fee_item(tem):
    return FeeItemFactory(instrument=tem, name="高分辨成像", external_price=Decimal("1000.00"))


@pytest.fixture
def voucher(programme, admin, enterprise, officer):
    voucher = granted_voucher(programme=programme, admin=admin, unit=enterprise, officer=officer)
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=60))
    voucher.refresh_from_db()
    return voucher


@pytest.fixture
def record(voucher, tem, fee_item, admin, enterprise, provider_manager):
    """A completed booking of the TEM for 3,000.00: the voucher paid 1,500.00 of it."""
    return completed_booking(instrument=tem, requester=admin, unit=enterprise, manager=provider_manager)


def in_last_month(record):
    """Move a service (and so its draw) into last month: a monthly period that has ended."""
    day = last_month_start() + timedelta(days=9)
    started = timezone.make_aware(datetime(day.year, day.month, day.day, 10))
    ServiceRecord.objects.filter(pk=record.pk).update(started_at=started, ended_at=started + timedelta(hours=1))


@pytest.fixture
def stranger_unit(db):
    return UnitFactory(name="另一家企业有限公司", unit_type="enterprise")


@pytest.fixture
def stranger(stranger_unit):
    return member_of(stranger_unit, role="admin", name="李四")


@pytest.fixture
def other_provider_manager(db):
    return member_of(UnitFactory(name="包头师范学院"), role="manager", name="钱七")


# --- Applying ---------------------------------------------------------------------------------


def test_the_index_offers_a_voucher_programme_to_administrators_and_lists_the_vouchers(
    client, admin, enterprise, programme, voucher
):
    client.force_login(admin)
    body = client.get(url("index")).content.decode()
    assert url("voucher_apply", programme.pk) in body and "申请创新券" in body
    assert url("apply", programme.pk) not in body  # no reimbursement application in a voucher programme
    assert voucher.number in body and url("voucher_detail", voucher.pk) in body and url("voucher_list") in body


def test_a_plain_member_sees_the_vouchers_but_no_apply_button(client, enterprise, programme, voucher):
    client.force_login(member_of(enterprise, role="member"))
    body = client.get(url("index")).content.decode()
    assert voucher.number in body
    assert url("voucher_apply", programme.pk) not in body
    body = client.get(url("voucher_apply", programme.pk)).content.decode()
    assert 'id="voucher-apply-form"' not in body


def test_applying_through_the_form(client, admin, enterprise, programme):
    client.force_login(admin)
    assert 'id="voucher-apply-form"' in client.get(url("voucher_apply", programme.pk)).content.decode()
    response = client.post(
        url("voucher_apply", programme.pk),
        {
            "unit": enterprise.pk,
            "amount": "80000.00",
            "purpose": "钕铁硼磁体微观结构测试",
            "project_name": "高性能磁材",
        },
    )
    voucher = Voucher.objects.get()
    assert response.status_code == 302 and response["Location"] == url("voucher_detail", voucher.pk)
    assert (voucher.status, voucher.requested_amount, voucher.project_name) == (
        "requested",
        Decimal("80000.00"),
        "高性能磁材",
    )
    body = client.get(response["Location"]).content.decode()
    assert voucher.number in body and "80,000.00" in body and "钕铁硼磁体微观结构测试" in body


def test_the_form_shows_the_services_errors_and_refuses_others_units(
    client, admin, enterprise, programme, stranger_unit
):
    client.force_login(admin)
    response = client.post(url("voucher_apply", programme.pk), {"unit": enterprise.pk, "amount": "0", "purpose": "x"})
    assert response.status_code == 200 and response.context["form"].errors["amount"]
    response = client.post(
        url("voucher_apply", programme.pk), {"unit": stranger_unit.pk, "amount": "100", "purpose": "x"}
    )
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert not Voucher.objects.exists()


def test_a_reimbursement_programme_has_no_voucher_form_and_apply_leads_to_the_voucher_form(
    client, admin, enterprise, programme
):
    client.force_login(admin)
    assert client.get(url("voucher_apply", ProgrammeFactory().pk)).status_code == 404
    response = client.post(url("apply", programme.pk), {"unit": enterprise.pk})
    assert response.status_code == 302 and response["Location"] == url("voucher_apply", programme.pk)


# --- The enterprise's vouchers ----------------------------------------------------------------


def test_the_voucher_list_shows_quota_drawn_remaining_validity_and_status(client, admin, voucher, record):
    client.force_login(admin)
    response = client.get(url("voucher_list"))
    body = response.content.decode()
    row = body[body.index(f'id="voucher-{voucher.pk}"') :]
    row = row[: row.index("</tr>")]
    assert voucher.number in row and voucher.programme.name in row
    assert "10,000.00" in row and "1,500.00" in row and "8,500.00" in row
    assert voucher.valid_until.strftime("%Y-%m-%d") in row and "badge-active" in row


def test_the_voucher_page_shows_every_draw_the_reason_and_the_history(
    client, programme, admin, enterprise, officer, tem, fee_item, provider_manager
):
    asked = vouchers.voucher_apply(
        actor=admin, programme=programme, unit=enterprise, amount=Decimal("5000"), purpose="磁体研发"
    )
    voucher = vouchers.voucher_grant(actor=officer, voucher=asked, amount=Decimal("2000"), reason="预算有限")
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=30))
    record = completed_booking(
        instrument=tem, requester=admin, unit=enterprise, manager=provider_manager, fee="3000.00"
    )
    client.force_login(admin)
    body = client.get(url("voucher_detail", voucher.pk)).content.decode()
    draw = VoucherDraw.objects.get()
    row = body[body.index(f'id="draw-{draw.pk}"') :]
    row = row[: row.index("</tr>")]
    assert tem.name in row and tem.unit.name in row and record.get_absolute_url() in row
    assert "3,000.00" in row and "1,500.00" in row  # the share: 50% of 3,000.00
    assert "预算有限" in body  # the reason for granting less
    history = body[body.index('id="history"') :]
    assert history.index("badge-requested") < history.index("badge-granted") < history.index("badge-active")
    assert 'id="voucher-remaining">500.00' in body


def test_the_voucher_pages_speak_english_too(client, admin, provider_manager, voucher, record):
    client.force_login(admin)
    body = client.get(url("voucher_detail", voucher.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Paid by the voucher" in body and "1,500.00 yuan" in body
    body = client.get(url("voucher_detail", voucher.pk)).content.decode()
    assert "创新券支付" in body and "1,500.00元" in body
    client.force_login(provider_manager)
    body = client.get(url("redemption_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Voucher-paid services not yet redeemed" in body


def test_a_voucher_is_seen_by_its_enterprise_and_the_bureau_only(
    client, voucher, admin, enterprise, officer, stranger, provider_manager
):
    path = url("voucher_detail", voucher.pk)
    for user, status in ((admin, 200), (member_of(enterprise), 200), (officer, 200)):
        client.force_login(user)
        assert client.get(path).status_code == status
    for user in (stranger, provider_manager):
        client.force_login(user)
        assert client.get(path).status_code == 404
        assert voucher.number not in client.get(url("voucher_list")).content.decode()
    assert client.get(url("voucher_detail", voucher.pk + 100)).status_code == 404
    client.logout()
    assert client.get(path).status_code == 302  # to the login page


# --- The booking page and the service record page ---------------------------------------------


def booking_form(unit, **extra):
    day = local(timezone.now()).date() + timedelta(days=3)
    data = {
        "unit": unit.pk,
        "date": day.isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "purpose": "稀土永磁材料断口形貌观察",
        "sample_count": "0",
        "sample_description": "",
        "service_way": "commission",
        "project_name": "高性能磁材",
        "funding_source": "enterprise",
        "estimate": "1",
    }
    return data | extra


def test_the_booking_page_shows_the_balance_and_the_voucher_share_of_the_estimate(
    client, admin, enterprise, voucher, tem, fee_item
):
    client.force_login(admin)
    path = reverse("bookings:calendar", args=[tem.pk])
    body = client.get(path).content.decode()
    panel = body[body.index('id="voucher-panel"') :]
    assert voucher.number in panel and "10,000.00" in panel and "50%" in panel
    assert 'id="voucher-share"' not in panel

    response = client.post(path, booking_form(enterprise))
    assert response.context["estimate"].total == Decimal("2000.00")  # 2 h × 1,000.00
    body = response.content.decode()
    assert 'id="voucher-share">1,000.00' in body and 'id="user-share">1,000.00' in body


def test_the_share_is_capped_by_the_balance(client, admin, enterprise, voucher, tem, fee_item):
    Voucher.objects.filter(pk=voucher.pk).update(drawn=Decimal("9400.00"))
    client.force_login(admin)
    body = client.post(reverse("bookings:calendar", args=[tem.pk]), booking_form(enterprise)).content.decode()
    assert 'id="voucher-share">600.00' in body and 'id="user-share">1,400.00' in body


def test_an_ineligible_booking_says_why_and_people_without_a_voucher_see_no_panel(
    client, admin, enterprise, voucher, tem, fee_item, stranger, provider_manager
):
    cheap = InstrumentFactory(unit=tem.unit, city="包头市", original_value=Decimal("50000.00"))
    FeeItemFactory(instrument=cheap)
    client.force_login(admin)
    body = client.get(reverse("bookings:calendar", args=[cheap.pk])).content.decode()
    assert 'class="help voucher-problem"' in body and voucher.number in body
    for user in (stranger, provider_manager):
        client.force_login(user)
        assert 'id="voucher-panel"' not in client.get(reverse("bookings:calendar", args=[tem.pk])).content.decode()


def test_the_service_record_page_shows_both_amounts_to_both_sides(client, admin, provider_manager, record):
    path = reverse("bookings:record_detail", args=[record.pk])
    for user in (admin, provider_manager):
        client.force_login(user)
        body = client.get(path).content.decode()
        assert 'id="paid-by-voucher">1,500.00' in body and 'id="paid-by-user">1,500.00' in body
    assert 'id="draw-redemption"' in body  # the provider sees whether it is redeemed


def test_the_site_gives_the_bookings_pages_the_voucher_panels():
    """bookings never names subsidies: platform_site collects the panels and hands them over."""
    from django.urls import resolve

    from platform_site import extensions
    from subsidies import panels

    assert panels.booking_panel in extensions.booking_panels()
    assert panels.service_record_panel in extensions.service_record_panels()
    assert panels.booking_panel in resolve(reverse("bookings:calendar", args=[1])).kwargs["panels"]
    assert panels.service_record_panel in resolve(reverse("bookings:record_detail", args=[1])).kwargs["panels"]


def test_a_record_without_a_draw_has_no_voucher_panel(client, tem, enterprise, admin):
    record = paid_record(instrument=tem, unit=enterprise, user=admin)
    client.force_login(admin)
    assert (
        'id="voucher-payment"' not in client.get(reverse("bookings:record_detail", args=[record.pk])).content.decode()
    )


# --- The provider's redemptions ---------------------------------------------------------------


def test_the_provider_redeems_an_ended_period_and_submits(client, provider_manager, provider, programme, record):
    in_last_month(record)
    client.force_login(provider_manager)
    body = client.get(url("redemption_list")).content.decode()
    start = last_month_start()
    period_id = f'id="period-{programme.pk}-{provider.pk}-{start:%Y%m%d}"'
    assert period_id in body
    period = body[body.index(period_id) :]
    assert "1,500.00" in period and "3,000.00" in period and "redeem" in period

    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    response = client.post(
        url("redemption_create"),
        {"programme": programme.pk, "provider": provider.pk, "period_start": start, "period_end": end},
    )
    redemption = VoucherRedemption.objects.get()
    assert response.status_code == 302 and response["Location"] == url("redemption_detail", redemption.pk)
    assert (redemption.amount, redemption.services, redemption.status) == (Decimal("1500.00"), 1, R.DRAFT)
    body = client.get(response["Location"]).content.decode()
    assert 'id="submit-redemption"' in body and record.instrument.name in body and "1,500.00" in body

    response = client.post(url("redemption_submit", redemption.pk))
    redemption.refresh_from_db()
    assert response.status_code == 302 and redemption.status == R.SUBMITTED
    body = client.get(url("redemption_detail", redemption.pk)).content.decode()
    assert 'id="submit-redemption"' not in body and "badge-submitted" in body
    body = client.get(url("redemption_list")).content.decode()
    assert f'id="redemption-{redemption.pk}"' in body and 'id="no-periods"' in body


def test_a_returned_redemption_can_be_submitted_again(client, provider_manager, provider, programme, record, officer):
    in_last_month(record)
    start, end = last_month_start(), timezone.localdate().replace(day=1) - timedelta(days=1)
    redemption = services.redemption_create(
        actor=provider_manager, programme=programme, provider=provider, period_start=start, period_end=end
    )
    services.redemption_submit(actor=provider_manager, redemption=redemption)
    services.redemption_return(actor=officer, redemption=redemption, reason="请补充检测报告")
    client.force_login(provider_manager)
    body = client.get(url("redemption_detail", redemption.pk)).content.decode()
    assert "请补充检测报告" in body and 'id="submit-redemption"' in body


def test_the_current_period_cannot_be_redeemed_yet(client, provider_manager, record):
    client.force_login(provider_manager)
    body = client.get(url("redemption_list")).content.decode()
    assert "period-" in body and 'class="redeem"' not in body


def test_a_provider_sees_only_the_redemptions_of_its_own_services(
    client, provider_manager, provider, programme, record, other_provider_manager, admin
):
    in_last_month(record)
    start, end = last_month_start(), timezone.localdate().replace(day=1) - timedelta(days=1)
    redemption = services.redemption_create(
        actor=provider_manager, programme=programme, provider=provider, period_start=start, period_end=end
    )
    for user in (other_provider_manager, admin):
        client.force_login(user)
        body = client.get(url("redemption_list")).content.decode()
        assert redemption.number not in body and "period-" not in body
        assert client.get(url("redemption_detail", redemption.pk)).status_code == 404
        assert client.post(url("redemption_submit", redemption.pk)).status_code == 404
        response = client.post(
            url("redemption_create"),
            {"programme": programme.pk, "provider": provider.pk, "period_start": start, "period_end": end},
        )
        assert response.status_code == 404
    redemption.refresh_from_db()
    assert redemption.status == R.DRAFT and VoucherRedemption.objects.count() == 1


# --- The statement ----------------------------------------------------------------------------


def test_the_statement_shows_vouchers_and_draws_and_the_providers_voucher_paid_services(
    client, admin, enterprise, provider, provider_manager, programme, voucher, record
):
    client.force_login(admin)
    body = client.get(url("statement", programme.pk, enterprise.pk)).content.decode()
    assert f'id="voucher-{voucher.pk}"' in body and record.instrument.name in body
    assert 'id="drawn-total">1,500.00' in body
    client.force_login(provider_manager)
    body = client.get(url("statement", programme.pk, provider.pk)).content.decode()
    services_table = body[body.index('id="voucher-services"') :]
    assert enterprise.name in services_table and "1,500.00" in services_table
    assert 'id="statement-redemptions"' in body


# --- Fixed query counts -----------------------------------------------------------------------


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_voucher_list_issues_a_fixed_number_of_queries(client, programme, admin, enterprise):
    def apply(count):
        for _ in range(count):
            vouchers.voucher_apply(
                actor=admin, programme=programme, unit=enterprise, amount=Decimal("1000"), purpose="x"
            )

    apply(1)
    client.force_login(admin)
    one = queries_for(client, url("voucher_list"))
    index_one = queries_for(client, url("index"))
    apply(19)
    assert queries_for(client, url("voucher_list")) == one
    assert queries_for(client, url("index")) == index_one


def redeemable_world(*, programme, voucher, tem, provider, provider_manager, count, start=0):
    """``count`` voucher-paid services in ``count`` different ended months, and one redemption each
    for the first of them; every other month stays unredeemed."""
    for n in range(start, start + count):
        record = paid_record(instrument=tem, unit=voucher.unit, amount="200.00", days_ago=40 + 31 * n)
        VoucherDraw.objects.create(
            voucher=voucher,
            service_record=record,
            charged=record.amount,
            share=Decimal("100.00"),
            amount=Decimal("100.00"),
        )
        VoucherRedemption.objects.create(
            programme=programme,
            provider=provider,
            created_by=provider_manager,
            period_start=timezone.localdate() - timedelta(days=400 + n),
            period_end=timezone.localdate() - timedelta(days=370 + n),
            amount=Decimal("100.00"),
            services=1,
        )


def test_the_redemption_list_issues_a_fixed_number_of_queries(
    client, programme, voucher, tem, provider, provider_manager
):
    Voucher.objects.filter(pk=voucher.pk).update(drawn=Decimal("0.00"))
    redeemable_world(
        programme=programme, voucher=voucher, tem=tem, provider=provider, provider_manager=provider_manager, count=1
    )
    client.force_login(provider_manager)
    one = queries_for(client, url("redemption_list"))
    redeemable_world(
        programme=programme,
        voucher=voucher,
        tem=tem,
        provider=provider,
        provider_manager=provider_manager,
        count=19,
        start=1,
    )
    body = client.get(url("redemption_list")).content.decode()
    assert body.count('id="redemption-') == 20 and body.count('class="card period"') > 10
    assert queries_for(client, url("redemption_list")) == one
