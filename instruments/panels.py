"""The instruments app's part of the pages that platform_site composes (see core/panels.py)."""

from django.core.paginator import Paginator

from members.permissions import is_unit_manager
from members.selectors import units_managed_by

from . import catalogue

UNIT_PROFILE_PAGE_SIZE = 20


def dashboard_panel(request):
    """A link to the instrument register of each unit the person manages; nothing for others."""
    units = list(units_managed_by(user=request.user))
    if not units:
        return None
    return "instruments/panels/dashboard.html", {"managed_units": units}


def unit_profile_panel(request, unit):
    """The unit's public instruments, 20 a page (``?page=``; like the catalogue, a page number
    past the end gives the last page and a bad one the first), with the unit's headline figures;
    for its managers also the link to their register. Three queries whatever the page size."""
    manages = is_unit_manager(request.user, unit)
    if not unit.is_approved and not manages:
        return None
    context = {"unit": unit, "is_unit_manager": manages}
    if unit.is_approved:
        figures = catalogue.unit_figures(unit)
        paginator = Paginator(catalogue.unit_instruments_public(unit), UNIT_PROFILE_PAGE_SIZE)
        paginator.count = figures["instrument_count"]  # counted with the figures, in the same query
        context.update(figures=figures, page=paginator.get_page(request.GET.get("page")))
    return "instruments/panels/unit_profile.html", context
