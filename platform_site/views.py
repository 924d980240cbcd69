"""Pages that combine the apps: the home page."""

from django.shortcuts import render

from members.models import Unit


def home(request):
    """The platform's front page with its headline figures."""
    return render(request, "home.html", {"unit_count": Unit.objects.approved().count()})
