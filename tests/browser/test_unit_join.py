"""A new user on a phone, in Chinese, finds the unit to join by typing part of its name: the page
sends no list of units, the suggestions come from the units API, and the request is sent; axe-core
finds no WCAG A/AA violation on the page."""

import pytest

from members.models import Membership
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import MembershipFactory, UnitFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_user_finds_the_unit_by_name_and_asks_to_join(browser, live_server, screenshot):
    wanted = UnitFactory(name="内蒙古科技大学", short_name="内蒙古科大")
    MembershipFactory(unit=wanted, role="admin")
    for name in ("内蒙古工业大学", "包头稀土研究院", "包头市检验检测中心"):
        UnitFactory(name=name)
    joiner = UserFactory(email="liuyang@example.cn")

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = csp_errors(page)
    log_in(page, live_server.url, joiner.email)
    page.goto(f"{live_server.url}/units/join/")
    assert page.locator("#id_unit option").count() == 1  # "choose a unit" alone
    assert page.locator("#join-search").is_hidden()  # the script's box replaces the no-script search
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot(page, "unit-join-empty")

    page.fill("#id_unit-search", "科技")
    page.wait_for_function(
        "name => [...document.querySelectorAll('#id_unit-choices option')].some(o => o.value === name)",
        arg=wanted.name,
    )
    offered = page.eval_on_selector_all("#id_unit-choices option", "os => os.map(o => o.value)")
    assert offered == ["内蒙古科技大学"]
    page.fill("#id_unit-search", wanted.name)  # what choosing the suggestion puts in the box
    assert page.input_value("#id_unit") == str(wanted.pk)
    assert axe_violations(page) == []
    screenshot(page, "unit-join-chosen")

    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    membership = Membership.objects.get(user=joiner)
    assert membership.unit == wanted and membership.status == "pending"
    assert errors == []
    context.close()
