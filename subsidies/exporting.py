"""The finance office's lists of a programme as XLSX workbooks: the approved and the paid
applications; for a voucher programme, the vouchers granted (quota, drawn, released on expiry,
remaining) and the redemptions approved or paid.

The header row is in the reader's active language; a totals row closes the list. Rows are read
with ``iterator()`` and written by openpyxl's write-only mode into a temporary file, so memory
stays flat however long the list.
"""

import datetime
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import to_yuan

from .models import Application, EntryKind, LedgerEntry, Voucher, VoucherRedemption

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITERATOR_CHUNK = 2000
ZERO = Decimal("0.00")

# Which applications each application list holds.
APPLICATION_STATUSES = {
    "approved": Application.GRANTED_STATUSES,
    "paid": (Application.Status.PAID,),
}
# Every list there is (``list_response``'s ``which``).
LISTS = ("approved", "paid", "vouchers", "redemptions")


@dataclass(frozen=True)
class SheetSpec:
    """One list: its title, header, queryset (of the programmes), rows, and the totals row with
    the sums of the ``summed`` columns (``{column: starting value}``)."""

    title: Callable[[], str]
    header: Callable[[], list]
    queryset: Callable
    row: Callable
    summed: dict
    totals: Callable


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
        Application.objects.filter(programme__in=programmes, status__in=APPLICATION_STATUSES[which])
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
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if bold is not None:
        cell.font = bold
    return cell


def workbook_file(queryset, *, title: str, sheet_spec=None):
    """The workbook of ``queryset``'s rows and their totals in a temporary file, rewound
    (applications unless ``sheet_spec`` says otherwise)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    spec = sheet_spec or SHEETS["approved"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, text, bold) for text in spec.header()])
    count, sums = 0, dict(spec.summed)
    for obj in queryset.iterator(chunk_size=ITERATOR_CHUNK):
        row = spec.row(obj)
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
        for column in spec.summed:
            sums[column] += row[column]
    sheet.append([_cell(sheet, value, bold) for value in spec.totals(count, sums)])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(out)
    out.seek(0)
    return out


def list_title(which: str) -> str:
    return SHEETS[which].title()


def list_response(programmes, which: str) -> FileResponse:
    """The download of the ``which`` list (a key of ``LISTS``) of ``programmes`` (a queryset or a
    list)."""
    programmes = list(programmes)
    spec = SHEETS[which]
    stamp = timezone.localtime().strftime("%Y%m%d")
    named = f"{programmes[0].year}-{programmes[0].pk}" if len(programmes) == 1 else "programmes"
    return FileResponse(
        workbook_file(spec.queryset(programmes), title=spec.title(), sheet_spec=spec),
        as_attachment=True,
        filename=f"subsidies-{which}-{named}-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )


# --- Voucher programmes: the vouchers granted and the redemptions approved or paid --------------

GRANTED_VOUCHERS = (
    Voucher.Status.GRANTED,
    Voucher.Status.ACTIVE,
    Voucher.Status.EXHAUSTED,
    Voucher.Status.EXPIRED,
)
REDEEMED = (
    VoucherRedemption.Status.APPROVED,
    VoucherRedemption.Status.PUBLICISED,
    VoucherRedemption.Status.PAID,
)


def voucher_header() -> list[str]:
    return [
        _("Voucher number"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("District"),
        _("Enterprise scale"),
        _("Quota asked (yuan)"),
        _("Quota granted (yuan)"),
        _("Drawn (yuan)"),
        _("Released on expiry (yuan)"),
        _("Remaining (yuan)"),
        _("Valid from"),
        _("Valid until"),
        _("Status"),
    ]


def voucher_queryset(programmes):
    """The granted vouchers of ``programmes`` (whatever became of them), each with what its expiry
    released read from the ledger in the same query."""
    released = (
        LedgerEntry.objects.filter(voucher=OuterRef("pk"), kind=EntryKind.EXPIRY)
        .values("voucher")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Voucher.objects.filter(programme__in=programmes, status__in=GRANTED_VOUCHERS)
        .select_related("programme", "unit", "unit__district")
        .annotate(released=Coalesce(Subquery(released), Value(ZERO), output_field=DecimalField()))
        .order_by("programme__year", "programme_id", "pk")
    )


def voucher_row(voucher) -> list:
    unit = voucher.unit
    released = to_yuan(voucher.released)
    return [
        voucher.number,
        unit.name,
        unit.credit_code,
        unit.district.name if unit.district_id else "",
        unit.get_scale_display(),
        voucher.requested_amount,
        voucher.quota,
        voucher.drawn,
        released,
        voucher.quota - voucher.drawn - released,  # what can still be drawn
        voucher.valid_from,
        voucher.valid_until,
        voucher.get_status_display(),
    ]


def voucher_totals(count: int, sums: dict) -> list:
    label = _("Total (%(count)s vouchers)") % {"count": count}
    return [label, "", "", "", "", *(sums[i] for i in range(5, 10)), "", "", ""]


def redemption_header() -> list[str]:
    return [
        _("Redemption number"),
        _("Provider unit"),
        _("Unified social credit code"),
        _("Period from"),
        _("Period until"),
        _("Number of services"),
        _("Voucher-paid amount (yuan)"),
        _("Status"),
        _("Decided at"),
        _("Paid at"),
        _("Payment reference"),
    ]


def redemption_queryset(programmes):
    return (
        VoucherRedemption.objects.filter(programme__in=programmes, status__in=REDEEMED)
        .select_related("programme", "provider")
        .order_by("programme__year", "programme_id", "period_end", "pk")
    )


def redemption_row(redemption) -> list:
    provider = redemption.provider
    return [
        redemption.number,
        provider.name,
        provider.credit_code,
        redemption.period_start,
        redemption.period_end,
        redemption.services,
        redemption.amount,
        redemption.get_status_display(),
        _local(redemption.decided_at),
        _local(redemption.paid_at),
        redemption.payment_reference,
    ]


def redemption_totals(count: int, sums: dict) -> list:
    label = _("Total (%(count)s redemptions)") % {"count": count}
    return [label, "", "", "", "", sums[5], sums[6], "", "", "", ""]


def _application_totals(count: int, sums: dict) -> list:
    return totals_row(count, sums[5], sums[6])


def _applications(which):
    return lambda programmes: list_queryset(programmes, which)


SHEETS = {
    "approved": SheetSpec(
        lambda: _("Approved subsidies"),
        header,
        _applications("approved"),
        application_row,
        {5: ZERO, 6: ZERO},
        _application_totals,
    ),
    "paid": SheetSpec(
        lambda: _("Paid subsidies"),
        header,
        _applications("paid"),
        application_row,
        {5: ZERO, 6: ZERO},
        _application_totals,
    ),
    "vouchers": SheetSpec(
        lambda: _("Innovation vouchers"),
        voucher_header,
        voucher_queryset,
        voucher_row,
        dict.fromkeys(range(5, 10), ZERO),
        voucher_totals,
    ),
    "redemptions": SheetSpec(
        lambda: _("Voucher redemptions"),
        redemption_header,
        redemption_queryset,
        redemption_row,
        {5: 0, 6: ZERO},
        redemption_totals,
    ),
}
# The lists each kind of programme offers.
APPLICATION_LISTS = ("approved", "paid")
VOUCHER_LISTS = ("vouchers", "redemptions")
