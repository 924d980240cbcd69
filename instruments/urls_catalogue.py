"""URLs of the instruments catalogue pages."""

from django.urls import path

from . import views_catalogue
from .filters import InstrumentFilter


def catalogue_urlpatterns(*, filterset_class=InstrumentFilter, detail_template=views_catalogue.DETAIL_TEMPLATE):
    """The catalogue and the instrument page; the site may widen their filters and the page
    (platform_site/urls.py gives the ones of the apps above)."""
    return [
        path("instruments/", views_catalogue.catalogue_list, {"filterset_class": filterset_class}, name="catalogue"),
        path(
            "instruments/<int:pk>/",
            views_catalogue.instrument_detail,
            {"template_name": detail_template},
            name="detail",
        ),
    ]


urlpatterns = catalogue_urlpatterns()
