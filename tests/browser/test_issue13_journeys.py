"""Journeys of issue 13 in a real browser, on a phone (390×844) and a desktop (1366×900), in Chinese
and English: finding instruments by a class's name and by a model typed without its punctuation,
the manager's outage preview and confirmation, and booking a slot in the phone's day view with the
keyboard alone. axe-core finds no WCAG A/AA violation on any page visited; screenshots are saved."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from tests.bookings.factories import FeeItemFactory, member_of, weekday_hours
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import UnitFactory
from tests.instruments.factories import CategoryFactory, InstrumentFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
CASES = [("zh-CN", PHONE), ("en-US", DESKTOP), ("en-US", PHONE), ("zh-CN", DESKTOP)]
IDS = ["zh-phone", "en-desktop", "en-phone", "zh-desktop"]


def new_page(browser, viewport, locale):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def no_sideways_scroll(page, viewport):
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.fixture
def registry(db):
    owner = UnitFactory(name="内蒙古科技大学")
    tem = InstrumentFactory(
        unit=owner,
        name="场发射透射电子显微镜",
        name_en="Field-emission transmission electron microscope",
        model="JEM-2100F",
        category=CategoryFactory(),  # 0101 电子光学仪器
    )
    lcms = InstrumentFactory(
        unit=owner,
        name="液相色谱-质谱联用仪",
        name_en="Liquid chromatograph-mass spectrometer",
        model="Xevo TQ-S micro",
        category=CategoryFactory(code="0102", name="质谱仪器", name_en="Mass spectrometry"),
    )
    return owner, tem, lcms


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("locale", "viewport"), CASES, ids=IDS)
def test_a_class_name_and_a_model_without_punctuation_find_the_instruments(
    browser, live_server, screenshot, registry, locale, viewport
):
    _owner, tem, lcms = registry
    context, page = new_page(browser, viewport, locale)
    errors = csp_errors(page)
    for query, found, not_found in (
        ("质谱仪器", lcms, tem),
        ("jem2100", tem, lcms),
        ("JEM 2100", tem, lcms),
        ("jem-2100f", tem, lcms),
    ):
        page.goto(f"{live_server.url}/instruments/")
        page.fill("input[name=search]", query)
        page.press("input[name=search]", "Enter")
        page.wait_for_selector("#results")
        links = page.locator("#results h2 a")
        assert links.count() == 1, query
        assert links.first.get_attribute("href") == found.get_absolute_url(), query
        assert not_found.get_absolute_url() not in page.content(), query
        assert no_sideways_scroll(page, viewport), query
    screenshot(page, f"model-search-{locale}-{viewport['width']}")
    assert axe_violations(page) == []
    assert errors == []
    context.close()


@pytest.fixture
def booked(db):
    """An instrument open every day 08:30–17:30 with a request of 张伟's inside tomorrow+3's morning."""
    owner = UnitFactory(name="内蒙古科技大学")
    instrument = InstrumentFactory(unit=owner, name="场发射扫描电子显微镜", model="SU8010", needs_approval=True)
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument)
    manager = member_of(owner, role="manager", name="赵磊", email="zhaolei@example.cn")
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
    return instrument, manager, requester, booking, day


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("locale", "viewport"), CASES, ids=IDS)
def test_the_manager_sees_whose_bookings_an_outage_cancels_before_declaring_it(
    browser, live_server, screenshot, booked, locale, viewport
):
    instrument, manager, _requester, booking, day = booked
    context, page = new_page(browser, viewport, locale)
    errors = csp_errors(page)
    log_in(page, live_server.url, manager.email)
    page.goto(f"{live_server.url}/instruments/{instrument.pk}/outages/")
    page.wait_for_selector("#outage-form")
    form = page.locator("#outage-form")
    form.locator("input[name=starts_at]").fill(f"{day.isoformat()}T08:30")
    form.locator("input[name=ends_at]").fill(f"{day.isoformat()}T17:30")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#outage-preview")
    preview = page.inner_text("#outage-bookings")
    assert "张伟" in preview and "包头稀宝新材料科技有限公司" in preview
    assert f"{day.isoformat()} 09:00" in preview
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.REQUESTED  # nothing cancelled yet
    assert no_sideways_scroll(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"outage-preview-{locale}-{viewport['width']}")

    page.click("#confirm-outage")
    page.wait_for_selector("#outage-form")
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    assert instrument.outages.count() == 1
    screenshot(page, f"outage-declared-{locale}-{viewport['width']}")
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_booking_a_slot_in_the_day_view_with_the_keyboard_alone(browser, live_server, screenshot, booked, locale):
    """On a phone: the next days by keyboard, a free slot, the request form filled and sent with the
    keyboard; the booking is requested for the slot chosen."""
    instrument, _manager, requester, _booking, day = booked
    context, page = new_page(browser, PHONE, locale)
    errors = csp_errors(page)
    log_in(page, live_server.url, requester.email)
    page.goto(f"{live_server.url}/instruments/{instrument.pk}/book/")
    for _ in range(3):
        page.focus("#day-calendar a[rel=next]")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    assert day.isoformat() in page.inner_text("#day-heading")
    assert no_sideways_scroll(page, PHONE)
    assert axe_violations(page) == []
    # 09:00–11:00 is 张伟's request; the afternoon is free.
    slot = page.locator("#day-calendar li.cell-free a", has_text="14:00–15:00")
    slot.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#request form")
    page.focus("textarea[name=purpose]")
    page.keyboard.type("稀土永磁材料断口形貌观察")
    page.focus("input[name=sample_count]")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.focus("#request button:not([name=estimate])")
    page.keyboard.press("Enter")
    page.wait_for_selector("#booking-status")
    screenshot(page, f"booked-by-keyboard-{locale}")
    booking = Booking.objects.exclude(purpose="断口形貌观察").get()
    assert timezone.localtime(booking.starts_at).time() == time(14)
    assert booking.status == Booking.Status.REQUESTED
    assert axe_violations(page) == []
    assert errors == []
    context.close()
