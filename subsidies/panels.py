"""The subsidies app's part of the pages that platform_site composes (see core/panels.py)."""

from . import page_selectors

PANEL_ROWS = 5


def dashboard_panel(request):
    """The person's applications that need their action (drafts, returned ones) and the claimed
    services of their instruments waiting for confirmation; nothing for someone with neither who
    administers no unit."""
    user = request.user
    if not user.is_authenticated:
        return None
    units = page_selectors.units_for_applying(user=user)
    counts = page_selectors.dashboard_counts(user=user)
    needing = list(counts["needing"][:PANEL_ROWS])
    may_apply = bool(units)
    if not needing and not counts["pending_lines"] and not may_apply:
        return None
    return "subsidies/panels/dashboard.html", {
        "needing": needing,
        "more_needing": len(needing) == PANEL_ROWS,
        "pending_lines": counts["pending_lines"],
        "pending_fees": counts["pending_fees"],
        "may_apply": may_apply,
    }
