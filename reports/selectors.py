"""Reads of report runs: the one way in to a run (the same 404 for missing and not yours), the
runs a viewer may see, a table's rows, and the run of the previous period to compare with."""

from decimal import Decimal, InvalidOperation

from django.db.models import DecimalField, F
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404

from .models import ReportKind, ReportRow, ReportRun, ScopeKind
from .periods import period_of_run
from .permissions import administered_units, is_bureau

NUMERIC_FORMATS = ("int", "hours", "money", "wan", "rate", "rating")
# Columns a table on the page can be sorted by (largest first).
SORTABLE_COLUMNS = ("original_value", "effective_hours", "external_hours", "utilisation", "services", "external_income")


# The largest id a primary key holds (BigAutoField); a larger one names nothing.
MAX_ID = 2**63 - 1


def report_runs_for_viewer(user):
    """Every run for bureau staff; a unit administrator's units' runs (scope: unit); none for others."""
    runs = ReportRun.objects.select_related("created_by").order_by("-created_at", "-pk")
    if is_bureau(user):
        return runs
    if not user.is_authenticated:
        return runs.none()
    return runs.filter(scope_kind=ScopeKind.UNIT, scope_id__in=administered_units(user))


def report_run_get_for_viewer(*, user, pk) -> ReportRun:
    """The run if the user may see it; Http404 whether it is missing, not theirs or no id at all."""
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value <= MAX_ID:
        raise Http404
    run = report_runs_for_viewer(user).filter(pk=value).first()
    if run is None:
        raise Http404
    return run


def report_table(run: ReportRun, key: str) -> dict | None:
    """The description of one table of a done run (``{"key", "columns", "count"}``), or None."""
    for table in (run.result or {}).get("tables", []):
        if table["key"] == key:
            return table
    return None


def report_rows(run: ReportRun, key: str, *, sort_index: int | None = None):
    """The rows of one table in their order, or largest first by the column at ``sort_index``
    (a numeric column; rows without a value last)."""
    rows = ReportRow.objects.filter(run=run, table=key)
    if sort_index is None:
        return rows.order_by("position")
    value = Cast(KeyTextTransform(str(sort_index), "values"), DecimalField(max_digits=24, decimal_places=6))
    return rows.order_by(value.desc(nulls_last=True), "position")


def sort_index(table: dict, column: str | None) -> int | None:
    """The position of ``column`` in the table if the table may be sorted by it, else None."""
    for index, (key, fmt) in enumerate(table["columns"]):
        if key == column and key in SORTABLE_COLUMNS and fmt in NUMERIC_FORMATS:
            return index
    return None


def report_run_previous(run: ReportRun) -> ReportRun | None:
    """The run to compare ``run`` with: the latest done run of the same report and scope over the
    previous period, else one of those still being computed; None when there is neither."""
    previous = period_of_run(run).previous()
    same = ReportRun.objects.same_parameters(
        kind=run.kind,
        period_start=previous.start,
        period_end=previous.end,
        scope_kind=run.scope_kind,
        scope_id=run.scope_id,
    ).order_by(F("finished_at").desc(nulls_last=True), "-created_at", "-pk")
    done = same.done().first()
    if done is not None:
        return done
    return same.filter(status__in=ReportRun.ACTIVE_STATUSES).order_by("-created_at", "-pk").first()


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def figure_change(current, previous, fmt: str) -> Decimal | None:
    """The change from ``previous`` to ``current`` in per cent, to 0.1; None when it cannot be
    said (no previous value, a previous value of 0, or a figure that is not a number)."""
    if fmt not in NUMERIC_FORMATS:
        return None
    now, before = _number(current), _number(previous)
    if now is None or before is None or before == 0:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.1"))


def figures_compared(run: ReportRun, other: ReportRun) -> list[dict]:
    """Each figure of ``run`` beside the same figure of ``other`` and the change in per cent."""
    before = {key: value for key, value, _fmt in (other.result or {}).get("figures", [])}
    return [
        {
            "key": key,
            "fmt": fmt,
            "current": value,
            "previous": before.get(key),
            "change": figure_change(value, before.get(key), fmt),
        }
        for key, value, fmt in (run.result or {}).get("figures", [])
    ]


def latest_platform_figures_run() -> ReportRun | None:
    """The newest done run of the platform figures over the whole platform (the home page's)."""
    return (
        ReportRun.objects.done()
        .filter(kind=ReportKind.PLATFORM, scope_kind=ScopeKind.PLATFORM, scope_id__isnull=True)
        .order_by("-period_end", F("finished_at").desc(nulls_last=True), "-pk")
        .first()
    )
