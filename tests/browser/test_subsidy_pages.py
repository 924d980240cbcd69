"""The whole subsidy journey: an enterprise administrator applies with two services and an invoice (a
PDF chosen in the file input) and submits; the provider's manager confirms both in its queue; a
bureau officer approves part of it in the admin, publicises it and marks it paid; the applicant
sees the result. The edit and detail pages pass axe-core's WCAG 2.1 A/AA rules, on a
desktop and on a phone (390×844), where the claim table becomes stacked cards."""

import importlib.util
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from subsidies.models import Application, ApplicationLine
from tests.bookings.factories import InstrumentFactory, member_of
from tests.browser.test_subsidy_admin import bureau_approves_part_publicises_and_pays
from tests.factories import PASSWORD, UnitFactory
from tests.subsidies.factories import PDF, ProgrammeFactory, paid_record

# axe-core, as shipped in the pinned PyPI package axe-playwright-python (never a copy in this repository).
AXE = Path(importlib.util.find_spec("axe_playwright_python").origin).parent / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations of the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]


def csp_errors(page) -> list[str]:
    seen = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda err: seen.append(f"page error: {err}"))
    return seen


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    provider = UnitFactory(name="内蒙古科技大学")
    tem = InstrumentFactory(unit=provider, name="透射电子显微镜", city="包头市")
    manager = member_of(provider, role="manager", name="赵磊", email="zhaolei@example.cn")
    enterprise = UnitFactory(name="包头稀宝新材料科技有限公司", unit_type="enterprise", scale="small")
    admin = member_of(enterprise, role="admin", name="王芳", email="wangfang@example.cn")
    programme = ProgrammeFactory(name="包头市大型仪器共享补助")
    records = [
        paid_record(instrument=tem, unit=enterprise, amount=amount, days_ago=days)
        for amount, days in (("12000.00", 5), ("8000.00", 6))
    ]
    excluded = paid_record(instrument=tem, unit=enterprise, amount="3000.00", days_ago=7, purpose="certification")
    return {
        "provider": provider,
        "manager": manager,
        "enterprise": enterprise,
        "admin": admin,
        "programme": programme,
        "records": records,
        "excluded": excluded,
    }


def new_page(browser, *, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return context, pg


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_apply_confirm_approve_in_part_publicise_pay_and_the_applicant_sees_it(
    browser, live_server, screenshot, world, officer
):
    base = live_server.url
    records = world["records"]

    # The enterprise administrator finds the open programme and applies.
    context, page = new_page(browser)
    errors = csp_errors(page)
    log_in(page, base, world["admin"].email)
    page.click("nav.site-nav a[href='/subsidies/']")
    page.wait_for_selector(f"#programme-{world['programme'].pk}")
    screenshot(page, "subsidies-index")
    page.click(f"#programme-{world['programme'].pk} button.apply")
    page.wait_for_selector("#claimable")
    application = Application.objects.get()
    assert page.url.endswith(f"/subsidies/applications/{application.pk}/edit/")
    assert page.locator(f"#record-{world['excluded'].pk}.ineligible .reason").inner_text().strip()
    assert page.locator(f"#record-{world['excluded'].pk} input[type=checkbox]").count() == 0

    # Tick both services: the running total follows; save the draft: the arithmetic appears.
    for record in records:
        page.check(f"#claim-{record.pk}")
    assert "2,000.00" in page.inner_text("#selection")
    page.fill("input[name=project_name]", "高性能钕铁硼磁体研发")
    page.click("#save-draft")
    page.wait_for_selector("#arithmetic")
    assert "2,000.00" in page.inner_text("#arithmetic-result")
    assert "12,000.00" in page.inner_text("#arithmetic") and "1,200.00" in page.inner_text("#arithmetic")

    # Attach the invoice, a PDF chosen in the file input.
    page.select_option("select[name=kind]", "invoice")
    page.fill("input[name=invoice_number]", "37020001")
    page.set_input_files("input[name=file]", files=[{"name": "发票.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("#upload")
    page.wait_for_selector("#evidence li[id^=evidence-]")
    assert "发票.pdf" in page.inner_text("#evidence")
    screenshot(page, "edit-with-arithmetic-and-evidence")
    assert axe_violations(page) == []

    # Submit: the detail page shows the status, the arithmetic and the PDF as a link.
    page.click("#submit")
    page.wait_for_selector("#application-status")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert page.locator("#evidence a[target=_blank]").count() == 1
    screenshot(page, "submitted")
    assert axe_violations(page) == []
    assert errors == []
    context.close()

    # The provider's manager confirms both services in the queue.
    context, page = new_page(browser)
    log_in(page, base, world["manager"].email)
    page.goto(f"{base}/subsidies/provider/")
    page.wait_for_selector(f"#application-{application.pk}")
    screenshot(page, "provider-queue")
    for line in application.lines.order_by("pk"):
        page.click(f"#confirm-{line.pk}")
        page.wait_for_selector(f"#application-{application.pk}")
    assert set(application.lines.values_list("provider_status", flat=True)) == {
        ApplicationLine.ProviderStatus.CONFIRMED
    }
    screenshot(page, "provider-confirmed")
    assert axe_violations(page) == []
    context.close()

    # The applicant sees the application confirmed by its providers.
    context, page = new_page(browser)
    log_in(page, base, world["admin"].email)
    page.goto(f"{base}/subsidies/applications/{application.pk}/")
    application.refresh_from_db()
    assert application.status == Application.Status.PROVIDER_CONFIRMED
    assert page.inner_text("#application-status") == application.get_status_display()
    screenshot(page, "applicant-sees-confirmed")
    context.close()

    # A bureau officer (who may also pay) approves 1,500.00 of it in the admin with a reason,
    # publicises it and, after the notice, marks it paid.
    officer.user_permissions.add(Permission.objects.get(codename="pay_application"))
    context, page = new_page(browser)
    bureau_approves_part_publicises_and_pays(page, base, screenshot, officer, application)
    context.close()

    # The applicant sees the result: paid, the amount, the officer's reason and the reference.
    context, page = new_page(browser)
    log_in(page, base, world["admin"].email)
    page.goto(f"{base}/subsidies/applications/{application.pk}/")
    application.refresh_from_db()
    assert page.inner_text("#application-status") == application.get_status_display() == "已拨付"
    main = page.inner_text("main")
    assert "1,500.00" in main and "一张发票金额与服务记录不符" in main and "CW-2026-0815" in main
    screenshot(page, "applicant-sees-paid")

    # The unit's statement, on screen and as printed (no navigation, no buttons).
    page.click(f"a[href='/subsidies/programmes/{world['programme'].pk}/statement/{world['enterprise'].pk}/']")
    page.wait_for_selector("#applicant-totals")
    assert application.number in page.inner_text("main")
    screenshot(page, "statement")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.locator("#print-statement").is_visible()
    screenshot(page, "statement-printed")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_edit_and_detail_pages_on_a_phone(browser, live_server, screenshot, world):
    """At 390×844 the claim table is stacked cards (no header row, no sideways scrolling), and both
    pages pass axe."""
    base = live_server.url
    context, page = new_page(browser, width=390, height=844)
    log_in(page, base, world["admin"].email)
    page.goto(f"{base}/subsidies/")
    page.click(f"#programme-{world['programme'].pk} button.apply")
    page.wait_for_selector("#claimable")
    assert not page.locator("#claimable thead").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.check(f"#claim-{world['records'][0].pk}")
    page.click("#save-draft")
    page.wait_for_selector("#arithmetic")
    screenshot(page, "phone-edit")
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    page.click(f"main a[href='/subsidies/applications/{Application.objects.get().pk}/']")
    page.wait_for_selector("#application-status")
    screenshot(page, "phone-detail")
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    context.close()
