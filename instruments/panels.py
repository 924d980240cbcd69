"""The instruments app's part of the pages that platform_site composes (see core/panels.py)."""

from members.permissions import is_unit_manager
from members.selectors import units_managed_by


def dashboard_panel(request):
    """A link to the instrument register of each unit the person manages; nothing for others."""
    units = list(units_managed_by(user=request.user))
    if not units:
        return None
    return "instruments/panels/dashboard.html", {"managed_units": units}


def unit_profile_panel(request, unit):
    """The unit's instruments in the catalogue (once it is approved), and their register for its managers."""
    manages = is_unit_manager(request.user, unit)
    if not unit.is_approved and not manages:
        return None
    return "instruments/panels/unit_profile.html", {"unit": unit, "is_unit_manager": manages}
