"""The finance office's lists: the approved and the paid applications of a programme as XLSX, with a
header in the reader's language and a totals row."""

import datetime
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from subsidies import exporting, services
from subsidies.models import Application
from tests.bookings.factories import member_of
from tests.factories import UnitFactory
from tests.subsidies.factories import ProgrammeFactory

from .factories import confirmed_application, paid_record

pytestmark = pytest.mark.django_db
S = Application.Status


def rows_of(response) -> list[tuple]:
    body = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


@pytest.fixture
def decided(programme, enterprise, admin, tem, provider_manager, payer):
    """Applications of one programme in every decided state: (approved, partly, publicised, paid,
    rejected, awaiting)."""
    made = []
    for n, fee in enumerate(("10000.00", "20000.00", "30000.00", "40000.00", "50000.00", "60000.00")):
        record = paid_record(instrument=tem, unit=enterprise, amount=fee, days_ago=20 + n)
        made.append(
            confirmed_application(
                programme=programme,
                admin=admin,
                unit=enterprise,
                records=[record],
                provider_manager=provider_manager,
                invoice=f"FP-{n}",
            )
        )
    approved, partly, publicised, paid, rejected, _awaiting = made
    services.application_approve(actor=payer, application=approved)
    services.application_approve(actor=payer, application=partly, amount=Decimal("1500.00"), reason="核减")
    for application in (publicised, paid):
        services.application_approve(actor=payer, application=application)
        services.application_publicise(actor=payer, application=application)
    later = timezone.localdate() + timedelta(days=8)
    services.application_pay(actor=payer, application=paid, reference="CW-2026-042", today=later)
    services.application_reject(actor=payer, application=rejected, reason="非研发用途")
    for application in made:
        application.refresh_from_db()
    return made


def test_the_approved_list_holds_every_granted_application_and_their_totals(decided, programme, enterprise):
    approved, partly, publicised, paid, _rejected, _awaiting = decided
    with translation.override("en"):
        response = exporting.list_response([programme], "approved")
    assert response["Content-Type"] == exporting.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    header, *rows, totals = rows_of(response)
    assert header[0] == "Application number" and header[5] == "Requested (yuan)" and len(header) == 11
    assert [r[0] for r in rows] == [a.number for a in (approved, partly, publicised, paid)]
    first = rows[0]
    assert first[1:5] == (enterprise.name, enterprise.credit_code, enterprise.district.name, "Small")
    assert (first[5], first[6], first[7]) == (1000, 1000, "Approved")
    assert isinstance(first[8], datetime.datetime) and first[9] is None
    assert rows[1][6] == 1500 and rows[3][10] == "CW-2026-042" and isinstance(rows[3][9], datetime.datetime)
    assert totals[0] == "Total (4 applications)"
    assert (totals[5], totals[6]) == (1000 + 2000 + 3000 + 4000, 1000 + 1500 + 3000 + 4000)


def test_the_paid_list_holds_only_the_paid_ones(decided, programme):
    paid = decided[3]
    with translation.override("en"):
        header, *rows, totals = rows_of(exporting.list_response([programme], "paid"))
    assert [r[0] for r in rows] == [paid.number]
    assert rows[0][10] == "CW-2026-042" and totals[6] == 4000


def test_the_header_follows_the_active_language(programme):
    with translation.override("en"):
        english, totals = rows_of(exporting.list_response([programme], "approved"))
    with translation.override("zh-hans"):
        chinese, _totals = rows_of(exporting.list_response([programme], "approved"))
    assert english[0] == "Application number" and chinese[0] == "申请编号"
    assert chinese[6] == "核定金额（元）" and totals[5] == 0


def test_another_programmes_applications_stay_out(decided, programme):
    other = ProgrammeFactory()
    with translation.override("en"):
        header, totals = rows_of(exporting.list_response([other], "approved"))
    assert totals[0] == "Total (0 applications)"


def test_a_formula_looking_name_is_text(programme, admin, tem, provider_manager, officer):
    unit = UnitFactory(name="=HYPERLINK(1)", unit_type="enterprise", scale="small")
    boss = member_of(unit, role="admin")
    record = paid_record(instrument=tem, unit=unit, amount="1000.00")
    application = confirmed_application(
        programme=programme, admin=boss, unit=unit, records=[record], provider_manager=provider_manager
    )
    services.application_approve(actor=officer, application=application)
    body = b"".join(exporting.list_response([programme], "approved").streaming_content)
    workbook = load_workbook(io.BytesIO(body))
    cell = workbook.worksheets[0]["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_the_lists_from_the_programme_admin(client, officer, decided, programme):
    client.force_login(officer)
    response = client.post(
        reverse("admin:subsidies_programme_changelist"),
        {"action": "export_paid", ACTION_CHECKBOX_NAME: [programme.pk]},
    )
    assert response["Content-Type"] == exporting.XLSX_TYPE
    _header, *rows, _totals = rows_of(response)
    assert [r[0] for r in rows] == [decided[3].number]
    button = client.get(reverse("admin:subsidies_programme_export", args=[programme.pk, "approved"]))
    assert len(rows_of(button)) == 1 + 4 + 1


def test_the_export_reads_a_fixed_number_of_queries(decided, programme, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rows_of(exporting.list_response([programme], "approved"))
