"""Reading an uploaded spreadsheet row by row, CSV or XLSX, without loading it into memory.

Row numbers are the ones the spreadsheet shows: the header is the first non-empty row, or, given
``is_header``, the first of the top rows that it recognises (title rows above it are skipped and
listed in ``skipped_rows``), so the dry run can point at the exact row a person has to fix.
"""

import codecs
import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls / .et format
HEADER_SEARCH_ROWS = 20  # ledgers put a title, the unit and a date above the headers


class SheetError(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def is_blank_row(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


class Sheet:
    """An open spreadsheet: ``header`` (row number, cells), ``rows()`` and an estimated row count."""

    def __init__(self, fileobj, *, is_header=None):
        self.fileobj = fileobj
        self.is_header = is_header
        self.skipped_rows: list[int] = []  # non-empty rows above the header
        head = fileobj.read(8)
        fileobj.seek(0)
        if head.startswith(OLE_MAGIC):
            raise SheetError(_("This is an old .xls file. Save it as .xlsx (or CSV UTF-8) and upload it again."))
        self.kind = "xlsx" if head.startswith(XLSX_MAGIC) else "csv"
        self._workbook = None
        self.header_row, self.header = self._find_header()

    # -- the two formats -----------------------------------------------------------------------
    def _numbered_rows(self) -> Iterator[tuple[int, tuple]]:
        if self.kind == "xlsx":
            yield from enumerate(self._xlsx_sheet().iter_rows(values_only=True), start=1)
        else:
            yield from enumerate(self._csv_reader(), start=1)

    def _xlsx_sheet(self):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        if self._workbook is None:
            self.fileobj.seek(0)
            try:
                self._workbook = openpyxl.load_workbook(self.fileobj, read_only=True, data_only=True)
            except (InvalidFileException, KeyError, ValueError, OSError) as err:
                raise SheetError(_("This file could not be read as an Excel workbook (.xlsx).")) from err
            except Exception as err:  # zipfile.BadZipFile and XML errors from a damaged file
                raise SheetError(_("This file could not be read as an Excel workbook (.xlsx).")) from err
        if not self._workbook.worksheets:
            raise SheetError(_("The workbook has no worksheet."))
        return self._workbook.worksheets[0]

    def _csv_reader(self):
        self.fileobj.seek(0)
        encoding = sniff_encoding(self.fileobj)
        self.fileobj.seek(0)
        text = io.TextIOWrapper(self.fileobj, encoding=encoding, errors="replace", newline="")
        try:
            first = text.readline()
            delimiter = max((",", "\t", ";"), key=first.count) if first else ","
            text.seek(0)
            yield from csv.reader(text, delimiter=delimiter)
        except csv.Error as err:
            raise SheetError(_("The CSV file is malformed: %(error)s") % {"error": err}) from err
        finally:
            text.detach()

    # -- what callers use --------------------------------------------------------------------------
    def _find_header(self):
        """The first row ``is_header`` recognises among the top rows, else the first non-empty row
        (whose headers the caller then reports as it finds them)."""
        rows = self._numbered_rows()
        first, above = None, []
        try:
            for number, cells in rows:
                if not is_blank_row(cells):
                    if self.is_header is None or self.is_header(cells):
                        self.skipped_rows = above
                        return number, tuple(cells)
                    first = first or (number, tuple(cells))
                    above.append(number)
                if number >= HEADER_SEARCH_ROWS:
                    break
        finally:
            rows.close()
        if first is not None:
            return first
        raise SheetError(_("The file is empty: the first row must hold the column headers."))

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """The data rows after the header, with their row numbers; blank rows are skipped."""
        for number, cells in self._numbered_rows():
            if number > self.header_row and not is_blank_row(cells):
                yield number, tuple(cells)

    def count_rows(self) -> int:
        """The number of data rows: read once more, cheaply, for the progress bar."""
        return sum(1 for _row in self.rows())

    def close(self):
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def sniff_encoding(fileobj) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or else GB18030 (what Excel in China saves)."""
    start = fileobj.read(4)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := fileobj.read(1 << 16):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"
