"""Pages that combine the apps: the home page."""

from django.shortcuts import render

from instruments.catalogue import headline_figures


def home(request):
    """The platform's front page: its headline figures, computed from the database, and a search
    box into the catalogue."""
    return render(request, "home.html", headline_figures())
