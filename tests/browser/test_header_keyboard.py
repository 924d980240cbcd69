"""The header with the keyboard alone, as a phone (390×844) and a desktop (1366×900) show it: the
first Tab reaches the skip link, which puts the focus in the main content; the phone menu is a
button that opens with Enter or Space, says whether it is open, and leads to the login link and the
language switch, in Chinese and, after switching with that switch, in English. On a desktop the
menu's links are shown in the header row. axe-core finds nothing serious or critical on the way."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import UserFactory
from tests.members.test_context_processors import notify

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TOGGLE = "summary.menu-toggle"
LOGIN = "nav.site-nav a[href='/accounts/login/']"
LANGUAGE = "nav.site-nav .lang-switch button"


def serious(page) -> list[str]:
    return [v for v in axe_violations(page) if "(serious)" in v or "(critical)" in v]


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement !== null && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 25) -> int:
    """Press Tab until the focus is on ``selector``; the number of presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return presses
    raise AssertionError(f"{selector} never got the focus in {limit} Tab presses")


def skip_to_content(page, label: str) -> None:
    page.keyboard.press("Tab")
    assert focused(page, "a.skip-link"), "the first Tab press does not reach the skip link"
    link = page.locator("a.skip-link")
    assert link.inner_text().strip() == label
    box = link.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link is off-screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.closest('main') !== null"), "the focus is not in main"
    assert page.evaluate("() => document.activeElement.id") == "content"


def open_the_menu_with_the_keyboard(page, label: str) -> None:
    toggle = page.locator(TOGGLE)
    assert toggle.inner_text().strip().endswith(label)
    assert toggle.get_attribute("aria-controls") == "site-nav"
    assert not page.locator(LOGIN).is_visible()
    tab_to(page, TOGGLE)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(LOGIN)).to_be_visible()
    page.keyboard.press(" ")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(LOGIN)).to_be_hidden()
    page.keyboard.press(" ")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(LOGIN)).to_be_visible()


def phone_journey(page, screenshot, *, skip_label: str, menu_label: str, language_label: str, step: str):
    skip_to_content(page, skip_label)
    page.reload()
    open_the_menu_with_the_keyboard(page, menu_label)
    screenshot(page, f"{step}-menu-open")
    assert serious(page) == []
    tab_to(page, LOGIN, limit=8)
    tab_to(page, LANGUAGE, limit=4)
    assert page.locator(LANGUAGE).inner_text().strip() == language_label
    # Escape closes the menu and gives the focus back to its button.
    page.keyboard.press("Escape")
    assert focused(page, TOGGLE)
    expect(page.locator(TOGGLE)).to_have_attribute("aria-expanded", "false")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_phone_reaches_skip_link_menu_login_and_language_switch_by_keyboard(browser, live_server, screenshot):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = csp_errors(page)
    base = live_server.url

    page.goto(f"{base}/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    screenshot(page, "zh-home")
    assert serious(page) == []
    phone_journey(page, screenshot, skip_label="跳到正文", menu_label="菜单", language_label="English", step="zh")

    # Switch to English with the menu's language switch, keyboard only.
    page.keyboard.press("Enter")
    tab_to(page, LANGUAGE, limit=8)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "en"
    screenshot(page, "en-home")
    assert serious(page) == []
    phone_journey(page, screenshot, skip_label="Skip to content", menu_label="Menu", language_label="中文", step="en")

    # And on to the login page, still with the keyboard.
    page.keyboard.press("Enter")
    tab_to(page, LOGIN, limit=8)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/accounts/login/") and page.get_attribute("html", "lang") == "en"
    screenshot(page, "en-login")
    assert serious(page) == []
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_desktop_shows_the_menu_in_the_header_row(browser, live_server, screenshot):
    reader = UserFactory(email="reader@example.cn")
    for _ in range(3):
        notify(reader)
    notify(reader, read=True)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = csp_errors(page)
    base = live_server.url

    page.goto(f"{base}/")
    assert not page.locator(TOGGLE).is_visible()
    catalogue = page.locator("nav.site-nav a[href='/instruments/']")
    assert catalogue.is_visible() and page.locator(LOGIN).is_visible() and page.locator(LANGUAGE).is_visible()
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="登录")).to_be_visible()
    brand, login = page.locator("a.brand").bounding_box(), page.locator(LOGIN).bounding_box()
    assert abs((brand["y"] + brand["height"] / 2) - (login["y"] + login["height"] / 2)) < 8  # one row
    skip_to_content(page, "跳到正文")
    page.reload()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page, "a.brand")
    page.keyboard.press("Tab")
    assert focused(page, "nav.site-nav a[href='/instruments/']"), "a hidden menu button takes a Tab press"
    screenshot(page, "desktop-home")
    assert serious(page) == []

    # A signed-in reader sees the unread count beside the notifications link.
    log_in(page, base, reader.email)
    badge = page.locator("#nav-notifications .badge")
    assert badge.is_visible() and badge.inner_text().strip() == "3"
    assert "3 条未读通知" in page.locator("#nav-notifications").inner_text()
    screenshot(page, "desktop-signed-in")
    assert serious(page) == []
    assert errors == []
    context.close()
