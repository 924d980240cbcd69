"""A content security policy on every page: a signed-in bureau officer sees the header, and the
catalogue, an instrument page with its calendar, the admin and the API docs run without a single
CSP violation (the policy allows no inline script without a nonce and no other origin)."""

import pytest
from django.contrib.auth.models import Group

from tests.bookings.factories import FeeItemFactory, InstrumentFactory, weekday_hours
from tests.factories import PASSWORD, UnitFactory, UserFactory


def csp_violations(page) -> list[str]:
    seen = []
    page.on(
        "console",
        lambda msg: (
            seen.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda err: seen.append(f"page error: {err}"))
    return seen


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_admin_and_api_docs_run_under_the_policy(page, live_server, screenshot):
    instrument = InstrumentFactory(unit=UnitFactory(), name="场发射扫描电子显微镜")
    weekday_hours(instrument)
    FeeItemFactory(instrument=instrument)
    officer = UserFactory(is_staff=True, email="officer@example.cn")
    officer.groups.add(Group.objects.get(name="bureau_staff"))
    base = live_server.url
    violations = csp_violations(page)

    response = page.goto(f"{base}/accounts/login/")
    policy = response.headers.get("content-security-policy", "")
    script_src = policy.split("script-src")[1].split(";")[0]
    assert script_src.split()[0] == "'self'"  # a nonce joins it on pages with a script
    assert "unsafe-inline" not in script_src and "http" not in policy
    page.fill("input[name=username]", officer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    for path, ready in [
        ("/instruments/", "main"),
        (f"/instruments/{instrument.pk}/", "#instrument-name"),
        (f"/instruments/{instrument.pk}/book/", "#day-calendar"),
        ("/admin/", "#content"),
        ("/admin/members/unit/", "#changelist"),
        ("/api/v1/docs/", ".swagger-ui .information-container"),
    ]:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        screenshot(page, path.strip("/").replace("/", "-") or "home")
    assert violations == []
