"""A bureau officer who may also pay opens a confirmed subsidy application in the admin on a phone,
approves part of it with a reason, puts it on public notice and, once the notice is over, marks it
paid with the finance office's reference."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from members.models import Unit
from subsidies.models import Application, LedgerEntry
from tests.bookings.factories import InstrumentFactory, member_of
from tests.factories import PASSWORD, UnitFactory
from tests.subsidies.factories import ProgrammeFactory, confirmed_application, paid_record

S = Application.Status


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_officer_approves_part_publicises_and_pays(page, live_server, screenshot, officer, settings):
    officer.user_permissions.add(Permission.objects.get(codename="pay_application"))
    provider = UnitFactory(name="内蒙古科技大学", phone="0472-5951111")
    manager = member_of(provider, role="manager", name="赵磊")
    tem = InstrumentFactory(unit=provider, name="透射电子显微镜", city="包头市")
    enterprise = UnitFactory(
        name="包头稀宝新材料科技有限公司", unit_type=Unit.Type.ENTERPRISE, scale=Unit.Scale.SMALL, phone="0472-5212222"
    )
    applicant = member_of(enterprise, role="admin", name="王芳")
    programme = ProgrammeFactory(name="包头市大型仪器共享补助")
    records = [
        paid_record(instrument=tem, unit=enterprise, amount=fee, days_ago=days)
        for fee, days in (("12000.00", 20), ("8000.00", 25))
    ]
    application = confirmed_application(
        programme=programme, admin=applicant, unit=enterprise, records=records, provider_manager=manager
    )
    bureau_approves_part_publicises_and_pays(page, live_server.url, screenshot, officer, application)


def bureau_approves_part_publicises_and_pays(page, base, screenshot, officer, application):
    """The officer's steps in the admin, from a confirmed application to a paid one (1,500.00 of
    2,000.00 approved); shared by the whole subsidy journey (tests/browser/test_subsidy_pages.py)."""
    change = f"{base}/admin/subsidies/application/{application.pk}/change/"

    page.goto(f"{base}/admin/login/?next=/admin/subsidies/application/")
    page.fill("input[name=username]", officer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#changelist")
    assert application.number in page.inner_text("#changelist")
    screenshot(page, "review-queue")

    page.goto(change)
    page.wait_for_selector("#decisions")
    assert "透射电子显微镜" in page.inner_text("#services")
    assert "500,000.00" in page.inner_text("#caps")
    screenshot(page, "application")

    # Approve part of it, with the reason the applicant will read.
    page.click("#decision-approve_part")
    page.wait_for_selector("#decision-form")
    page.fill("input[name=amount]", "1500.00")
    page.click("#decision-confirm")
    page.wait_for_selector("#decision-form .errorlist")  # a smaller amount needs a reason
    screenshot(page, "reason-needed")
    page.fill("textarea[name=reason]", "一张发票金额与服务记录不符，按 15,000 元核定")
    screenshot(page, "approve-part")
    page.click("#decision-confirm")
    page.wait_for_selector("#decisions")
    application.refresh_from_db()
    assert application.status == S.PARTLY_APPROVED and application.approved_amount == Decimal("1500.00")
    screenshot(page, "partly-approved")

    # Put it on public notice.
    page.click("#decision-publicise")
    page.wait_for_selector("#decision-form")
    page.click("#decision-confirm")
    page.wait_for_selector("#decisions")
    application.refresh_from_db()
    assert application.status == S.PUBLICISED
    screenshot(page, "publicised")

    # The notice period is over: mark it paid with the finance office's reference.
    today = timezone.localdate()
    Application.objects.filter(pk=application.pk).update(
        notice_from=today - timedelta(days=10), notice_until=today - timedelta(days=4)
    )
    page.goto(change)
    page.click("#decision-pay")
    page.wait_for_selector("#decision-form")
    page.fill("input[name=reference]", "CW-2026-0815")
    screenshot(page, "mark-paid")
    page.click("#decision-confirm")
    page.wait_for_selector("#history")
    application.refresh_from_db()
    assert application.status == S.PAID and application.payment_reference == "CW-2026-0815"
    assert list(LedgerEntry.objects.filter(application=application).values_list("kind", flat=True)) == [
        "commitment",
        "payment",
    ]
    assert "CW-2026-0815" in page.inner_text("#content-main")
    screenshot(page, "paid")
