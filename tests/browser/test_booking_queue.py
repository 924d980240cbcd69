"""The owner's manager decides requests in the queue on a phone and on a desktop, in Chinese and in
English: the pending ones are shown (soonest first), one is rejected with a reason and one
approved, each in its row, without leaving the queue; axe-core finds no WCAG A/AA violation there."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from tests.bookings.factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours
from tests.browser.test_issue13_journeys import CASES, IDS, new_page, no_sideways_scroll
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import UnitFactory

BUTTONS = {"zh-CN": ("批准", "驳回"), "en-US": ("Approve", "Reject")}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("locale", "viewport"), CASES, ids=IDS)
def test_the_manager_rejects_and_approves_from_the_queue(browser, live_server, screenshot, locale, viewport):
    approve, reject = BUTTONS[locale]
    owner = UnitFactory(name="内蒙古科技大学")
    instrument = InstrumentFactory(unit=owner, name="场发射扫描电子显微镜", needs_approval=True)
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument)
    manager = member_of(owner, role="manager", name="赵磊", email="zhaolei@example.cn")
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise")
    requester = member_of(enterprise, name="张伟", email="zhangwei@example.cn")
    day = timezone.localdate() + timedelta(days=3)
    tz = timezone.get_default_timezone()
    sooner, later = (
        services.booking_request(
            user=requester,
            unit=enterprise,
            instrument=instrument,
            starts_at=datetime.combine(day, time(hour), tzinfo=tz),
            ends_at=datetime.combine(day, time(hour + 1), tzinfo=tz),
            purpose=purpose,
            sample_count=2,
        )
        for hour, purpose in ((9, "断口形貌观察"), (14, "粉体粒径统计"))
    )

    context, page = new_page(browser, viewport, locale)
    errors = csp_errors(page)
    log_in(page, live_server.url, manager.email)
    page.goto(f"{live_server.url}/bookings/requests/")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2 and "断口形貌观察" not in rows.first.inner_text()  # purposes are on the booking page
    assert rows.first.locator("a").first.get_attribute("href") == sooner.get_absolute_url()
    assert no_sideways_scroll(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"queue-{locale}-{viewport['width']}")

    row = rows.nth(1)
    row.locator("button", has_text=reject).click()  # no reason yet: the browser asks for one
    assert Booking.objects.get(pk=later.pk).status == "requested"
    row.locator("input[name=reason]").fill("样品需先做导电处理")
    row.locator("button", has_text=reject).click()
    page.wait_for_selector("[role=status], .messages, .message", state="attached")
    assert page.url.endswith("/bookings/requests/")
    rows.first.locator("button", has_text=approve).click()
    page.wait_for_load_state()
    assert rows.count() == 1 and "table" in page.content()  # only the empty line is left
    screenshot(page, f"queue-decided-{locale}-{viewport['width']}")
    assert (Booking.objects.get(pk=sooner.pk).status, Booking.objects.get(pk=later.pk).status) == (
        "approved",
        "rejected",
    )
    assert Booking.objects.get(pk=later.pk).decision_reason == "样品需先做导电处理"
    assert errors == []
    context.close()
