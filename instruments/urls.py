"""URLs of the instruments pages, one module per area so each can grow on its own."""

from .urls_catalogue import urlpatterns as catalogue_urls
from .urls_import import urlpatterns as import_urls
from .urls_manage import urlpatterns as manage_urls

app_name = "instruments"

urlpatterns = [*catalogue_urls, *manage_urls, *import_urls]
