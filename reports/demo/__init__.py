"""Demo reports: this year's platform figures (shown on the home page) and utilisation, and last
year's utilisation to compare with, computed from the demo data; a second run changes nothing."""

from django.utils import timezone

from ..models import ReportKind, ReportRun, ScopeKind
from ..periods import period_year
from ..services import report_run_execute, report_run_start


def seed(stdout=None):
    year = timezone.localdate().year
    wanted = [
        (ReportKind.PLATFORM, period_year(year)),
        (ReportKind.UTILISATION, period_year(year)),
        (ReportKind.UTILISATION, period_year(year - 1)),
        (ReportKind.EVALUATION, period_year(year)),
    ]
    made = 0
    for kind, period in wanted:
        done = ReportRun.objects.same_parameters(
            kind=kind, period_start=period.start, period_end=period.end, scope_kind=ScopeKind.PLATFORM, scope_id=None
        ).done()
        if done.exists():
            continue
        run = report_run_start(actor=None, kind=kind, period=period, automatic=True)
        run.refresh_from_db()
        if run.is_active:  # queued for a worker that is not running: compute it here
            report_run_execute(run_id=run.pk)
        made += 1
    if stdout is not None:
        stdout.write(f"reports: {made} demo report runs computed\n")
