"""An anonymous visitor on a phone searches the demo catalogue for 质谱 from the home page, finds the
LC-MS, opens its page, then narrows the results by a facet."""

import pytest

from instruments.models import Instrument
from tests.instruments.catalogue_factories import load_demo


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_anonymous_visitor_searches_in_chinese_and_opens_an_instrument(page, live_server, screenshot):
    load_demo()
    lcms = Instrument.objects.get(name="液相色谱-质谱联用仪")
    base = live_server.url

    page.goto(f"{base}/")
    assert page.inner_text("#figure-instruments") == "945"
    screenshot(page, "home-figures")

    page.fill("#home-search", "质谱")
    page.press("#home-search", "Enter")
    page.wait_for_selector("#results")
    assert "质谱" in page.input_value("input[name=search]")
    assert "找到" in page.inner_text("#result-count") or "found" in page.inner_text("#result-count")
    screenshot(page, "results-for-zhipu")

    link = page.locator("#results h2 a", has_text="液相色谱-质谱联用仪")
    assert link.count() == 1
    link.click()
    page.wait_for_url(f"{base}/instruments/{lcms.pk}/")
    assert page.inner_text("#instrument-name") == "液相色谱-质谱联用仪"
    assert "Xevo TQ-S micro" in page.content()
    assert "包头市检验检测中心" in page.inner_text("#contact")
    assert page.locator("#opening-hours li").count() >= 5
    screenshot(page, "instrument-page")

    # Back to the results: narrow them to one district with a facet.
    page.go_back()
    page.wait_for_selector("#facet-district a")
    facet = page.locator("#facet-district a").first
    district = facet.inner_text()
    facet.click()
    page.wait_for_selector("#facet-district a.selected")
    assert district in page.inner_text("#facet-district a.selected")
    screenshot(page, "narrowed-by-district")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_visitor_finds_an_owner_unit_by_typing_part_of_its_name(page, live_server, screenshot):
    """The owner filter sends no list of units: typing part of a name asks the units API, the
    suggestions come up, and choosing one narrows the catalogue to that unit's instruments."""
    load_demo()
    owner = Instrument.objects.get(name="液相色谱-质谱联用仪").unit
    page.goto(f"{live_server.url}/instruments/")
    page.click(".more-filters summary")
    assert page.locator("#id_unit option").count() == 1  # "any" alone

    page.fill("#id_unit-search", owner.name[:4])
    page.wait_for_function(
        "name => [...document.querySelectorAll('#id_unit-choices option')].some(o => o.value === name)", arg=owner.name
    )
    page.fill("#id_unit-search", owner.name)  # what choosing the suggestion puts in the box
    assert page.input_value("#id_unit") == str(owner.pk)
    screenshot(page, "owner-unit-chosen")

    page.click(".filters button[type=submit]")
    page.wait_for_selector("#results")
    assert f"unit={owner.pk}" in page.url
    listed = page.locator("#results h2 a").count()
    assert listed == min(20, owner.instruments.public().count()) and listed > 0
    assert page.locator("#id_unit option:checked").inner_text() == owner.name
