"""The innovation voucher journey: an enterprise administrator applies for a voucher on its page; a
bureau officer grants part of it in the admin, with a reason; the
enterprise books an eligible instrument and sees the voucher's balance and its share of the
estimate; the owner approves and completes the booking through the bookings pages; the draw shows
on the enterprise's voucher page and on the service record's page for both sides; the provider
redeems the ended period and submits; the bureau approves, publicises and pays it in the admin, and
the provider sees it paid.
The new pages pass axe-core's WCAG 2.1 A/AA rules; the redemption page is checked on a phone."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from bookings.models import Booking, ServiceRecord, SlotHold
from subsidies.models import Voucher, VoucherDraw, VoucherRedemption
from tests.bookings.factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in, new_page
from tests.browser.test_voucher_admin import (
    bureau_approves_publicises_and_pays_redemption,
    bureau_grants_a_smaller_quota,
)
from tests.factories import UnitFactory
from tests.subsidies.voucher_factories import voucher_programme


def previous_quarter_day():
    """A day in the quarter before this one (the Shanghai preset settles quarterly)."""
    today = timezone.localdate()
    first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return first - timedelta(days=20)


def fits_a_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= 390


@pytest.fixture
def world(db):
    provider = UnitFactory(name="内蒙古科技大学")
    tem = InstrumentFactory(unit=provider, name="透射电子显微镜", city="包头市")
    weekday_hours(tem)
    FeeItemFactory(instrument=tem, name="高分辨成像", internal_price="500.00", external_price="790.00")
    manager = member_of(provider, role="manager", name="赵磊", email="zhaolei@example.cn")
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise", scale="small")
    admin = member_of(enterprise, role="admin", name="王芳", email="wangfang@example.cn")
    today = timezone.localdate()
    programme = voucher_programme(
        name="包头市科技创新券",
        settlement_cycle="quarterly",
        services_from=today - timedelta(days=200),
        services_until=today + timedelta(days=90),
    )
    return {
        "provider": provider,
        "tem": tem,
        "manager": manager,
        "enterprise": enterprise,
        "admin": admin,
        "programme": programme,
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_apply_grant_book_with_the_voucher_complete_redeem_and_submit(browser, live_server, screenshot, world, officer):
    base, programme, tem = live_server.url, world["programme"], world["tem"]

    # The enterprise administrator applies for a voucher from the subsidies page.
    context, page = new_page(browser)
    errors = csp_errors(page)
    log_in(page, base, world["admin"].email)
    page.goto(f"{base}/subsidies/")
    page.click(f"#programme-{programme.pk} a.apply-voucher")
    page.wait_for_selector("#voucher-apply-form")
    page.fill("input[name=amount]", "20000")
    page.fill("textarea[name=purpose]", "钕铁硼磁体微观结构与成分分析")
    page.fill("input[name=project_name]", "高性能钕铁硼磁体研发")
    screenshot(page, "voucher-apply")
    assert axe_violations(page) == []
    page.click("#voucher-apply")
    page.wait_for_selector("#voucher-status")
    voucher = Voucher.objects.get()
    assert page.url.endswith(f"/subsidies/vouchers/{voucher.pk}/")
    assert voucher.status == Voucher.Status.REQUESTED and voucher.requested_amount == Decimal("20000.00")
    screenshot(page, "voucher-requested")

    # A bureau officer (who may also pay) grants 15,000.00 of it in the admin, with a reason. The
    # grant dates it today: a month back here, so the service recorded below falls within it.
    officer.user_permissions.add(Permission.objects.get(codename="pay_application"))
    officer = type(officer).objects.get(pk=officer.pk)
    bureau_context, bureau_page = new_page(browser)
    bureau_grants_a_smaller_quota(bureau_page, base, screenshot, officer, voucher, amount="15000.00")
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=30))
    page.reload()
    assert "15,000.00" in page.inner_text("#voucher-remaining")
    screenshot(page, "voucher-granted")
    assert axe_violations(page) == []

    # The booking page of the TEM: the voucher's balance, then its share of the estimate.
    page.goto(f"{base}/instruments/{tem.pk}/book/")
    page.wait_for_selector("#voucher-panel")
    assert "15,000.00" in page.inner_text("#voucher-panel")
    page.click(".week-nav a[rel=next]")
    page.wait_for_selector("#week-calendar")
    page.locator("#week-calendar td.cell-free a").first.click()
    page.wait_for_selector("#request form")
    page.fill("input[name=start_time]", "09:00")
    page.fill("input[name=end_time]", "10:00")
    page.fill("textarea[name=purpose]", "磁体晶界相高分辨成像")
    page.select_option("select[name=service_way]", "commission")
    page.fill("input[name=project_name]", "高性能钕铁硼磁体研发")
    page.select_option("select[name=funding_source]", "enterprise")
    page.click("button[name=estimate]")
    page.wait_for_selector("#voucher-share")
    assert "790.00" in page.inner_text("#estimate")
    assert "395.00" in page.inner_text("#voucher-share") and "395.00" in page.inner_text("#user-share")
    screenshot(page, "booking-voucher-share")
    assert axe_violations(page) == []
    page.click("#request button:not([name=estimate])")
    page.wait_for_selector("#booking-status")
    booking = Booking.objects.get()
    context.close()

    # The owner's manager approves and, after the slot, completes it: the voucher draws its share.
    context, page = new_page(browser)
    log_in(page, base, world["manager"].email)
    page.goto(f"{base}/bookings/{booking.pk}/")
    page.click("#approve")
    page.wait_for_selector("#booking-status")
    start = timezone.now() - timedelta(hours=3)
    Booking.objects.filter(pk=booking.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    SlotHold.objects.filter(booking=booking).update(starts_at=start, ends_at=start + timedelta(hours=1))
    page.reload()
    page.fill("#complete-form input[name=measurement_hours]", "1")
    page.click("#complete")
    page.wait_for_selector("#booking-status")
    record = ServiceRecord.objects.get()
    draw = VoucherDraw.objects.get()
    assert (draw.service_record_id, draw.charged, draw.amount) == (record.pk, Decimal("790.00"), Decimal("395.00"))

    # The provider sees both amounts on the service record's page, not yet redeemed.
    page.click(f"a[href='/service-records/{record.pk}/']")
    page.wait_for_selector("#voucher-payment")
    assert "395.00" in page.inner_text("#paid-by-voucher") and "395.00" in page.inner_text("#paid-by-user")
    assert page.locator("#draw-redemption a[href='/subsidies/redemptions/']").count() == 1
    screenshot(page, "provider-record")
    assert axe_violations(page) == []
    context.close()

    # The enterprise sees the draw on its voucher page and on the service record's page.
    context, page = new_page(browser)
    log_in(page, base, world["admin"].email)
    page.goto(f"{base}/subsidies/vouchers/")
    page.wait_for_selector(f"#voucher-{voucher.pk}")
    assert "14,605.00" in page.inner_text(f"#voucher-{voucher.pk} .remaining")
    screenshot(page, "voucher-list")
    assert axe_violations(page) == []
    page.click(f"#voucher-{voucher.pk} a")
    page.wait_for_selector(f"#draw-{draw.pk}")
    row = page.inner_text(f"#draw-{draw.pk}")
    assert "透射电子显微镜" in row and "内蒙古科技大学" in row and "790.00" in row and "395.00" in row
    screenshot(page, "voucher-with-draw")
    assert axe_violations(page) == []
    page.click(f"#draw-{draw.pk} a")
    page.wait_for_selector("#voucher-payment")
    assert "395.00" in page.inner_text("#paid-by-voucher") and "395.00" in page.inner_text("#paid-by-user")
    assert page.locator("#draw-redemption").count() == 0  # redemption is the provider's business
    screenshot(page, "enterprise-record")
    assert errors == []
    context.close()

    # The quarter ends (the service is moved into the last one here); the provider redeems it on a phone.
    day = previous_quarter_day()
    started = timezone.make_aware(datetime(day.year, day.month, day.day, 10))
    ServiceRecord.objects.filter(pk=record.pk).update(started_at=started, ended_at=started + timedelta(hours=1))
    context, page = new_page(browser, width=390, height=844)
    log_in(page, base, world["manager"].email)
    page.goto(f"{base}/subsidies/redemptions/")
    page.wait_for_selector("section.period")
    assert "395.00" in page.inner_text("section.period .period-amount")
    screenshot(page, "phone-periods")
    assert axe_violations(page) == []
    assert fits_a_phone(page)
    page.click("section.period button.redeem")
    page.wait_for_selector("#redemption-status")
    redemption = VoucherRedemption.objects.get()
    assert (redemption.amount, redemption.services, redemption.status) == (Decimal("395.00"), 1, "draft")
    assert "透射电子显微镜" in page.inner_text("#redemption-services")
    screenshot(page, "phone-redemption-draft")
    assert axe_violations(page) == []
    assert fits_a_phone(page)
    page.click("#submit-redemption")
    page.wait_for_selector("#redemption-status")
    redemption.refresh_from_db()
    assert redemption.status == "submitted" and page.locator("#submit-redemption").count() == 0
    screenshot(page, "phone-redemption-submitted")

    # The bureau approves, publicises and, after the notice, pays in the admin; the provider
    # sees the redemption paid and the service record says which redemption claims it.
    bureau_approves_publicises_and_pays_redemption(
        bureau_page, base, screenshot, officer, redemption, reference="CW-2026-V001"
    )
    bureau_context.close()
    page.reload()
    assert "CW-2026-V001" in page.inner_text("#paid")
    screenshot(page, "phone-redemption-paid")
    page.goto(f"{base}/service-records/{record.pk}/")
    assert redemption.number in page.inner_text("#draw-redemption")
    context.close()
