"""Checking spreadsheet rows against a unit's registry, chunk by chunk, and writing the good ones.

Each row is matched to the unit's instrument with the same asset number (only that unit's: an
asset number of another unit creates a new instrument in the importing unit), filled from its
cells and checked with the model's ``full_clean()``. The outcome is create, update, unchanged or
error; a write pass bulk-writes the creates and updates of a chunk with their history rows and
search documents.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.models import District
from members.validators import normalise_phone

from .. import services
from ..invalidation import catalogue_changed
from ..models import Category, Instrument
from ..search import search_document_for
from .columns import (
    BLANK,
    COLUMNS,
    KEY_COLUMN,
    CellError,
    cell_text,
    column_for_header,
    money_scale_for_header,
    normalise_label,
    parse_bool,
    parse_choice,
    parse_int,
    parse_ledger_date,
    parse_money,
    parse_text,
)
from .readers import SheetError

CHUNK_SIZE = 500
LIST_CAP = 500  # rows listed per table in the stored report; the counts cover every row
FK_FIELDS = ("unit", "category", "district")


@dataclass
class RowResult:
    number: int
    asset_number: str
    instrument: Instrument | None = None
    action: str = "error"  # create, update, unchanged or error
    changed: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (column header, message)
    notes: list = field(default_factory=list)  # (column header, message): read, but not as written


@dataclass
class Summary:
    """Counts over every row, and the first LIST_CAP rows of each kind for the page."""

    rows: int = 0
    create: int = 0
    update: int = 0
    unchanged: int = 0
    error_rows: int = 0
    error_total: int = 0
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    note_total: int = 0
    notes: list = field(default_factory=list)

    def add(self, result: RowResult, headers: dict):
        self.rows += 1
        for column, message in result.notes:
            self.note_total += 1
            if len(self.notes) < LIST_CAP:
                self.notes.append(
                    {"row": result.number, "asset_number": result.asset_number, "column": column, "message": message}
                )
        if result.action == "error":
            self.error_rows += 1
            for column, message in result.errors:
                self.error_total += 1
                if len(self.errors) < LIST_CAP:
                    self.errors.append(
                        {
                            "row": result.number,
                            "asset_number": result.asset_number,
                            "column": column,
                            "message": message,
                        }
                    )
            return
        setattr(self, result.action, getattr(self, result.action) + 1)
        entry = {"row": result.number, "asset_number": result.asset_number, "name": result.instrument.name}
        if result.action == "create" and len(self.created) < LIST_CAP:
            self.created.append(entry)
        elif result.action == "update" and len(self.updated) < LIST_CAP:
            self.updated.append({**entry, "fields": [headers[f] for f in result.changed]})


class Lookups:
    """Classes and districts by every accepted spelling, loaded once per file (small tables)."""

    def __init__(self):
        self.categories = {}
        for category in Category.objects.select_related("parent"):
            for spelling in (category.name, category.name_en, f"{category.code} {category.name}"):
                if spelling:
                    self.categories.setdefault(normalise_label(spelling), category)
            self.categories[normalise_label(category.code)] = category  # a code always wins
        self.districts = {}
        for district in District.objects.all():
            for spelling in (district.code, district.name_en, district.name):
                if spelling:
                    self.districts[normalise_label(spelling)] = district

    def category(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            # Excel turned "0102" into 102: put the leading zero back.
            digits = str(int(value))
            value = digits.zfill(len(digits) + len(digits) % 2)
        text = cell_text(value)
        found = self.categories.get(normalise_label(text))
        first = text.split()[0] if text.split() else ""
        if found is None and first.isdigit():
            found = self.categories.get(first)
        if found is None:
            raise CellError(
                _("Unknown instrument class “%(value)s”: enter its code (for example 0102) or its name.")
                % {"value": text}
            )
        return found

    def district(self, value):
        text = cell_text(value)
        found = self.districts.get(normalise_label(text))
        if found is None:
            raise CellError(
                _("Unknown district “%(value)s”: enter a district of the platform's city.") % {"value": text}
            )
        return found


def chunked(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


class RowChecker:
    """The columns of one file, and the rules that turn its rows into instruments of one unit."""

    def __init__(self, *, unit, header_cells, skipped_rows=()):
        self.unit = unit
        self.skipped_rows = list(skipped_rows)  # title rows above the headers, for the report
        self.columns = []  # (index, Column, header text as written in the file)
        self.money_scale = Decimal(1)
        self.ignored = []
        taken = {}
        for index, raw in enumerate(header_cells):
            text = cell_text(raw)
            if not text:
                continue
            column = column_for_header(text)
            if column is None:
                self.ignored.append(text)
                continue
            if column.field in taken:
                raise SheetError(
                    _("The columns “%(first)s” and “%(second)s” are the same field; keep one of them.")
                    % {"first": taken[column.field], "second": text}
                )
            taken[column.field] = text
            self.columns.append((index, column, text))
            if column.kind == "money":
                self.money_scale = money_scale_for_header(text)
        if KEY_COLUMN.field not in taken:
            raise SheetError(
                _("The file has no asset number column (%(header)s): it is the key that matches rows to instruments.")
                % {"header": KEY_COLUMN.header}
            )
        self.key_index = next(i for i, c, _h in self.columns if c is KEY_COLUMN)
        self.headers = {c.field: c.header for c in COLUMNS} | taken  # the file's own words first
        self.missing_required = [c for c in COLUMNS if c.required and c.field not in taken]
        self.seen = {}  # asset number → row number, to refuse a second row for the same instrument
        self.lookups = Lookups()

    # -- one chunk ---------------------------------------------------------------------------------
    def check(self, rows) -> list[RowResult]:
        # The key as stored: "ZC２０２３ 001" is the instrument ZC2023001.
        keys = {
            number: services.normalise_asset_number(cell_text(self._cell(cells, self.key_index)))
            for number, cells in rows
        }
        existing = {
            obj.asset_number: obj
            for obj in Instrument.objects.filter(
                unit=self.unit, asset_number__in=set(keys.values()) - {""}
            ).select_related("category", "category__parent", "district")  # the search document names the class
        }
        return [self._check_row(number, cells, keys[number], existing) for number, cells in rows]

    def _check_row(self, number, cells, asset_number, existing) -> RowResult:
        result = RowResult(number=number, asset_number=asset_number)
        key_header = self.headers[KEY_COLUMN.field]
        if not asset_number:
            result.errors.append((key_header, _("Required; this cell is empty.")))
            return result
        if asset_number in self.seen:
            result.errors.append(
                (
                    key_header,
                    _("The asset number %(number)s is also in row %(row)s; list each instrument once.")
                    % {"number": asset_number, "row": self.seen[asset_number]},
                )
            )
            return result
        self.seen[asset_number] = number
        instrument = existing.get(asset_number)
        creating = instrument is None
        if creating:
            instrument = Instrument(asset_number=asset_number)
        instrument.unit = self.unit
        result.instrument = instrument
        bad = self._fill(instrument, cells, creating, result)
        instrument.street_address = services.street_address_once(instrument)
        if instrument.is_retired and result.changed:
            result.errors.append((key_header, _("This instrument is retired; its record can no longer be changed.")))
        if creating:
            for column in self.missing_required:
                bad.add(column.field)
                result.errors.append(
                    (column.header, _("Required for a new instrument, but the file has no such column."))
                )
        self._validate(instrument, bad, result)
        if result.errors:
            result.action = "error"
        else:
            result.action = "create" if creating else ("update" if result.changed else "unchanged")
        return result

    def _fill(self, instrument, cells, creating, result) -> set:
        bad = set()
        for index, column, header in self.columns:
            if column is KEY_COLUMN or column.kind == "ignored":
                continue
            try:
                value = self._parse(column, self._cell(cells, index))
                if isinstance(value, tuple):  # a value with a note on how it was read
                    value, note = value
                    if note:
                        result.notes.append((header, note))
            except CellError as err:
                bad.add(column.field)
                result.errors.append((header, err.message))
                continue
            if column.kind == "credit_code":
                if value is not BLANK and normalise_label(value) != normalise_label(self.unit.credit_code):
                    result.errors.append(
                        (
                            header,
                            _("This row belongs to another unit (%(code)s); it is not imported into %(unit)s.")
                            % {"code": value, "unit": self.unit.name},
                        )
                    )
                continue
            model_field = column.model_field
            if value is BLANK:
                if model_field.blank:
                    value = None if model_field.null else ""
                elif not model_field.has_default():
                    bad.add(column.field)
                    result.errors.append((header, _("Required; this cell is empty.")))
                    continue
                elif creating:
                    value = model_field.get_default()
                else:
                    continue  # an empty cell keeps the instrument's current setting
            new = value.pk if hasattr(value, "pk") else value
            if not creating and getattr(instrument, model_field.attname) != new:
                result.changed.append(column.field)
            setattr(instrument, column.field, value)
        return bad

    def _parse(self, column, raw):
        if cell_text(raw) == "":
            return BLANK
        match column.kind:
            case "text" if column.field == "contact_phone":
                return normalise_phone(parse_text(column, raw))  # "０４７２－…" stored as 0472-…
            case "text" if column.field == "subject_areas":
                return self._subject_areas(parse_text(column, raw))
            case "text":
                return parse_text(column, raw)
            case "choice":
                return parse_choice(column.field, raw)
            case "bool":
                return parse_bool(raw)
            case "money":
                return parse_money(raw, scale=self.money_scale)
            case "int":
                return parse_int(raw)
            case "date":
                return parse_ledger_date(raw)
            case "category":
                return self.lookups.category(raw)
            case "district":
                return self.lookups.district(raw)
            case _:
                return cell_text(raw)

    @staticmethod
    def _subject_areas(text):
        """Up to four disciplines, joined by ；as the services store them."""
        try:
            return services.validate_subject_areas(text)
        except ValidationError as err:
            raise CellError(err.messages[0]) from err

    def _validate(self, instrument, bad, result):
        """The model's full_clean() and the registry's rules from instruments.services (the same
        messages a manager sees in the form)."""
        try:
            instrument.full_clean(exclude=[*FK_FIELDS, *bad], validate_unique=False, validate_constraints=False)
        except ValidationError as err:
            for name, messages in err.message_dict.items():
                bad.add(name)
                header = "" if name == "__all__" else self.headers.get(name, name)
                result.errors.extend((header, message) for message in messages)
        # The database's check constraint, in words (full_clean's own check costs a query per row).
        if not bad & {"min_slot_minutes", "max_slot_minutes"}:
            try:
                services.validate_slot_range(instrument.min_slot_minutes, instrument.max_slot_minutes)
            except ValidationError as err:
                result.errors.extend((self.headers["max_slot_minutes"], m) for m in err.messages)

    @staticmethod
    def _cell(cells, index):
        return cells[index] if index < len(cells) else None


def history_reason(key: str, file_name: str) -> str:
    """A change reason in the services' form (``key: note``, see instruments.services.registry._reason):
    "created" or "updated", with the file's name as the note."""
    return f"{key}: {file_name}"[: services.REASON_MAX_LENGTH]


def write_results(results, *, actor, file_name):
    """Write a checked chunk: creates and updates in bulk, each with its history row and search
    document. Call inside the import's transaction."""
    creates = [r.instrument for r in results if r.action == "create"]
    updates = [r for r in results if r.action == "update"]
    now = timezone.now()
    for instrument in creates:
        instrument.search_document = search_document_for(instrument)
    if creates:
        bulk_create_with_history(
            creates,
            Instrument,
            batch_size=CHUNK_SIZE,
            default_user=actor,
            default_change_reason=history_reason("created", file_name),
        )
    if updates:
        fields = {"search_document", "updated_at"}
        for result in updates:
            result.instrument.updated_at = now
            result.instrument.search_document = search_document_for(result.instrument)
            fields.update(result.changed)
        bulk_update_with_history(
            [r.instrument for r in updates],
            Instrument,
            fields=sorted(fields),
            batch_size=CHUNK_SIZE,
            default_user=actor,
            default_change_reason=history_reason("updated", file_name),
        )
    if creates or updates:
        catalogue_changed()  # bulk writes send no signals
