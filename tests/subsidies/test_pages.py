"""The subsidy pages through the client: who sees each page (404 for everyone else), the applicant's
apply, save, upload and submit, the provider's confirm and dispute, the public notice, the
statement, the dashboard panel, and fixed query counts for the lists."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from subsidies import rules, services
from subsidies.models import Application, ApplicationLine, Evidence
from tests.bookings.factories import member_of
from tests.factories import UnitFactory, UserFactory

from .factories import InstrumentFactory, confirmed_application, paid_record, pdf_upload

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture
def records(tem, enterprise):
    return [
        paid_record(instrument=tem, unit=enterprise, amount=a, days_ago=d) for a, d in (("12000.00", 5), ("8000.00", 6))
    ]


@pytest.fixture
def draft(programme, enterprise, admin, records):
    application = services.application_create(actor=admin, programme=programme, unit=enterprise)
    services.application_set_lines(actor=admin, application=application, record_ids=[r.pk for r in records])
    return application


@pytest.fixture
def submitted(draft, admin):
    services.evidence_add(actor=admin, application=draft, kind="invoice", file=pdf_upload(), invoice_number="37020001")
    services.application_submit(actor=admin, application=draft)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def stranger_unit(db):
    return UnitFactory(name="另一家企业有限公司", unit_type="enterprise")


@pytest.fixture
def stranger(stranger_unit):
    return member_of(stranger_unit, role="admin", name="李四")


def url(name, *args):
    return reverse(f"subsidies:{name}", args=args)


# --- Who sees what ----------------------------------------------------------------------------


def test_the_index_lists_open_programmes_with_apply_and_the_units_applications(client, admin, programme, draft):
    client.force_login(admin)
    response = client.get(url("index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert programme.name in body and url("apply", programme.pk) in body
    assert "10%" in body and "500,000.00" in body
    assert draft.number in body and draft.get_absolute_url() in body


def test_a_plain_member_sees_the_applications_but_no_apply_button(client, enterprise, programme, draft):
    member = member_of(enterprise, role="member")
    client.force_login(member)
    body = client.get(url("index")).content.decode()
    assert draft.number in body
    assert url("apply", programme.pk) not in body
    assert client.get(url("application_detail", draft.pk)).status_code == 200
    assert client.get(url("application_edit", draft.pk)).status_code == 404


def test_an_enterprise_cannot_see_another_enterprises_application(client, stranger, draft):
    client.force_login(stranger)
    assert draft.number not in client.get(url("index")).content.decode()
    for name in ("application_detail", "application_edit"):
        assert client.get(url(name, draft.pk)).status_code == 404
    assert client.post(url("application_action", draft.pk, "submit")).status_code == 404
    assert client.post(url("evidence_upload", draft.pk), {"kind": "other", "file": pdf_upload()}).status_code == 404
    missing = Application.objects.order_by("-pk").first().pk + 100
    assert client.get(url("application_detail", missing)).status_code == 404


def test_pages_ask_anonymous_visitors_to_log_in_but_the_notice_is_public(client, draft, programme, enterprise):
    for target in (
        url("index"),
        url("application_detail", draft.pk),
        url("provider_queue"),
        url("statement", programme.pk, enterprise.pk),
    ):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(url("notice")).status_code == 200


def test_the_evidence_file_is_served_to_the_applicant_and_not_to_a_stranger(client, submitted, admin, stranger):
    evidence = submitted.evidence.get()
    client.force_login(admin)
    response = client.get(url("evidence_file", evidence.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(stranger)
    assert client.get(url("evidence_file", evidence.pk)).status_code == 404


def test_the_provider_sees_the_application_of_its_lines_but_not_the_statement_of_the_applicant(
    client, submitted, provider_manager, programme, enterprise, provider
):
    client.force_login(provider_manager)
    assert client.get(url("application_detail", submitted.pk)).status_code == 200
    assert client.get(url("statement", programme.pk, enterprise.pk)).status_code == 404
    assert client.get(url("statement", programme.pk, provider.pk)).status_code == 200


# --- The applicant ----------------------------------------------------------------------------


def test_apply_save_upload_and_submit_through_the_forms(client, admin, programme, enterprise, records, tem):
    client.force_login(admin)
    response = client.post(url("apply", programme.pk), {"unit": enterprise.pk})
    application = Application.objects.get(unit=enterprise)
    assert response.status_code == 302 and response["Location"] == url("application_edit", application.pk)

    page = client.get(url("application_edit", application.pk)).content.decode()
    for record in records:
        assert f'name="records" value="{record.pk}"' in page

    response = client.post(
        url("application_edit", application.pk),
        {"records": [r.pk for r in records], "project_name": "高性能钕铁硼磁体研发", "note": "两次透射电镜测试"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.project_name == "高性能钕铁硼磁体研发"
    assert application.requested_amount == Decimal("2000.00")
    page = client.get(response["Location"]).content.decode()
    assert 'id="arithmetic"' in page and "12,000.00" in page and "= <strong>1,200.00" in page
    assert 'id="arithmetic-result"' in page and "2,000.00" in page

    response = client.post(
        url("evidence_upload", application.pk), {"kind": "invoice", "invoice_number": "37020001", "file": pdf_upload()}
    )
    assert response.status_code == 302
    assert application.evidence.get().invoice_number == "37020001"

    response = client.post(url("application_action", application.pk, "submit"))
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    detail = client.get(application.get_absolute_url()).content.decode()
    assert application.get_status_display() in detail
    assert url("application_edit", application.pk) not in detail  # no longer editable


def test_a_user_administering_two_units_chooses_the_unit(client, admin, programme, enterprise):
    second = UnitFactory(name="包头第二科技有限公司", unit_type="enterprise")
    from tests.factories import MembershipFactory

    MembershipFactory(unit=second, user=admin, role="admin")
    client.force_login(admin)
    body = client.get(url("index")).content.decode()
    assert f'<option value="{second.pk}">' in body and f'<option value="{enterprise.pk}">' in body
    client.post(url("apply", programme.pk), {"unit": second.pk})
    assert Application.objects.get().unit == second


def test_a_unit_the_user_does_not_administer_cannot_be_chosen(client, admin, programme, stranger_unit):
    client.force_login(admin)
    response = client.post(url("apply", programme.pk), {"unit": stranger_unit.pk})
    assert response.status_code == 200 and not Application.objects.exists()
    assert 'class="field-errors"' in response.content.decode()


def test_an_ineligible_row_shows_its_reason_and_cannot_be_ticked(client, admin, draft, tem, enterprise):
    excluded = paid_record(instrument=tem, unit=enterprise, amount="3000.00", days_ago=7, purpose="certification")
    own = paid_record(instrument=InstrumentFactory(unit=enterprise, name="自有设备"), unit=enterprise, days_ago=8)
    client.force_login(admin)
    body = client.get(url("application_edit", draft.pk)).content.decode()
    with translation.override("zh-hans"):
        own_reason = str(rules.Ineligible("own_unit"))
        purpose_reason = str(rules.Ineligible("excluded_purpose", {"purpose": excluded.get_purpose_display()}))
    assert escape(own_reason) in body and escape(purpose_reason) in body
    assert f'value="{excluded.pk}"' not in body and f'value="{own.pk}"' not in body
    response = client.post(url("application_edit", draft.pk), {"records": [excluded.pk]})
    assert response.status_code == 200 and 'class="form-errors"' in response.content.decode()
    assert draft.lines.count() == 2  # unchanged


def test_an_evidence_file_that_is_neither_pdf_nor_image_shows_the_error(client, admin, draft):
    client.force_login(admin)
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url("evidence_upload", draft.pk), {"kind": "invoice", "invoice_number": "1", "file": fake})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="field-errors"' in body and not Evidence.objects.exists()
    response = client.post(url("evidence_upload", draft.pk), {"kind": "invoice", "file": pdf_upload()})
    assert response.status_code == 200 and not Evidence.objects.exists()  # an invoice needs its number


def test_evidence_is_removed_and_submitting_without_an_invoice_is_refused(client, admin, draft):
    services.evidence_add(actor=admin, application=draft, kind="contract", file=pdf_upload("contract.pdf"))
    client.force_login(admin)
    response = client.post(url("application_action", draft.pk, "submit"), follow=True)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and 'class="msg-error"' in response.content.decode()
    evidence = draft.evidence.get()
    assert client.post(url("evidence_remove", evidence.pk)).status_code == 302
    assert not draft.evidence.exists()


def test_the_detail_shows_images_inline_pdfs_as_links_and_the_history(client, admin, draft):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    image = SimpleUploadedFile("form.png", buffer.getvalue(), content_type="image/png")
    services.evidence_add(actor=admin, application=draft, kind="registration", file=image)
    services.evidence_add(actor=admin, application=draft, kind="invoice", file=pdf_upload(), invoice_number="88")
    services.application_submit(actor=admin, application=draft)
    client.force_login(admin)
    body = client.get(url("application_detail", draft.pk)).content.decode()
    png, pdf = draft.evidence.order_by("pk")
    assert f'<img src="{url("evidence_file", png.pk)}"' in body
    assert f'<a href="{url("evidence_file", pdf.pk)}" target="_blank" rel="noopener">' in body
    assert "<object" not in body and "<embed" not in body
    assert 'id="decisions"' in body and str(S(S.SUBMITTED).label) in body
    assert url("statement", draft.programme_id, draft.unit_id) in body


def test_withdraw_from_the_detail_page(client, admin, draft):
    client.force_login(admin)
    assert 'id="withdraw"' in client.get(url("application_detail", draft.pk)).content.decode()
    client.post(url("application_action", draft.pk, "withdraw"))
    draft.refresh_from_db()
    assert draft.status == S.WITHDRAWN
    assert client.get(url("application_edit", draft.pk)).status_code == 302  # to the page: not editable


# --- The provider -----------------------------------------------------------------------------


def test_the_provider_confirms_and_disputes_in_its_queue(client, submitted, provider_manager, admin):
    first, second = submitted.lines.order_by("pk")
    client.force_login(provider_manager)
    body = client.get(url("provider_queue")).content.decode()
    assert f'id="application-{submitted.pk}"' in body and f'id="confirm-{first.pk}"' in body
    assert submitted.unit.name in body

    client.post(url("line_action", first.pk, "confirm"))
    first.refresh_from_db()
    assert first.provider_status == ApplicationLine.ProviderStatus.CONFIRMED

    response = client.post(url("line_action", second.pk, "dispute"), {"reason": ""}, follow=True)
    second.refresh_from_db()
    assert second.provider_status == ApplicationLine.ProviderStatus.PENDING
    assert 'class="msg-error"' in response.content.decode()

    client.post(url("line_action", second.pk, "dispute"), {"reason": "当天仪器维修，未提供该服务"})
    second.refresh_from_db()
    submitted.refresh_from_db()
    assert second.provider_status == ApplicationLine.ProviderStatus.DISPUTED
    assert submitted.status == S.RETURNED

    client.force_login(admin)
    body = client.get(url("application_detail", submitted.pk)).content.decode()
    assert "当天仪器维修，未提供该服务" in body
    edit = client.get(url("application_edit", submitted.pk)).content.decode()
    assert 'id="returned-reason"' in edit


def test_a_provider_sees_only_lines_on_its_own_instruments(client, submitted, enterprise, admin, programme):
    other = UnitFactory(name="包头市检测中心")
    other_manager = member_of(other, role="manager")
    client.force_login(other_manager)
    body = client.get(url("provider_queue")).content.decode()
    assert f'id="application-{submitted.pk}"' not in body
    line = submitted.lines.first()
    assert client.post(url("line_action", line.pk, "confirm")).status_code == 404
    assert client.get(url("application_detail", submitted.pk)).status_code == 404
    line.refresh_from_db()
    assert line.provider_status == ApplicationLine.ProviderStatus.PENDING
    # The applicant's own administrator cannot confirm its claim either.
    client.force_login(admin)
    assert client.post(url("line_action", line.pk, "confirm")).status_code == 404


# --- The public notice and the statement ------------------------------------------------------


def approved(application, officer, *, today=None):
    services.application_approve(actor=officer, application=application)
    services.application_publicise(actor=officer, application=application, today=today)
    application.refresh_from_db()
    return application


def test_the_notice_lists_a_publicised_application_and_not_a_paid_or_expired_one(
    client, programme, enterprise, admin, tem, provider_manager, officer, payer
):
    def claim(unit, administrator, days_ago, invoice):
        record = paid_record(instrument=tem, unit=unit, amount="5000.00", days_ago=days_ago)
        return confirmed_application(
            programme=programme,
            admin=administrator,
            unit=unit,
            records=[record],
            provider_manager=provider_manager,
            invoice=invoice,
        )

    on_notice = approved(claim(enterprise, admin, 3, "1"), officer)
    paid_unit = UnitFactory(name="已付款企业有限公司", unit_type="enterprise", scale="small")
    paid = approved(claim(paid_unit, member_of(paid_unit, role="admin"), 4, "2"), officer)
    services.application_pay(
        actor=payer, application=paid, reference="CW-1", today=paid.notice_until + timedelta(days=1)
    )
    expired_unit = UnitFactory(name="公示已结束企业有限公司", unit_type="enterprise", scale="small")
    expired = claim(expired_unit, member_of(expired_unit, role="admin"), 5, "3")
    approved(expired, officer, today=timezone.localdate() - timedelta(days=30))

    response = client.get(url("notice"))
    body = response.content.decode()
    assert response.status_code == 200
    assert enterprise.name in body and "500.00" in body and on_notice.notice_until.isoformat() in body
    assert paid_unit.name not in body and expired_unit.name not in body


def test_the_notice_lists_a_publicised_provider_reward(client, programme, provider, submitted, provider_manager):
    from subsidies.models import ProviderReward

    ProviderReward.objects.create(
        programme=programme,
        unit=provider,
        status=ProviderReward.Status.PUBLICISED,
        external_income=Decimal("20000.00"),
        rate=Decimal("0.1000"),
        computed_amount=Decimal("2000.00"),
        approved_amount=Decimal("2000.00"),
        notice_from=timezone.localdate(),
        notice_until=timezone.localdate() + timedelta(days=6),
    )
    body = client.get(url("notice")).content.decode()
    assert 'id="notice-rewards"' in body and provider.name in body and "2,000.00" in body


def test_the_statement_for_members_and_the_bureau_only(
    client, programme, enterprise, admin, records, provider_manager, officer, stranger
):
    application = confirmed_application(
        programme=programme, admin=admin, unit=enterprise, records=records, provider_manager=provider_manager
    )
    target = url("statement", programme.pk, enterprise.pk)
    client.force_login(member_of(enterprise, role="member"))
    body = client.get(target).content.decode()
    assert application.number in body and "2,000.00" in body and "data-print" in body
    client.force_login(officer)
    assert client.get(target).status_code == 200
    client.force_login(stranger)
    assert client.get(target).status_code == 404
    assert client.get(url("statement", programme.pk, 999999)).status_code == 404
    client.force_login(provider_manager)
    body = client.get(url("statement", programme.pk, application.lines.first().provider_id)).content.decode()
    assert 'id="provided"' in body and enterprise.name in body


# --- The dashboard panel ----------------------------------------------------------------------


def test_the_dashboard_panel_shows_drafts_and_pending_lines(client, submitted, admin, provider_manager, programme):
    draft = services.application_create(actor=admin, programme=programme, unit=submitted.unit)
    client.force_login(admin)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'id="subsidies-panel"' in body and url("application_edit", draft.pk) in body
    client.force_login(provider_manager)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'id="pending-lines"' in body
    client.force_login(UserFactory())
    assert 'id="subsidies-panel"' not in client.get(reverse("dashboard")).content.decode()


def test_the_navigation_links_to_the_subsidies_and_the_notice(client, admin):
    assert url("notice") in client.get(reverse("home")).content.decode()
    assert f'href="{url("index")}"' not in client.get(reverse("home")).content.decode()
    client.force_login(admin)
    assert f'href="{url("index")}"' in client.get(reverse("home")).content.decode()


# --- Fixed query counts -----------------------------------------------------------------------


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def many_applications(programme, enterprise, admin, tem, provider_manager, count, start=0):
    """``count`` submitted applications of ``enterprise``, one service each."""
    for n in range(start, start + count):
        record = paid_record(instrument=tem, unit=enterprise, amount="100.00", days_ago=2 + n % 90)
        application = services.application_create(actor=admin, programme=programme, unit=enterprise)
        services.application_set_lines(actor=admin, application=application, record_ids=[record.pk])
        services.evidence_add(
            actor=admin, application=application, kind="invoice", file=pdf_upload(), invoice_number=f"N{n}"
        )
        services.application_submit(actor=admin, application=application)


def test_the_index_and_the_provider_queue_issue_a_fixed_number_of_queries(
    client, programme, enterprise, admin, tem, provider_manager, django_assert_max_num_queries
):
    many_applications(programme, enterprise, admin, tem, provider_manager, 1)
    client.force_login(admin)
    index_one = queries_for(client, url("index"))
    client.force_login(provider_manager)
    queue_one = queries_for(client, url("provider_queue"))

    many_applications(programme, enterprise, admin, tem, provider_manager, 19, start=1)
    client.force_login(admin)
    with django_assert_max_num_queries(index_one):
        client.get(url("index"))
    client.force_login(provider_manager)
    with django_assert_max_num_queries(queue_one):
        body = client.get(url("provider_queue")).content.decode()
    assert body.count('class="card claim"') == 20
    assert index_one <= 15 and queue_one <= 15


def test_the_pages_speak_chinese_and_english(client, admin, draft):
    client.force_login(admin)
    chinese = client.get(url("application_edit", draft.pk)).content.decode()
    assert "保存草稿" in chinese and "补助计算明细" in chinese
    english = client.get(url("application_edit", draft.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Save draft" in english and "The subsidy, line by line" in english
    assert "补助公示" in client.get(url("notice")).content.decode()


def test_the_units_offered_for_applying_are_those_can_apply_for_allows(admin, enterprise):
    from members.models import Unit
    from subsidies.page_selectors import units_for_applying
    from subsidies.permissions import can_apply_for
    from tests.factories import MembershipFactory

    pending = UnitFactory(name="待审核企业", unit_type="enterprise", status=Unit.Status.PENDING)
    MembershipFactory(unit=pending, user=admin, role="admin")
    MembershipFactory(unit=UnitFactory(name="普通成员企业"), user=admin, role="member")
    MembershipFactory(unit=UnitFactory(name="申请中企业"), user=admin, role="admin", status="pending")
    units = [m.unit for m in admin.memberships.select_related("unit")]
    assert units_for_applying(user=admin) == [u for u in units if can_apply_for(admin, u)] == [enterprise]
