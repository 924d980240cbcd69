"""A run's downloads: one table (or the figures) as a streamed CSV, and the whole run as an XLSX
workbook written row by row, so memory stays flat however many rows a run has.

Values are the run's exact values (hours and yuan as decimals, rates as fractions 0–1), the
headers the translated labels; text that looks like a formula is kept as text."""

import csv
import re
import tempfile
from decimal import Decimal, InvalidOperation

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from .labels import label
from .models import ReportRun
from .selectors import report_rows

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC = {"int", "hours", "money", "wan", "rate", "rating"}
NUMBER_FORMATS = {"int": "0", "hours": "#,##0.00", "money": "#,##0.00", "wan": "#,##0.00", "rate": "0.00%"}
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
CHUNK = 2000


class _Echo:
    def write(self, value):
        return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def figures_header() -> list[str]:
    return [_("Figure"), _("Value")]


def run_filename(run: ReportRun, extension: str, table: str | None = None) -> str:
    parts = [f"report-{run.pk}", run.kind, f"{run.period_start:%Y%m%d}"]
    if table:
        parts.append(table)
    return "-".join(parts) + f".{extension}"


def _csv_lines(header, rows):
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow(header).encode()
    for row in rows:
        yield writer.writerow([_text(v) for v in row]).encode()


def run_csv_response(run: ReportRun, table: dict | None) -> StreamingHttpResponse:
    """One table of the run (``table``: its description) or, for None, the run's figures."""
    if table is None:
        header = figures_header()
        rows = ([label(key), value] for key, value, _fmt in run.result.get("figures", []))
        filename = run_filename(run, "csv", "figures")
    else:
        header = [label(key) for key, _fmt in table["columns"]]
        formats = [fmt for _key, fmt in table["columns"]]
        rows = (
            [label(v) if f == "label" and v else v for v, f in zip(values, formats, strict=False)]
            for values in report_rows(run, table["key"]).values_list("values", flat=True).iterator(CHUNK)
        )
        filename = run_filename(run, "csv", table["key"])
    response = StreamingHttpResponse(_csv_lines(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def sheet_title(text: str, taken: set) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = SHEET_FORBIDDEN.sub(" ", str(text)).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" {n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _cell(sheet, value, fmt: str):
    from openpyxl.cell import WriteOnlyCell

    if fmt == "label" and value:
        value = label(value)
    if fmt in NUMERIC and value is not None and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is not None:
            cell = WriteOnlyCell(sheet, value=int(number) if fmt == "int" else number)
            cell.number_format = NUMBER_FORMATS.get(fmt, "0.00")
            return cell
    cell = WriteOnlyCell(sheet, value=None if value is None else str(value))
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    return cell


def _heading(sheet, texts):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for text in texts:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def run_xlsx_file(run: ReportRun):
    """The workbook in a rewound temporary file: a figures sheet, then one sheet per table."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    taken = set()
    figures = workbook.create_sheet(sheet_title(_("Figures"), taken))
    _heading(figures, figures_header())
    for key, value, fmt in run.result.get("figures", []):
        figures.append([_cell(figures, label(key), "text"), _cell(figures, value, fmt)])
    for table in run.result.get("tables", []):
        sheet = workbook.create_sheet(sheet_title(label(table["key"]), taken))
        sheet.freeze_panes = "A2"
        formats = [fmt for _key, fmt in table["columns"]]
        _heading(sheet, [label(key) for key, _fmt in table["columns"]])
        rows = report_rows(run, table["key"]).values_list("values", flat=True).iterator(CHUNK)
        for values in rows:
            sheet.append([_cell(sheet, value, fmt) for value, fmt in zip(values, formats, strict=False)])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(out)
    out.seek(0)
    return out


def run_xlsx_response(run: ReportRun) -> FileResponse:
    return FileResponse(
        run_xlsx_file(run), as_attachment=True, filename=run_filename(run, "xlsx"), content_type=XLSX_TYPE
    )
