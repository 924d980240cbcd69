"""The REST API's router: every installed app's ``register(router)`` adds its viewsets under /api/v1/,
in INSTALLED_APPS order (each app's AppConfig names it: ``api_register``)."""

from rest_framework.routers import DefaultRouter

from bookings.filters import CatalogueFilter

from . import extensions

# What the site gives an app's registration: the catalogue API filters like the catalogue page
# (platform_site/urls.py), "free between … and …" included.
REGISTER_OPTIONS = {"instruments": {"filterset_class": CatalogueFilter}}

router = DefaultRouter()
for label, register in extensions.api_registrations():
    register(router, **REGISTER_OPTIONS.get(label, {}))
