"""A new user, on a phone and on a desktop, in Chinese and in English, finds the unit to join by
typing part of its name: the page sends no list of units, the suggestions come from the units API
and name the units in the page's language, and the request is sent; axe-core finds no WCAG A/AA
violation on the page."""

import pytest

from members.models import Membership
from tests.browser.test_issue13_journeys import CASES, IDS, new_page, no_sideways_scroll
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import MembershipFactory, UnitFactory, UserFactory

# What the new user types, and the one name the suggestions should hold, per page language.
TYPED = {
    "zh-CN": ("科技", "内蒙古科技大学"),
    "en-US": ("science", "Inner Mongolia University of Science and Technology"),
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("locale", "viewport"), CASES, ids=IDS)
def test_a_new_user_finds_the_unit_by_name_and_asks_to_join(browser, live_server, screenshot, locale, viewport):
    wanted = UnitFactory(
        name="内蒙古科技大学", short_name="内蒙古科大", name_en="Inner Mongolia University of Science and Technology"
    )
    MembershipFactory(unit=wanted, role="admin")
    for name, name_en in (
        ("内蒙古工业大学", "Inner Mongolia University of Technology"),
        ("包头稀土研究院", "Baotou Research Institute of Rare Earths"),
        ("包头市检验检测中心", ""),
    ):
        UnitFactory(name=name, name_en=name_en)
    joiner = UserFactory(email="liuyang@example.cn")
    typed, expected = TYPED[locale]

    context, page = new_page(browser, viewport, locale)
    errors = csp_errors(page)
    log_in(page, live_server.url, joiner.email)
    page.goto(f"{live_server.url}/units/join/")
    assert page.locator("#id_unit option").count() == 1  # "choose a unit" alone
    assert page.locator("#join-search").is_hidden()  # the script's box replaces the no-script search
    assert no_sideways_scroll(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"unit-join-empty-{locale}-{viewport['width']}")

    page.fill("#id_unit-search", typed)
    page.wait_for_function(
        "name => [...document.querySelectorAll('#id_unit-choices option')].some(o => o.value === name)",
        arg=expected,
    )
    offered = page.eval_on_selector_all("#id_unit-choices option", "os => os.map(o => o.value)")
    assert offered == [expected]
    page.fill("#id_unit-search", expected)  # what choosing the suggestion puts in the box
    assert page.input_value("#id_unit") == str(wanted.pk)
    assert axe_violations(page) == []
    screenshot(page, f"unit-join-chosen-{locale}-{viewport['width']}")

    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    membership = Membership.objects.get(user=joiner)
    assert membership.unit == wanted and membership.status == "pending"
    assert errors == []
    context.close()
