"""Exports of the instrument registry: a unit's instruments in the import template's format, the
whole registry for the bureau, and an equipment.data-style (Uniquip) CSV.

Every export streams: CSV rows are generated while the response is sent, XLSX rows go through
openpyxl's write-only mode into a temporary file, and the instruments are read with
``iterator()``, so memory stays flat at 100,000 rows.
"""

import csv
import datetime
import tempfile
from decimal import Decimal

from django.contrib import admin
from django.http import FileResponse, StreamingHttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .importing.columns import COLUMNS, REGISTRY_COLUMNS, column_notes, format_cell
from .models import Category, Instrument

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITERATOR_CHUNK = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# equipment.data's Uniquip columns (https://equipment.data.ac.uk/uniquip): "Type" is equipment
# or facility, "ID" the institution's own identifier; we add the commissioning date, contacts and
# the record's address on this portal.
UNIQUIP_HEADER = (
    "Type",
    "ID",
    "Name",
    "Description",
    "Technique",
    "Manufacturer",
    "Model",
    "Commissioned Date",
    "Contact Name",
    "Contact Email",
    "Contact Telephone",
    "Department",
    "Location",
    "URL",
)


# --- Rows ----------------------------------------------------------------------------------------


def export_queryset(queryset):
    """Instruments with what the columns read, in a stable order, read in chunks."""
    return (
        queryset.select_related("unit", "category", "district")
        .order_by("unit__name", "unit_id", "asset_number")
        .iterator(chunk_size=ITERATOR_CHUNK)
    )


def template_rows(queryset, columns=COLUMNS):
    for instrument in export_queryset(queryset):
        yield [format_cell(column, instrument) for column in columns]


def uniquip_rows(queryset, base_url: str = ""):
    for instrument in export_queryset(queryset):
        yield [
            "equipment",
            f"{instrument.unit.credit_code}/{instrument.asset_number}",
            " / ".join(n for n in (instrument.name, instrument.name_en) if n),
            "\n".join(t for t in (instrument.functions, instrument.technical_indicators) if t),
            instrument.category.name_en or instrument.category.name,
            instrument.manufacturer,
            instrument.model,
            instrument.commissioned_on.isoformat() if instrument.commissioned_on else "",
            instrument.contact_person,
            instrument.contact_email,
            instrument.contact_phone,
            instrument.unit.name,
            instrument.location,
            _public_url(instrument, base_url),
        ]


def _public_url(instrument, base_url: str) -> str:
    try:
        path = reverse("instruments:detail", args=[instrument.pk])
    except NoReverseMatch:  # the catalogue pages are not installed
        return ""
    return base_url.rstrip("/") + path


# --- CSV ------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_safe(value):
    """Text as CSV: formula-looking text gets an apostrophe (the import takes it off again)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_lines(header, rows):
    """A UTF-8 CSV with BOM (so Excel in China opens it as UTF-8), one encoded line at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow(header).encode()
    for row in rows:
        yield writer.writerow([csv_safe(v) for v in row]).encode()


def csv_response(header, rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = _attachment(filename)
    return response


# --- XLSX -----------------------------------------------------------------------------------------


def xlsx_file(header, rows, *, notes=True):
    """A workbook written row by row (openpyxl write-only) into a temporary file, rewound."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("仪器 Instruments")
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    if notes:
        _notes_sheets(workbook, bold)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(out)
    out.seek(0)
    return out


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.00"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    return cell


def _notes_sheets(workbook, bold):
    """Two more sheets for the person filling the template: what each column takes, and the
    class codes. The import reads only the first sheet."""
    from openpyxl.cell import WriteOnlyCell

    def heading(sheet, texts):
        cells = [WriteOnlyCell(sheet, value=t) for t in texts]
        for cell in cells:
            cell.font = bold
        sheet.append(cells)

    notes = workbook.create_sheet("说明 Notes")
    heading(notes, ("列 Column", "必填 Required", "填写说明 What to enter", "也可用的表头 Also accepted headers"))
    for cell_row in column_notes():
        notes.append(list(cell_row))
    classes = workbook.create_sheet("分类代码 Classes")
    heading(classes, ("代码 Code", "名称", "Name"))
    for category in Category.objects.order_by("code"):
        classes.append([category.code, category.name, category.name_en])


def xlsx_response(header, rows, filename: str, *, notes=True) -> FileResponse:
    return FileResponse(
        xlsx_file(header, rows, notes=notes), as_attachment=True, filename=filename, content_type=XLSX_TYPE
    )


# --- The exports ------------------------------------------------------------------------------------


def _attachment(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, filename)


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d")


def template_response(fmt: str):
    """The empty template (XLSX adds a notes sheet and the class codes)."""
    header = [c.header for c in COLUMNS]
    if fmt == "xlsx":
        return xlsx_response(header, [], "instrument-import-template.xlsx")
    return csv_response(header, [], "instrument-import-template.csv")


def unit_export_response(unit, fmt: str):
    """A unit's instruments in the template's format: importing it back changes nothing."""
    header = [c.header for c in COLUMNS]
    rows = template_rows(Instrument.objects.filter(unit=unit))
    filename = f"instruments-{unit.pk}-{_stamp()}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(header, rows, filename)
    return csv_response(header, rows, filename)


def registry_export_response(queryset, fmt: str, *, base_url: str = ""):
    """The bureau's registry export: the template's columns after the owner unit and its credit
    code, or the Uniquip CSV (``fmt="uniquip"``)."""
    if fmt == "uniquip":
        return csv_response(UNIQUIP_HEADER, uniquip_rows(queryset, base_url), f"uniquip-{_stamp()}.csv")
    header = [c.header for c in REGISTRY_COLUMNS]
    rows = template_rows(queryset, REGISTRY_COLUMNS)
    filename = f"instrument-registry-{_stamp()}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(header, rows, filename, notes=False)
    return csv_response(header, rows, filename)


# --- Admin actions (hooked into InstrumentAdmin.actions) -------------------------------------------


@admin.action(description=_("Export the selected instruments (CSV)"))
def export_registry_csv(modeladmin, request, queryset):
    return registry_export_response(queryset, "csv")


@admin.action(description=_("Export the selected instruments (Excel)"))
def export_registry_xlsx(modeladmin, request, queryset):
    return registry_export_response(queryset, "xlsx")


@admin.action(description=_("Export the selected instruments as Uniquip CSV (equipment.data)"))
def export_registry_uniquip(modeladmin, request, queryset):
    return registry_export_response(queryset, "uniquip", base_url=request.build_absolute_uri("/"))


REGISTRY_EXPORT_ACTIONS = [export_registry_csv, export_registry_xlsx, export_registry_uniquip]
