"""An enterprise user finds an instrument, requests a slot in its week calendar; the owner's
manager approves it and, after the slot, completes it; the requester rates the service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, ServiceRecord, SlotHold
from tests.bookings.factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours
from tests.factories import PASSWORD, UnitFactory


def log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_request_approve_complete_rate(browser, live_server, screenshot):
    owner = UnitFactory(name="内蒙古科技大学")
    instrument = InstrumentFactory(unit=owner, name="场发射扫描电子显微镜", model="SU8010")
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument, name="电镜机时", internal_price="200.00", external_price="400.00")
    manager = member_of(owner, role="manager", name="赵磊", email="zhaolei@example.cn")
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise")
    requester = member_of(enterprise, name="张伟", email="zhangwei@example.cn")
    base = live_server.url

    def new_page():
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        return context, pg

    # The enterprise user finds the instrument in the catalogue and opens its calendar.
    context, page = new_page()
    log_in(page, base, requester.email)
    page.goto(f"{base}/instruments/")
    page.locator("main a", has_text="场发射扫描电子显微镜").first.click()
    page.wait_for_url(f"{base}/instruments/{instrument.pk}/")
    screenshot(page, "instrument-page")
    book_link = page.locator(f"a[href='/instruments/{instrument.pk}/book/']")
    if book_link.count():
        book_link.first.click()
    else:  # the instrument page links here once the lead wires it in
        page.goto(f"{base}/instruments/{instrument.pk}/book/")
    # A phone shows one day at a time; three days on, the first free hour is the opening hour.
    # The page's stylesheet decides which calendar shows: wait for the page to load, not only
    # for the element (on a busy machine the week calendar was still visible before the CSS).
    page.wait_for_url(f"{base}/instruments/{instrument.pk}/book/")
    page.wait_for_load_state("load")
    page.wait_for_selector("#day-calendar")
    assert not page.is_visible("#week-calendar")
    for _ in range(3):
        page.click("#day-calendar a[rel=next]")
        page.wait_for_load_state()
    screenshot(page, "day-calendar")

    # Pick the first free slot of the day, state purpose and samples, estimate, request.
    page.locator("#day-calendar li.cell-free a").first.click()
    page.wait_for_selector("#request form")
    page.fill("textarea[name=purpose]", "稀土永磁材料断口形貌观察")
    page.fill("input[name=sample_count]", "3")
    page.fill("textarea[name=sample_description]", "NdFeB 断口样品 3 个")
    page.select_option("select[name=service_way]", "guided")
    page.fill("input[name=project_name]", "高性能钕铁硼磁体研发")
    page.select_option("select[name=funding_source]", "enterprise")
    page.click("button[name=estimate]")
    page.wait_for_selector("#estimate")
    assert "400.00" in page.inner_text("#estimate")
    screenshot(page, "fee-estimate")
    page.click("#request button:not([name=estimate])")
    page.wait_for_selector("#booking-status")
    assert page.inner_text("#booking-status") == "待审批"
    screenshot(page, "requested")
    booking = Booking.objects.get()
    context.close()

    # The owner's manager finds it in the Requests queue and approves it.
    context, page = new_page()
    log_in(page, base, manager.email)
    page.goto(f"{base}/bookings/requests/?status=requested")
    screenshot(page, "requests-queue")
    page.click(f"a[href='/bookings/{booking.pk}/']")
    page.click("#approve")
    page.wait_for_selector("#booking-status")
    assert page.inner_text("#booking-status") == "已批准"
    screenshot(page, "approved")

    # The slot passes (moved into the past here), then the manager records the service.
    start = timezone.now() - timedelta(hours=3)
    Booking.objects.filter(pk=booking.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    SlotHold.objects.filter(booking=booking).update(starts_at=start, ends_at=start + timedelta(hours=1))
    page.reload()
    page.fill("#complete-form input[name=measurement_hours]", "1")
    page.fill("#complete-form input[name=sample_count]", "3")
    screenshot(page, "complete-form")
    page.click("#complete")
    page.wait_for_selector("#booking-status")
    assert page.inner_text("#booking-status") == "已完成"
    screenshot(page, "completed")
    context.close()

    # The requester rates the service.
    context, page = new_page()
    log_in(page, base, requester.email)
    page.goto(f"{base}/bookings/")
    screenshot(page, "my-bookings")
    page.click(f"a[href='/bookings/{booking.pk}/']")
    page.click("text=评价服务")
    page.check("input[name=rating][value='5']")
    page.fill("textarea[name=comment]", "老师指导耐心，数据质量好")
    page.click("#rate")
    page.wait_for_selector("#rating")
    assert "非常满意" in page.inner_text("#rating")
    screenshot(page, "rated")
    context.close()

    record = ServiceRecord.objects.get()
    assert (record.rating, record.is_external, str(record.amount)) == (5, True, "400.00")
