"""The one way in to report runs for the API: which runs a viewer sees, and one run by id.

Bureau staff see every run; a unit's administrators the runs scoped to their unit; everyone else
none. A run that is missing and one that is not yours give the same 404. (The pages' selectors
hold the same two functions; the lead unifies them.)
"""

from django.http import Http404

from .models import ReportRun, ScopeKind
from .permissions import administered_unit_ids, is_bureau

# The largest id a primary key holds (BigAutoField); a larger one names nothing.
MAX_ID = 2**63 - 1


def report_runs_for_viewer(user):
    """The runs ``user`` may see, newest first (an empty QuerySet for anyone without reports)."""
    runs = ReportRun.objects.select_related("created_by").order_by("-created_at", "-pk")
    if is_bureau(user):
        return runs
    units = administered_unit_ids(user)
    if not units:
        return runs.none()
    return runs.filter(scope_kind=ScopeKind.UNIT, scope_id__in=units)


def report_run_get_for_viewer(*, user, pk) -> ReportRun:
    """The run ``pk`` if ``user`` may see it; Http404 for a missing run and for someone else's alike."""
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
