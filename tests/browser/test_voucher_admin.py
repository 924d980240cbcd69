"""A bureau officer in the admin on a phone: grants a requested innovation voucher a smaller quota
(the reason is asked for first), and takes a provider's submitted redemption through approval and
public notice to payment with the finance office's reference.

The officer's steps are module-level functions taking ``(page, base, screenshot, officer, voucher
or redemption)`` so the whole voucher journey can reuse them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from members.models import Unit
from subsidies import services
from subsidies.models import EntryKind, LedgerEntry, Voucher, VoucherRedemption
from tests.bookings.factories import InstrumentFactory, member_of
from tests.browser.test_subsidy_pages import AXE, WCAG
from tests.factories import PASSWORD, UnitFactory
from tests.subsidies.voucher_factories import completed_booking, granted_voucher, voucher_programme

V = Voucher.Status
R = VoucherRedemption.Status


def admin_axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations in the page's content (what our templates render); the
    admin's own header and breadcrumbs are Django's and left out."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run({include: [['#content']]}, {runOnly: {type: 'tag', values: tags}})",
        WCAG,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]


def admin_log_in(page, base, officer, path):
    """Open ``path`` of the admin as ``officer``, logging in first unless the page already is."""
    page.goto(f"{base}/admin/login/?next={path}")
    if page.locator("input[name=username]").count():
        page.fill("input[name=username]", officer.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
    page.wait_for_load_state()
    if not page.url.endswith(path):
        page.goto(f"{base}{path}")


def bureau_grants_a_smaller_quota(
    page, base, screenshot, officer, voucher, *, amount="8000.00", reason="年度预算有限，按 8,000 元核定"
):
    """From the voucher queue to a granted voucher of ``amount`` (less than asked) with ``reason``."""
    admin_log_in(page, base, officer, "/admin/subsidies/voucher/")
    page.wait_for_selector("#changelist")
    assert voucher.number in page.inner_text("#changelist")
    screenshot(page, "voucher-queue")

    page.goto(f"{base}/admin/subsidies/voucher/{voucher.pk}/change/")
    page.wait_for_selector("#decisions")
    assert voucher.purpose in page.inner_text("#content-main")
    assert page.inner_text("#remaining-budget").strip() and page.inner_text("#remaining-cap").strip()
    screenshot(page, "voucher-requested")
    assert admin_axe_violations(page) == []

    page.click("#decision-grant_part")
    page.wait_for_selector("#decision-form")
    page.fill("input[name=amount]", amount)
    page.click("#decision-confirm")
    page.wait_for_selector("#decision-form .errorlist")  # a smaller quota needs a reason
    screenshot(page, "voucher-reason-needed")
    page.fill("textarea[name=reason]", reason)
    screenshot(page, "voucher-grant-part")
    page.click("#decision-confirm")
    page.wait_for_selector("#history")
    voucher.refresh_from_db()
    assert voucher.status == V.GRANTED and voucher.quota == Decimal(amount) and voucher.decision_reason == reason
    assert page.locator("#decisions").count() == 0  # nothing left to decide
    assert page.locator("#ledger tr[data-kind=grant]").count() == 1
    screenshot(page, "voucher-granted")


def bureau_approves_publicises_and_pays_redemption(
    page, base, screenshot, officer, redemption, *, reference="CW-V-2026-0301"
):
    """From the redemption queue to a paid redemption; ``officer`` holds the pay permission. The
    notice dates are moved into the past (through the ORM) once it is on notice."""
    change = f"/admin/subsidies/voucherredemption/{redemption.pk}/change/"
    admin_log_in(page, base, officer, "/admin/subsidies/voucherredemption/")
    page.wait_for_selector("#changelist")
    assert redemption.number in page.inner_text("#changelist")
    screenshot(page, "redemption-queue")

    page.goto(f"{base}{change}")
    page.wait_for_selector("#decisions")
    assert page.locator("#services tbody tr[id^=draw-]").count() == redemption.services
    screenshot(page, "redemption")
    assert admin_axe_violations(page) == []

    page.click("#decision-approve")
    page.wait_for_selector("#decision-form")
    page.click("#decision-confirm")
    page.wait_for_selector("#decision-publicise")
    redemption.refresh_from_db()
    assert redemption.status == R.APPROVED
    screenshot(page, "redemption-approved")

    page.click("#decision-publicise")
    page.wait_for_selector("#decision-form")
    page.click("#decision-confirm")
    page.wait_for_selector("#decision-pay")
    redemption.refresh_from_db()
    assert redemption.status == R.PUBLICISED
    screenshot(page, "redemption-publicised")

    today = timezone.localdate()
    VoucherRedemption.objects.filter(pk=redemption.pk).update(
        notice_from=today - timedelta(days=10), notice_until=today - timedelta(days=4)
    )
    page.goto(f"{base}{change}")
    page.click("#decision-pay")
    page.wait_for_selector("#decision-form")
    page.fill("input[name=reference]", reference)
    screenshot(page, "redemption-mark-paid")
    page.click("#decision-confirm")
    page.wait_for_selector("#history")
    redemption.refresh_from_db()
    assert redemption.status == R.PAID and redemption.payment_reference == reference
    assert list(LedgerEntry.objects.filter(redemption=redemption).values_list("kind", "amount")) == [
        (EntryKind.REDEMPTION, redemption.amount)
    ]
    assert reference in page.inner_text("#content-main")
    screenshot(page, "redemption-paid")


# --- The tests -------------------------------------------------------------------------------------


def world():
    provider = UnitFactory(name="内蒙古科技大学", phone="0472-5951111")
    manager = member_of(provider, role="manager", name="赵磊")
    tem = InstrumentFactory(unit=provider, name="透射电子显微镜", city="包头市")
    enterprise = UnitFactory(
        name="包头稀宝新材料科技有限公司", unit_type=Unit.Type.ENTERPRISE, scale=Unit.Scale.SMALL, phone="0472-5212222"
    )
    applicant = member_of(enterprise, role="admin", name="王芳")
    programme = voucher_programme(name="包头市科技创新券")
    return provider, manager, tem, enterprise, applicant, programme


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_officer_grants_a_smaller_quota(page, live_server, screenshot, officer):
    _provider, _manager, _tem, enterprise, applicant, programme = world()
    voucher = services.voucher_apply(
        actor=applicant,
        programme=programme,
        unit=enterprise,
        amount=Decimal("10000.00"),
        purpose="高性能钕铁硼磁体的微观结构表征",
        project_name="稀土永磁材料研发",
    )
    bureau_grants_a_smaller_quota(page, live_server.url, screenshot, officer, voucher)
    assert admin_axe_violations(page) == []
    programme.refresh_from_db()
    assert programme.committed == Decimal("8000.00")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_officer_approves_publicises_and_pays_a_redemption(page, live_server, screenshot, officer):
    officer.user_permissions.add(Permission.objects.get(codename="pay_application"))
    provider, manager, tem, enterprise, applicant, programme = world()
    voucher = granted_voucher(programme=programme, admin=applicant, unit=enterprise, officer=officer)
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=timezone.localdate() - timedelta(days=30))
    for hours in (50, 74):
        completed_booking(instrument=tem, requester=applicant, unit=enterprise, manager=manager, hours_ago=hours)
    today = timezone.localdate()
    redemption = services.redemption_create(
        actor=manager,
        programme=programme,
        provider=provider,
        period_start=today - timedelta(days=10),
        period_end=today - timedelta(days=1),
    )
    services.redemption_submit(actor=manager, redemption=redemption)
    redemption.refresh_from_db()
    assert (redemption.services, redemption.amount) == (2, Decimal("3000.00"))
    bureau_approves_publicises_and_pays_redemption(page, live_server.url, screenshot, officer, redemption)
    assert admin_axe_violations(page) == []
    assert services.ledger_check(programme) == []
