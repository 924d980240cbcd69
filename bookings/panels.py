"""The bookings app's part of the pages that platform_site composes (see core/panels.py)."""

from members.selectors import unit_ids_managed_by


def dashboard_panel(request):
    """The person's bookings and calendar feeds; for those who manage a unit, also its booking
    requests and service records."""
    manages = unit_ids_managed_by(request.user).exists()
    return "bookings/panels/dashboard.html", {"manages_instruments": manages}
