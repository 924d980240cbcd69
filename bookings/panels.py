"""The bookings app's part of the pages that platform_site composes (see core/panels.py)."""

from datetime import timedelta

from django.utils import timezone

from members.selectors import unit_ids_managed_by

from .models import ServiceRecord

RECENT_SERVICES_DAYS = 365


def dashboard_panel(request):
    """The person's bookings and calendar feeds; for those who manage a unit, also its booking
    requests and service records."""
    manages = unit_ids_managed_by(request.user).exists()
    return "bookings/panels/dashboard.html", {"manages_instruments": manages}


def unit_profile_panel(request, unit):
    """How many services the unit's instruments gave in the last 12 months (service records,
    begun in that time); nothing while the unit is not approved. One query."""
    if not unit.is_approved:
        return None
    since = timezone.now() - timedelta(days=RECENT_SERVICES_DAYS)
    count = ServiceRecord.objects.provided_by(unit).started_since(since).count()
    return "bookings/panels/unit_profile.html", {"recent_service_count": count}
