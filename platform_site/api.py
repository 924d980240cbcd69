"""The REST API's router: every app registers its viewsets here under /api/v1/."""

from rest_framework.routers import DefaultRouter

from members.api import UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
