"""What every report computation shares: the run's context, the row writer with its checksum,
and exact number formatting (figures are stored as strings, so both databases give one answer)."""

import hashlib
import json
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from core.jobs import job_progress_set

from ..models import ReportRow, ReportSettings
from ..periods import Period
from ..scope import Scope

BATCH = 1000
CENT = Decimal("0.01")
RATE_STEP = Decimal("0.0001")


def num(value, step: Decimal = CENT) -> str | None:
    """A figure as an exact string with the given step (hours and yuan: 0.01; rates: 0.0001)."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


def ratio(part, whole, step: Decimal = RATE_STEP) -> str | None:
    """``part ÷ whole`` as a rate, or None when the whole is zero (no division by zero: "—")."""
    whole = Decimal(str(whole or 0))
    if whole == 0:
        return None
    return num(Decimal(str(part or 0)) / whole, step)


def dec(value) -> Decimal:
    """A database sum as a Decimal rounded to the fen (or the hundredth of an hour), so every rate
    is computed from the figure shown (SQLite's sums of splits are floats: 13.999999… is 14.00)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP) if value is not None else Decimal("0.00")


@dataclass
class Table:
    key: str
    columns: list  # [(column key, format)], format: text, int, hours, money, wan, rate, rating, date, bool
    count: int = 0


@dataclass
class RunContext:
    """A run being computed: its period, scope and settings; figures, tables and charts collect
    here, rows go to the database in batches, and every byte of the result feeds the checksum."""

    run: object
    period: Period
    scope: Scope
    settings: ReportSettings
    figures: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    charts: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    file: tuple | None = None  # (file name, path of a temporary file) a run keeps, e.g. the data pack
    _buffer: list = field(default_factory=list)
    _hash: object = field(default_factory=hashlib.sha256)

    @property
    def bounds(self):
        return self.period.bounds()

    def figure(self, key: str, value, fmt: str) -> None:
        self.figures.append([key, value, fmt])

    def table(self, key: str, columns: list) -> Table:
        table = Table(key, [list(column) for column in columns])
        self.tables[key] = table
        return table

    def row(self, table: Table, values: list) -> None:
        encoded = canonical(values)
        self._hash.update(f"{table.key}:{table.count}:".encode())
        self._hash.update(encoded.encode())
        self._buffer.append(ReportRow(run_id=self.run.pk, table=table.key, position=table.count, values=values))
        table.count += 1
        if len(self._buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            ReportRow.objects.bulk_create(self._buffer)
            self._buffer = []

    def chart(self, key: str, kind: str, labels: list, series: list) -> None:
        """``series``: [(series key, [values])]; the numbers are also the chart's table."""
        self.charts.append({"key": key, "kind": kind, "labels": labels, "series": [[k, v] for k, v in series]})

    def progress(self, done: int, total: int) -> None:
        job_progress_set(self.run, done=done, total=total)
        if settings.REPORTS_STEP_PAUSE:  # only the worker tests slow a run down
            time.sleep(settings.REPORTS_STEP_PAUSE)

    def result(self) -> dict:
        self.flush()
        return {
            "figures": self.figures,
            "tables": [{"key": t.key, "columns": t.columns, "count": t.count} for t in self.tables.values()],
            "charts": self.charts,
            "errors": self.errors,
            "notes": self.notes,
        }

    def checksum(self, result: dict) -> str:
        digest = self._hash.copy()
        digest.update(canonical(result).encode())
        return digest.hexdigest()

    def row_count(self) -> int:
        return sum(t.count for t in self.tables.values())


def canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
