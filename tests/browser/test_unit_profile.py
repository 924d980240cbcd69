"""A unit's profile on a phone, in Chinese and in English: its address once, its figures and its
instruments 20 a page, the next page reached with the keyboard; nothing scrolls sideways and
axe-core finds no WCAG A/AA violation."""

import pytest

from tests.browser.test_subsidy_pages import axe_violations, csp_errors
from tests.factories import DistrictFactory, UnitFactory
from tests.instruments.factories import InstrumentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("locale", "next_label"), [("zh-CN", "下一页"), ("en-US", "Next")])
def test_the_unit_profile_on_a_phone(browser, live_server, screenshot, locale, next_label):
    unit = UnitFactory(name="内蒙古科技大学", district=DistrictFactory(name="昆都仑区"), address="阿尔丁大街7号")
    for n in range(23):
        InstrumentFactory(unit=unit, name=f"场发射扫描电子显微镜{n}", model="JSM-7900F Plus Schottky field emission")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = csp_errors(page)
    page.goto(f"{live_server.url}{unit.get_absolute_url()}")
    assert page.locator("#unit-address").inner_text() == "昆都仑区阿尔丁大街7号"
    assert page.locator("#figure-instruments").inner_text() == "23"
    assert page.locator("#unit-instrument-list li").count() == 20
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot(page, f"unit-profile-{locale}")

    link = page.locator("nav.pagination a", has_text=next_label)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?page=2")
    assert page.locator("#unit-instrument-list li").count() == 3
    assert errors == []
    context.close()
