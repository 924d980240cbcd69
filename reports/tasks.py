"""Celery tasks of the reports app: a run's computation and the monthly and yearly schedule.

``report_run_task`` is acknowledged late, so a worker killed mid-run leaves the message to be
delivered again and the run is computed afresh (``services.report_run_execute`` replaces the rows
of the interrupted attempt); transient database errors are retried with backoff; anything else,
or too many attempts, records the failure and its reason on the run.
"""

import datetime as dt
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 4
STALE_AFTER = dt.timedelta(hours=6)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def report_run_task(self, run_id: int) -> str | None:
    try:
        run = services.report_run_execute(run_id=run_id)
    except TRANSIENT as exc:
        if self.request.retries >= MAX_RETRIES:
            services.report_run_fail(run_id=run_id, error=_("The database was unavailable: %(error)s") % {"error": exc})
            return "failed"
        raise self.retry(exc=exc, countdown=min(300, 2 ** (self.request.retries + 1))) from exc
    except Exception as exc:
        logger.exception("Report run %s failed", run_id)
        services.report_run_fail(run_id=run_id, error=_("The report failed: %(error)s") % {"error": exc})
        return "failed"
    return run.status if run else None


@shared_task(acks_late=True)
def reports_periodic_task() -> list[int]:
    """On the first day of a month: the platform's utilisation, platform figures and subsidy
    accounts of the month just ended, and on 1 January of the year just ended too. Idempotent: a
    period already produced automatically is not produced again. Also fails runs left "running"
    for hours by a lost task, with the reason."""
    services.report_runs_fail_stale(older_than=timezone.now() - STALE_AFTER)
    return [run.pk for run in services.report_runs_schedule(today=timezone.localdate())]
