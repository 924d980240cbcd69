"""Every write of the reports app (report runs in ``runs``; duplicate-purchase reviews in ``review``)."""

from .review import duplicate_review_create  # noqa: F401
from .runs import (  # noqa: F401
    MAX_ATTEMPTS,
    report_run_compare,
    report_run_execute,
    report_run_fail,
    report_run_start,
    report_runs_fail_stale,
    report_runs_schedule,
)
