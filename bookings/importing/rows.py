"""Turning spreadsheet rows into the keyword arguments of ``service_record_create``, chunk by chunk.

A row's cells are read with the instrument import's parsers (dates and times, numbers, money);
the instrument is the importing unit's one with the row's asset number, looked up once per chunk.
A row whose cells cannot be read carries its errors (column and message) and is never written.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from instruments.importing.columns import (
    CellError,
    cell_text,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_money,
)
from instruments.importing.readers import SheetError
from instruments.models import Instrument
from members.models import Unit

from .columns import FUNDING, HEADERS, PURPOSES, REQUIRED, SERVICE_WAYS, field_for_header

CHUNK_SIZE = 500
LIST_CAP = 500  # error rows listed in the stored report; the counts cover every row
ZERO = Decimal("0")
HOUR_FIELDS = ("preparation_hours", "measurement_hours", "post_processing_hours")


@dataclass
class ParsedRow:
    number: int
    kwargs: dict | None = None  # for service_record_create, when every cell could be read
    errors: list = field(default_factory=list)  # (column header, message)

    def fail(self, column: str, message: str):
        self.errors.append((column, message))
        self.kwargs = None


@dataclass
class Summary:
    """Counts over every row, and the first LIST_CAP errors for the page."""

    rows: int = 0
    valid: int = 0
    created: int = 0
    error_rows: int = 0
    error_total: int = 0
    errors: list = field(default_factory=list)

    def add(self, row: ParsedRow, *, written: bool = False):
        self.rows += 1
        if not row.errors:
            self.valid += 1
            self.created += int(written)
            return
        self.error_rows += 1
        for column, message in row.errors:
            self.error_total += 1
            if len(self.errors) < LIST_CAP:
                self.errors.append({"row": row.number, "column": column, "message": message})


class RowParser:
    """The columns of one file, and how its rows become service records of one unit's instruments."""

    def __init__(self, *, unit: Unit, header_cells):
        self.unit = unit
        self.index = {}  # field → cell index
        self.ignored = []
        for position, raw in enumerate(header_cells):
            text = cell_text(raw)
            name = field_for_header(text) if text else None
            if name is None:
                if text:
                    self.ignored.append(text)
            elif name not in self.index:
                self.index[name] = position
        missing = [HEADERS[f] for f in REQUIRED if f not in self.index]
        if missing:
            raise SheetError(_("Columns are missing: %(columns)s. Use the template.") % {"columns": "、".join(missing)})

    def parse(self, chunk) -> list[ParsedRow]:
        """Rows (number, cells) of one chunk, each with its keyword arguments or its errors."""
        cells_by_row = [(number, self._cells(cells)) for number, cells in chunk]
        assets = {cell_text(cells.get("asset_number")) for _n, cells in cells_by_row}
        instruments = {
            i.asset_number: i
            for i in Instrument.objects.filter(unit=self.unit, asset_number__in=assets)
            .select_related("unit")
            .prefetch_related("fee_items")
        }
        names = {cell_text(cells.get("user_unit")) for _n, cells in cells_by_row}
        units = {u.name: u for u in Unit.objects.filter(name__in=names)}
        return [self._row(number, cells, instruments, units) for number, cells in cells_by_row]

    def _cells(self, cells) -> dict:
        return {name: (cells[i] if i < len(cells) else None) for name, i in self.index.items()}

    def _row(self, number, cells, instruments, units) -> ParsedRow:
        row = ParsedRow(number)
        kwargs = {}
        text = {name: cell_text(value) for name, value in cells.items()}
        instrument = instruments.get(text["asset_number"])
        if instrument is None:
            row.fail(
                HEADERS["asset_number"],
                _("no instrument of %(unit)s has asset number “%(asset)s”")
                % {"unit": self.unit.name, "asset": text["asset_number"]},
            )
        kwargs["instrument"] = instrument
        for name in ("started_at", "ended_at"):
            self._read(row, kwargs, name, lambda name=name: parse_datetime(cells[name]))
        for name in HOUR_FIELDS:
            self._read(row, kwargs, name, lambda name=name: parse_decimal(cells[name]) if text.get(name) else ZERO)
        self._read(row, kwargs, "sample_count", lambda: self._samples(cells.get("sample_count")))
        self._read(row, kwargs, "service_way", lambda: self._choice(SERVICE_WAYS, text["service_way"], "way"))
        self._read(row, kwargs, "funding_source", lambda: self._choice(FUNDING, text.get("funding_source", ""), "fund"))
        self._read(row, kwargs, "amount", lambda: parse_money(cells["amount"]) if text.get("amount") else None)
        self._read(row, kwargs, "purpose", lambda: self._purpose(text.get("purpose", "")))
        self._read(row, kwargs, "paid_on", lambda: parse_date(cells["paid_on"]) if text.get("paid_on") else None)
        unit_name = text["user_unit"]
        kwargs.update(
            service_content=text["service_content"],
            user_name=text["user_name"],
            user_unit=units.get(unit_name),
            user_unit_name=unit_name,
            project_name=text.get("project_name", ""),
            amount_reason=text.get("amount_reason", ""),
        )
        if not row.errors:
            row.kwargs = kwargs
        return row

    @staticmethod
    def _read(row: ParsedRow, kwargs: dict, name: str, parse):
        try:
            kwargs[name] = parse()
        except CellError as err:
            row.fail(HEADERS[name], err.message)

    @staticmethod
    def _samples(value) -> int:
        if value is None or cell_text(value) == "":
            return 0
        try:
            count = parse_int(value)
        except CellError:
            count = -1
        if count < 0:
            raise CellError(_("the number of samples must be a whole number"))
        return count

    @staticmethod
    def _purpose(text: str) -> str:
        found = PURPOSES.get(text) or PURPOSES.get(text.lower())
        if found is None:
            raise CellError(
                _("unknown purpose “%(value)s”: write 研发, 法定认证, 执法检验, 商品检验 or 医疗服务 (empty: 研发)")
                % {"value": text}
            )
        return found

    @staticmethod
    def _choice(choices: dict, text: str, kind: str) -> str:
        found = choices.get(text)
        if found is not None:
            return found
        if kind == "way":
            raise CellError(_("service way must be one of 占用共享, 技术共享, 委托共享, 远程共享, 其他"))
        raise CellError(_("unknown funding source “%(value)s”") % {"value": text})
