"""Pages that combine the apps: the home page and the signed-in dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.panels import render_panels
from instruments.catalogue import headline_figures

from . import extensions


def home(request):
    """The platform's front page: its headline figures, computed from the database, and a search
    box into the catalogue."""
    panels = render_panels(extensions.home_panels(), request)
    return render(request, "home.html", {**headline_figures(), "panels": panels})


@login_required
def dashboard(request):
    """The signed-in person's workspace: each installed app's panel, in INSTALLED_APPS order
    (their AppConfigs' ``dashboard_panel``)."""
    return render(request, "dashboard.html", {"panels": render_panels(extensions.dashboard_panels(), request)})
