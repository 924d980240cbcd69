"""A URLconf for tests while the subsidies pages are not built yet: the site's own URLs, plus stand-ins
for the page names the decision notifications link to (``subsidies:application_detail``,
``subsidies:provider_queue``). ``use_if_needed`` switches to it only for the names that are missing,
so once the pages exist the tests run on the real URLconf and this module is dead weight to delete."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

ROUTES = {
    "application_detail": ("subsidies/applications/<int:pk>/", [1]),
    "provider_queue": ("subsidies/provider/", []),
}


def missing() -> list[str]:
    names = []
    for name, (_route, args) in ROUTES.items():
        try:
            reverse(f"subsidies:{name}", args=args)
        except NoReverseMatch:
            names.append(name)
    return names


def use_if_needed(settings) -> None:
    """Point ``settings.ROOT_URLCONF`` (pytest-django's fixture) here if a page name is missing."""
    if missing():
        settings.ROOT_URLCONF = __name__


def _stand_in(request, **kwargs):
    return HttpResponse("")


def _urlpatterns():
    from platform_site.urls import urlpatterns as site
    from subsidies.urls import urlpatterns as pages

    stand_ins = [path(route, _stand_in, name=name) for name, (route, _args) in ROUTES.items() if name in missing()]
    others = [pattern for pattern in site if getattr(pattern, "namespace", None) != "subsidies"]
    return [path("", include(([*pages, *stand_ins], "subsidies"))), *others]


urlpatterns = _urlpatterns()
