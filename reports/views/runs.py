"""Report runs: the list with the start form, a run (progress, figures, charts, tables), the
comparison with the previous period, and the downloads. Thin doors: every run is reached through
``selectors.report_run_get_for_viewer`` (the same 404 for missing and not yours)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.jobs import job_progress

from .. import selectors
from ..charts import KEYED_LABELS, chart_labels, chart_svg, series_format
from ..exporting import run_csv_response, run_xlsx_response
from ..forms import RunStartForm
from ..labels import label
from ..models import ReportRun
from ..names import english_names
from ..periods import period_of_run
from ..permissions import administered_unit_ids, can_see_reports, is_bureau
from ..services import report_run_compare, report_run_start

RUNS_PER_PAGE = 20
ROWS_PER_PAGE = 50


def _viewer_or_404(user) -> None:
    if not can_see_reports(user):
        raise Http404


@login_required
def runs(request):
    """The start form and the runs the viewer may see, newest first."""
    _viewer_or_404(request.user)
    unit_ids = None if is_bureau(request.user) else administered_unit_ids(request.user)
    form = RunStartForm(request.POST or None, unit_ids=unit_ids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = report_run_start(
                actor=request.user,
                kind=data["kind"],
                period=data["period"],
                scope_kind=data["scope_kind"],
                scope_id=data["scope_id"],
            )
        except DomainError as err:
            form.add_domain_error(err)
        else:
            return redirect(run)
    page = Paginator(selectors.report_runs_for_viewer(request.user), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/run_list.html",
        {"form": form, "page": page, "runs": [(run, period_of_run(run).label()) for run in page]},
    )


def _table_pages(request, run: ReportRun) -> list[dict]:
    """Each table of the run with its page of rows: ``?table=<key>&page=N`` pages one table and
    ``&sort=<column>`` sorts it by a numeric column, largest first."""
    asked = request.GET.get("table")
    tables = []
    for table in run.result.get("tables", []):
        mine = asked == table["key"]
        index = selectors.sort_index(table, request.GET.get("sort")) if mine else None
        rows = selectors.report_rows(run, table["key"], sort_index=index).only("values")
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page") if mine else 1)
        formats = [fmt for _key, fmt in table["columns"]]
        tables.append(
            {
                "key": table["key"],
                "title": label(table["key"]),
                "columns": [
                    {
                        "key": key,
                        "title": label(key),
                        "fmt": fmt,
                        "sortable": selectors.sort_index(table, key) is not None,
                        "sorted": index is not None and table["columns"][index][0] == key,
                    }
                    for key, fmt in table["columns"]
                ],
                "sort": table["columns"][index][0] if index is not None else "",
                "count": table["count"],
                "page": page,
                "rows": [list(zip(row.values, formats, strict=False)) for row in page],
            }
        )
    return tables


def _in_english(tables: list[dict], run: ReportRun) -> dict[str, str]:
    """The English names of the stored names the page shows (its tables' pages and its charts),
    for an English reader: one lookup for the whole page (``reports.names``)."""
    texts = [value for table in tables for row in table["rows"] for value, fmt in row if fmt == "text"]
    texts += [
        text for chart in run.result.get("charts", []) if chart["key"] not in KEYED_LABELS for text in chart["labels"]
    ]
    names = english_names(texts)
    for table in tables:
        table["rows"] = [
            [(names.get(value, value) if fmt == "text" else value, fmt) for value, fmt in row] for row in table["rows"]
        ]
    return names


def _charts(run: ReportRun, names: dict[str, str]) -> list[dict]:
    """Each chart as SVG, with the same numbers as rows (label, [(value, format) per series])."""
    charts = []
    for chart in run.result.get("charts", []):
        labels = chart_labels(chart, names)
        formats = [series_format(key) for key, _values in chart["series"]]
        charts.append(
            {
                "key": chart["key"],
                "title": label(chart["key"]),
                "svg": chart_svg(chart, labels),
                "series": [label(key) for key, _values in chart["series"]],
                "rows": [
                    (text, [(values[i], fmt) for (_key, values), fmt in zip(chart["series"], formats, strict=True)])
                    for i, text in enumerate(labels)
                ],
            }
        )
    return charts


@login_required
def run_detail(request, pk):
    run = selectors.report_run_get_for_viewer(user=request.user, pk=pk)
    done = run.status == ReportRun.Status.DONE
    tables = _table_pages(request, run) if done else []
    names = _in_english(tables, run) if done else {}
    return render(
        request,
        "reports/run_detail.html",
        {
            "run": run,
            "period_label": period_of_run(run).label(),
            "progress": job_progress(run),
            "figures": run.result.get("figures", []) if done else [],
            "charts": _charts(run, names) if done else [],
            "tables": tables,
            "notes": run.result.get("notes", []) if done else [],
            "errors": run.result.get("errors", []) if done else [],
        },
    )


@login_required
def run_progress(request, pk):
    run = selectors.report_run_get_for_viewer(user=request.user, pk=pk)
    return JsonResponse(job_progress(run))


@login_required
@require_POST
def run_compare_start(request, pk):
    """Compare with the previous period: its latest run if there is one, else a new one."""
    run = selectors.report_run_get_for_viewer(user=request.user, pk=pk)
    if run.status != ReportRun.Status.DONE:
        raise Http404
    try:
        other = report_run_compare(actor=request.user, run=run)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(run)
    return redirect("reports:run_compare", pk=run.pk, other_pk=other.pk)


@login_required
def run_compare(request, pk, other_pk):
    run = selectors.report_run_get_for_viewer(user=request.user, pk=pk)
    other = selectors.report_run_get_for_viewer(user=request.user, pk=other_pk)
    if other.kind != run.kind or run.status != ReportRun.Status.DONE:
        raise Http404
    ready = other.status == ReportRun.Status.DONE
    return render(
        request,
        "reports/run_compare.html",
        {
            "run": run,
            "other": other,
            "period_label": period_of_run(run).label(),
            "other_label": period_of_run(other).label(),
            "progress": job_progress(other),
            "rows": selectors.figures_compared(run, other) if ready else [],
            "ready": ready,
        },
    )


@login_required
def run_export_csv(request, pk):
    run = selectors.report_run_get_for_viewer(user=request.user, pk=pk)
    if run.status != ReportRun.Status.DONE:
        raise Http404
    key = request.GET.get("table") or "figures"
    table = None if key == "figures" else selectors.report_table(run, key)
    if key != "figures" and table is None:
        raise Http404
    return run_csv_response(run, table)


@login_required
def run_export_xlsx(request, pk):
    run = selectors.report_run_get_for_viewer(user=request.user, pk=pk)
    if run.status != ReportRun.Status.DONE:
        raise Http404
    return run_xlsx_response(run)


@login_required
def run_file(request, pk):
    """The file a run made (the data pack), only for those who may see the run."""
    run = selectors.report_run_get_for_viewer(user=request.user, pk=pk)
    if not run.file:
        raise Http404
    name = run.file.name.rsplit("/", 1)[-1]
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=name)
