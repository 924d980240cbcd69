"""Report runs: starting one, computing it on Celery, failing it, and the automatic schedule."""

import datetime as dt
import logging
import os

from django.core.files import File
from django.db import router, transaction
from django.utils.translation import gettext as _

from core.exceptions import DomainError
from core.jobs import job_enqueue, job_mark_failed, job_mark_finished, job_mark_started
from core.replica import replica_reads

from ..computing import compute_function
from ..computing.base import RunContext
from ..computing.sql import analytic_session
from ..models import ReportKind, ReportRow, ReportRun, ReportSettings, ScopeKind
from ..periods import Period, period_of_run
from ..permissions import can_start_run
from ..scope import Scope, scope_resolve
from ..selectors import report_run_previous

logger = logging.getLogger(__name__)

# A run whose task died this many times (killed workers, lost connections) is given up as failed.
MAX_ATTEMPTS = 5


def report_run_start(
    *,
    actor,
    kind: str,
    period: Period,
    scope_kind: str = ScopeKind.PLATFORM,
    scope_id: int | None = None,
    automatic: bool = False,
) -> ReportRun:
    """Queue a run of ``kind`` over ``period`` and the scope; it is computed by a Celery task."""
    if kind not in ReportKind.values:
        raise DomainError(_("There is no such report."), field="kind")
    scope = scope_resolve(kind=scope_kind, id=scope_id)
    if actor is not None and not can_start_run(actor, scope):
        raise DomainError(_("You can start reports for your own unit only."), field="scope_id")
    if kind == ReportKind.DATA_PACK and scope.kind not in (ScopeKind.PLATFORM, ScopeKind.UNIT):
        raise DomainError(_("A data pack is made for a unit or for the whole platform."), field="scope_kind")
    from ..tasks import report_run_task

    with transaction.atomic():
        run = ReportRun.objects.create(
            kind=kind,
            period_kind=period.kind,
            period_start=period.start,
            period_end=period.end,
            scope_kind=scope.kind,
            scope_id=scope.id,
            scope_label=scope.label,
            automatic=automatic,
            created_by=actor,
        )
        job_enqueue(run, report_run_task, error=_("The report could not be started: the task queue is unavailable."))
    return run


def report_run_compare(*, actor, run: ReportRun) -> ReportRun:
    """The run to put beside a finished ``run``: the previous period's latest run of the same report
    and scope (``selectors.report_run_previous``), else a new one started for ``actor`` (a
    ``DomainError`` when they may not start it, or when ``run`` is not finished)."""
    if run.status != ReportRun.Status.DONE:
        raise DomainError(_("Only a finished report can be compared with the previous period."))
    other = report_run_previous(run)
    if other is not None:
        return other
    return report_run_start(
        actor=actor,
        kind=run.kind,
        period=period_of_run(run).previous(),
        scope_kind=run.scope_kind,
        scope_id=run.scope_id,
    )


def report_run_execute(*, run_id: int) -> ReportRun | None:
    """Compute the run: idempotent (rows of an earlier, interrupted attempt are replaced), and the
    same parameters over unchanged data give the same result and checksum. Does nothing for a run
    that is no longer active."""
    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None or not run.is_active:
        return run
    ReportRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1)
    run.attempts += 1
    if run.attempts > MAX_ATTEMPTS:
        return job_mark_failed(run, error=_("The report was given up after %(n)s attempts.") % {"n": MAX_ATTEMPTS})
    if run.status == ReportRun.Status.QUEUED:
        job_mark_started(run, to=ReportRun.Status.RUNNING)
    else:
        job_mark_started(run)
    ctx = RunContext(
        run=run,
        period=period_of_run(run),
        scope=Scope(run.scope_kind, run.scope_id, run.scope_label),
        settings=ReportSettings.current(),
    )
    # Rows of an interrupted attempt go first; the rows are written in batches as the figures
    # stream (a run's rows are read only once it is done), and the figures are read from the read
    # replica when there is one, on a session tuned for large aggregates.
    ReportRow.objects.filter(run=run).delete()
    with replica_reads(), analytic_session(router.db_for_read(ReportRow)):
        compute_function(run.kind)(ctx)
        result = ctx.result()
    with transaction.atomic():
        changes = {"result": result, "checksum": ctx.checksum(result), "row_count": ctx.row_count()}
        job_mark_finished(run, to=ReportRun.Status.DONE, **changes)
        if ctx.file is not None:  # (file name, path of a finished temporary file)
            name, path = ctx.file
            with open(path, "rb") as handle:
                run.file.save(name, File(handle), save=True)
            os.unlink(path)
    return run


def report_run_fail(*, run_id: int, error: str) -> ReportRun | None:
    """The run failed: it says why, and the rows of its attempt are dropped."""
    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    run = job_mark_failed(run, error=error)
    if run.status == ReportRun.Status.FAILED:
        ReportRow.objects.filter(run=run).delete()
    return run


SCHEDULED_KINDS = (ReportKind.UTILISATION, ReportKind.PLATFORM, ReportKind.SUBSIDIES, ReportKind.EVALUATION)


def report_runs_schedule(*, today) -> list[ReportRun]:
    """The automatic runs due on ``today``: the month before it, and the year before it in January."""
    from ..periods import period_month, period_year

    last_month = today.replace(day=1) - dt.timedelta(days=1)
    periods = [period_month(last_month.year, last_month.month)]
    if today.month == 1:
        periods.append(period_year(today.year - 1))
    started = []
    for period in periods:
        for kind in SCHEDULED_KINDS:
            exists = (
                ReportRun.objects.same_parameters(
                    kind=kind,
                    period_start=period.start,
                    period_end=period.end,
                    scope_kind=ScopeKind.PLATFORM,
                    scope_id=None,
                )
                .filter(automatic=True)
                .exclude(status=ReportRun.Status.FAILED)
            )
            if not exists.exists():
                started.append(report_run_start(actor=None, kind=kind, period=period, automatic=True))
    return started


def report_runs_fail_stale(*, older_than) -> int:
    """Runs still active that began (or were queued) before ``older_than``: their task was lost."""
    stale = ReportRun.objects.filter(status__in=ReportRun.ACTIVE_STATUSES, created_at__lt=older_than)
    count = 0
    for run in stale:
        job_mark_failed(run, error=_("The report did not finish: its task was lost. Start it again."))
        count += 1
    return count
