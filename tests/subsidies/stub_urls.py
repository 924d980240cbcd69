"""The site's URLs, plus stand-ins for subsidy pages the notifications link to that are not yet
installed on this branch (``subsidies:application_detail``, ``subsidies:provider_queue``). Once
the pages exist, this adds nothing."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, URLResolver, include, path, reverse

from platform_site import urls as site
from subsidies import urls as subsidies_urls

PAGES = {
    "application_detail": ("subsidies/applications/<int:pk>/", [1]),
    "provider_queue": ("subsidies/provider/", []),
}


def _stub(request, **kwargs):
    return HttpResponse("stand-in page")


def _missing():
    for name, (route, args) in PAGES.items():
        try:
            reverse(f"subsidies:{name}", args=args, urlconf=site)
        except NoReverseMatch:
            yield path(route, _stub, name=name)


def _is_subsidies(pattern) -> bool:
    return isinstance(pattern, URLResolver) and pattern.app_name == "subsidies"


stubs = list(_missing())
urlpatterns = [
    path("", include(([*subsidies_urls.urlpatterns, *stubs], "subsidies"))) if _is_subsidies(p) else p
    for p in site.urlpatterns
]


def use(settings):
    """Point the test's settings at these URLs (a pytest-django ``settings`` fixture)."""
    settings.ROOT_URLCONF = __name__
