"""The approved and the paid list of a programme for the finance office, as an XLSX workbook.

The header row is in the reader's active language; a totals row closes the list. Rows are read
with ``iterator()`` and written by openpyxl's write-only mode into a temporary file, so memory
stays flat however long the list.
"""

import datetime
import tempfile
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Application

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITERATOR_CHUNK = 2000
ZERO = Decimal("0.00")

# Which applications each list holds.
LISTS = {
    "approved": Application.GRANTED_STATUSES,
    "paid": (Application.Status.PAID,),
}


def header() -> list[str]:
    return [
        _("Application number"),
        _("Applicant"),
        _("Unified social credit code"),
        _("District"),
        _("Enterprise scale"),
        _("Requested (yuan)"),
        _("Approved (yuan)"),
        _("Status"),
        _("Decided at"),
        _("Paid at"),
        _("Payment reference"),
    ]


def list_queryset(programmes, which: str):
    """The applications of ``programmes`` on the ``which`` list ("approved" or "paid")."""
    return (
        Application.objects.filter(programme__in=programmes, status__in=LISTS[which])
        .select_related("programme", "unit", "unit__district")
        .order_by("programme__year", "programme_id", "pk")
    )


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def application_row(application) -> list:
    unit = application.unit
    return [
        application.number,
        unit.name,
        unit.credit_code,
        unit.district.name if unit.district_id else "",
        unit.get_scale_display(),
        application.requested_amount,
        application.approved_amount,
        application.get_status_display(),
        _local(application.decided_at),
        _local(application.paid_at),
        application.payment_reference,
    ]


def totals_row(count: int, requested: Decimal, approved: Decimal) -> list:
    label = _("Total (%(count)s applications)") % {"count": count}
    return [label, "", "", "", "", requested, approved, "", "", "", ""]


def _cell(sheet, value, bold=None):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = "#,##0.00"
    elif isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if bold is not None:
        cell.font = bold
    return cell


def workbook_file(queryset, *, title: str):
    """The workbook of ``queryset``'s applications and their totals in a temporary file, rewound."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, text, bold) for text in header()])
    count, requested, approved = 0, ZERO, ZERO
    for application in queryset.iterator(chunk_size=ITERATOR_CHUNK):
        sheet.append([_cell(sheet, value) for value in application_row(application)])
        count += 1
        requested += application.requested_amount
        approved += application.approved_amount
    sheet.append([_cell(sheet, value, bold) for value in totals_row(count, requested, approved)])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(out)
    out.seek(0)
    return out


def list_title(which: str) -> str:
    return _("Approved subsidies") if which == "approved" else _("Paid subsidies")


def list_response(programmes, which: str) -> FileResponse:
    """The download of the ``which`` list of ``programmes`` (a queryset or a list)."""
    programmes = list(programmes)
    stamp = timezone.localtime().strftime("%Y%m%d")
    named = f"{programmes[0].year}-{programmes[0].pk}" if len(programmes) == 1 else "programmes"
    return FileResponse(
        workbook_file(list_queryset(programmes, which), title=list_title(which)),
        as_attachment=True,
        filename=f"subsidies-{which}-{named}-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )
