"""URLs of the instruments pages, one module per area so each can grow on its own."""

from .urls_catalogue import catalogue_urlpatterns
from .urls_import import urlpatterns as import_urls
from .urls_manage import urlpatterns as manage_urls

app_name = "instruments"


def instruments_urlpatterns(**catalogue_options):
    """Every instruments page; ``catalogue_options`` go to ``catalogue_urlpatterns``."""
    return [*catalogue_urlpatterns(**catalogue_options), *manage_urls, *import_urls]


urlpatterns = instruments_urlpatterns()
