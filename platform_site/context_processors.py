"""Template context shared by every page."""

from django.conf import settings
from django.utils.translation import gettext as _


def platform(request):
    """The platform's display name (a setting, since every city names its own)."""
    return {"platform_name": settings.PLATFORM_NAME or _("Instrument Commons")}
