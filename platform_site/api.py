"""The REST API's router: each app's ``api.register(router)`` adds its viewsets under /api/v1/."""

from django.utils.module_loading import import_string
from rest_framework.routers import DefaultRouter

API_MODULES = ["members.api", "instruments.api", "bookings.api"]

router = DefaultRouter()
for module in API_MODULES:
    import_string(f"{module}.register")(router)
