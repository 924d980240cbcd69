"""The requester cancels a booking on a phone in Chinese: the booking page says where the
instrument is and whom to ask, its cancel link leads to a confirmation that shows the booking and
says a cancellation is undone only by a new request, and only the confirmation cancels; axe-core
finds no WCAG A/AA violation on either page and nothing scrolls sideways."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from tests.bookings.factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import UnitFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_requester_cancels_through_the_confirmation_on_a_phone(browser, live_server, screenshot):
    owner = UnitFactory(name="内蒙古科技大学")
    instrument = InstrumentFactory(
        unit=owner,
        name="场发射扫描电子显微镜",
        province="内蒙古自治区",
        city="包头市",
        street_address="阿尔丁大街7号 材料楼201室",
    )
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument)
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise")
    requester = member_of(enterprise, name="张伟", email="zhangwei@example.cn")
    day = timezone.localdate() + timedelta(days=3)
    tz = timezone.get_default_timezone()
    booking = services.booking_request(
        user=requester,
        unit=enterprise,
        instrument=instrument,
        starts_at=datetime.combine(day, time(9), tzinfo=tz),
        ends_at=datetime.combine(day, time(11), tzinfo=tz),
        purpose="断口形貌观察",
        sample_count=2,
    )

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = csp_errors(page)
    log_in(page, live_server.url, requester.email)
    page.goto(f"{live_server.url}{booking.get_absolute_url()}")
    assert "阿尔丁大街7号 材料楼201室" in page.inner_text("#where-and-whom")
    assert "赵磊" in page.inner_text("#where-and-whom")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot(page, "booking-where-and-whom")

    page.click("#cancel-link")
    page.wait_for_selector("#cancel-form")
    assert "只能重新提交预约申请" in page.inner_text("#cancel-warning")
    assert f"{day:%Y-%m-%d} 09:00–11:00" in page.inner_text("#cancel-booking")
    assert Booking.objects.get(pk=booking.pk).status == "requested"  # asking is not cancelling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot(page, "cancel-confirmation")

    page.fill("#cancel-form textarea[name=reason]", "实验计划调整")
    page.click("#confirm-cancel")
    page.wait_for_selector("#booking-status")
    assert page.inner_text("#booking-status") == "已取消"
    assert page.locator("#cancel-link").count() == 0
    screenshot(page, "cancelled")
    booking.refresh_from_db()
    assert (booking.status, booking.events.last().reason) == ("cancelled", "实验计划调整")
    assert errors == []
    context.close()
