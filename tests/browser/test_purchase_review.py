"""A unit administrator asks for a duplicate-purchase review (查重评议) of a TEM, reads the verdict
and the list of similar instruments, and prints the dated record: the Print button calls the
browser's print, and the print stylesheet leaves out the navigation and the buttons. The form and
the record pass axe-core's WCAG 2.1 A/AA rules on a phone and on a desktop."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.models import DuplicateReview
from reports.review import VERDICT_LABELS
from tests.bookings.factories import ServiceRecordFactory, weekday_hours
from tests.browser.test_subsidy_pages import axe_violations, csp_errors, log_in
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.instruments.factories import CategoryFactory, InstrumentFactory, TopCategoryFactory


@pytest.fixture
def world(db):
    unit = UnitFactory(name="内蒙古科技大学")
    admin = MembershipFactory(
        unit=unit, role="admin", user=UserFactory(name="李主任", email="lizhuren@example.cn")
    ).user
    eo = CategoryFactory(code="0101", name="电子光学仪器", parent=TopCategoryFactory(code="01", name="分析仪器"))
    owner = UnitFactory(name="包头钢铁研究院")
    busy = InstrumentFactory(unit=owner, category=eo, name="透射电子显微镜", model="JEM-2100F")
    idle = InstrumentFactory(unit=owner, category=eo, name="透射电子显微镜", model="JEM-2100Plus")
    weekday_hours(idle)  # open every day 08:30–17:30, nothing booked
    started = timezone.now() - timedelta(days=30)
    ServiceRecordFactory(
        instrument=busy, started_at=started, ended_at=started + timedelta(hours=2), hours=Decimal("1450")
    )
    ServiceRecordFactory(
        instrument=idle, started_at=started, ended_at=started + timedelta(hours=2), hours=Decimal("320")
    )
    return {"unit": unit, "admin": admin, "eo": eo, "busy": busy, "idle": idle}


def test_a_unit_administrator_runs_a_review_and_prints_it(page, live_server, world, screenshot):
    base = live_server.url
    errors = csp_errors(page)
    log_in(page, base, world["admin"].email)
    page.goto(f"{base}/reports/purchase-review/")
    page.wait_for_selector("#review-form")
    assert page.locator("#no-reviews").is_visible()
    screenshot(page, "form")
    assert axe_violations(page) == []

    page.select_option("#id_category", str(world["eo"].pk))
    page.fill("#id_name", "透射电子显微镜")
    page.fill("#id_model", "JEM-2100F")
    page.fill("#id_specifications", "加速电压 200 kV；点分辨率 0.23 nm")
    page.fill("#id_price", "6800000")
    page.click("#review-submit")
    page.wait_for_selector("#verdict")
    review = DuplicateReview.objects.get()
    assert review.verdict == "not_justified" and review.created_by == world["admin"]
    assert page.inner_text("#verdict-label") == str(VERDICT_LABELS["not_justified"])
    assert "1,200" in page.inner_text("#verdict-sentence")
    # The TEM of the very model first; the one under the 1,200-hour line is flagged.
    ids = page.eval_on_selector_all("#similar tbody tr", "rows => rows.map(r => r.id)")
    assert ids == [f"similar-{world['busy'].pk}", f"similar-{world['idle'].pk}"]
    assert "under-used" in page.get_attribute(f"#similar-{world['idle'].pk}", "class")
    assert "under-used" not in page.get_attribute(f"#similar-{world['busy'].pk}", "class")
    free, opened = page.inner_text(f"#similar-{world['idle'].pk} td.free").split(" / ")
    assert free == opened and 261 <= float(opened) <= 270  # 30 days of 9 hours, less what passed today
    assert "680.00万元" in page.inner_text("#planned-price")
    assert page.inner_text("#asked-by") == "李主任"
    screenshot(page, "record")
    assert axe_violations(page) == []

    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("#print-review")
    assert page.evaluate("window.__printed") is True

    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("#print-review").is_hidden()
    assert page.locator("#verdict").is_visible() and page.locator("#similar").is_visible()
    screenshot(page, "printed")
    page.emulate_media(media="screen")

    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "record-desktop")
    assert axe_violations(page) == []
    page.goto(f"{base}/reports/purchase-review/")
    assert page.locator(f"#review-{review.pk}").is_visible()
    assert axe_violations(page) == []
    assert errors == []
