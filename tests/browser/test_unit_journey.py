"""A person signs up, registers a unit, sees it pending; a bureau officer approves it; it goes public."""

import pytest

from members.models import Unit
from tests.factories import PASSWORD, DistrictFactory, valid_credit_code


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sign_up_register_approve_profile(page, live_server, screenshot, officer):
    DistrictFactory(name="稀土高新区")
    base = live_server.url

    page.goto(f"{base}/signup/")
    page.fill("input[name=email]", "chen@example.cn")
    page.fill("input[name=name]", "陈静")
    page.fill("input[name=phone]", "13904725678")
    page.fill("input[name=password1]", "a-long-secret-77")
    page.fill("input[name=password2]", "a-long-secret-77")
    screenshot(page, "signup")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")
    screenshot(page, "dashboard")

    page.click("a[href='/units/register/']")
    page.fill("input[name=name]", "包头稀土检测技术有限公司")
    page.fill("input[name=short_name]", "稀土检测")
    page.fill("input[name=credit_code]", valid_credit_code(808))
    page.select_option("select[name=unit_type]", "enterprise")
    page.select_option("select[name=scale]", "small")
    page.check("input[name=is_high_tech]")
    page.select_option("select[name=district]", label="稀土高新区")
    page.fill("input[name=address]", "包头市稀土高新区黄河大街88号")
    page.fill("input[name=contact_person]", "陈静")
    page.fill("input[name=phone]", "0472-5212345")
    page.fill("input[name=email]", "lab@example.cn")
    screenshot(page, "register-unit")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#unit-status")
    assert "待审核" in page.inner_text("#unit-status")
    screenshot(page, "unit-pending")
    unit = Unit.objects.get(name="包头稀土检测技术有限公司")
    assert unit.status == Unit.Status.PENDING

    # the bureau officer approves it in the admin
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/?next=/admin/members/unit/")
    page.fill("input[name=username]", officer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#changelist")
    screenshot(page, "admin-queue")
    page.goto(f"{base}/admin/members/unit/{unit.pk}/decide/")
    screenshot(page, "admin-decide")
    page.click("button[name=decision][value=approve]")
    page.wait_for_load_state()
    screenshot(page, "after-approve")
    page.wait_for_selector("#changelist")
    screenshot(page, "admin-approved")

    # anyone now sees the public profile
    page.context.clear_cookies()
    page.goto(f"{base}/units/{unit.pk}/")
    assert "包头稀土检测技术有限公司" in page.inner_text("h1")
    assert page.locator("#unit-status").count() == 0
    screenshot(page, "public-profile")
    unit.refresh_from_db()
    assert unit.status == Unit.Status.APPROVED and unit.decided_by == officer
