"""The booking calendar on a phone shows one day at a time, from the opening time, without sideways
scrolling, and is used with the keyboard alone (next day, a date picker, a free slot); a desktop
keeps the week. axe-core finds no WCAG A/AA violation on either."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from tests.bookings.factories import FeeItemFactory, InstrumentFactory, member_of, weekday_hours
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import UnitFactory


@pytest.fixture
def world(db):
    owner = UnitFactory(name="内蒙古科技大学")
    instrument = InstrumentFactory(unit=owner, name="场发射透射电子显微镜", model="JEM-2100F")
    weekday_hours(instrument, opens=time(8, 30), closes=time(17, 0))
    FeeItemFactory(instrument=instrument)
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise")
    requester = member_of(enterprise, name="张伟", email="zhangwei@example.cn")
    return instrument, requester


def open_calendar(browser, live_server, world, viewport, locale="zh-CN"):
    instrument, requester = world
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = csp_errors(page)
    log_in(page, live_server.url, requester.email)
    page.goto(f"{live_server.url}/instruments/{instrument.pk}/book/")
    return context, page, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_phone_shows_one_day_from_its_opening_time_and_moves_by_keyboard(browser, live_server, screenshot, world):
    context, page, errors = open_calendar(browser, live_server, world, {"width": 390, "height": 844})
    assert page.is_visible("#day-calendar") and not page.is_visible("#week-calendar")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
    assert page.locator("#day-calendar .slot-time").first.inner_text() == "08:30–09:00"
    assert axe_violations(page) == []
    screenshot(page, "day-view-today")

    # The next day, by keyboard: focus the link and press Enter.
    today = timezone.localdate()
    page.focus("#day-calendar a[rel=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**?day={(today + timedelta(days=1)).isoformat()}")
    assert (today + timedelta(days=1)).isoformat() in page.inner_text("#day-heading")

    # A date four days on, typed into the date picker and sent with Enter.
    target = today + timedelta(days=4)
    page.focus("#pick-day")
    page.fill("#pick-day", target.isoformat())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**?day={target.isoformat()}")
    assert target.isoformat() in page.inner_text("#day-heading")
    slots = page.locator("#day-calendar li.cell-free a")
    assert slots.count() == 9  # 08:30–09:00, then whole hours to 17:00, all free
    screenshot(page, "day-view-picked")

    # The first free slot, chosen with the keyboard, fills in the request form.
    slots.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#request form")
    assert page.input_value("input[name=start_time]") == "08:30"
    assert page.input_value("input[name=date]") == target.isoformat()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_desktop_keeps_the_week(browser, live_server, screenshot, world):
    context, page, errors = open_calendar(browser, live_server, world, {"width": 1366, "height": 900}, "en-US")
    assert page.is_visible("#week-calendar") and not page.is_visible("#day-calendar")
    assert page.locator("#week-calendar tbody th.hour").first.inner_text() == "08:30"
    assert page.locator("#week-calendar thead th[scope=col]").count() == 7
    assert axe_violations(page) == []
    screenshot(page, "week-view-desktop")
    assert errors == []
    context.close()
