"""The reports app's part of the pages that platform_site composes (see core/panels.py)."""

from .charts import KEYED_LABELS, chart_labels, chart_svg
from .labels import label
from .names import english_names
from .periods import period_of_run
from .permissions import can_see_reports
from .review import can_ask_review
from .selectors import latest_platform_figures_run, report_runs_for_viewer

DASHBOARD_RUNS = 3
HOME_CHARTS = ("monthly_services", "value_by_category")


def dashboard_panel(request):
    """For bureau staff and unit administrators: the way to the reports and their latest runs; for
    them and the units' instrument managers, the way to the duplicate-purchase review.

    The same queries whatever the person's memberships (the dashboard's count must not grow):
    the runs first, and only when there are none, whether the person may see reports at all."""
    user = request.user
    if not user.is_authenticated:
        return None
    runs = list(report_runs_for_viewer(user)[:DASHBOARD_RUNS])
    may_review = can_ask_review(user)
    may_report = bool(runs) or can_see_reports(user)
    if not (may_report or may_review):
        return None
    return "reports/dashboard_panel.html", {
        "report_runs": [(run, period_of_run(run).label()) for run in runs],
        "may_report": may_report,
        "may_review": may_review,
    }


def home_panel(request):
    """On the home page: the figures of the latest platform figures run and two of its charts."""
    run = latest_platform_figures_run()
    if run is None:
        return None
    shown = [chart for chart in run.result.get("charts", []) if chart["key"] in HOME_CHARTS]
    # The stored names of every chart looked up in English at once (none for a Chinese reader).
    names = english_names(text for chart in shown if chart["key"] not in KEYED_LABELS for text in chart["labels"])
    charts = [
        {"key": chart["key"], "title": label(chart["key"]), "svg": chart_svg(chart, chart_labels(chart, names))}
        for chart in shown
    ]
    return "reports/home_panel.html", {
        "run": run,
        "period_label": period_of_run(run).label(),
        "figures": run.result.get("figures", []),
        "charts": charts,
    }
