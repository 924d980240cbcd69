"""Top-level URLs: pages, the admin, the API and its schema.

Each app's URLs are included here, lowest layer first; where a lower app's page shows what a
higher app adds, the higher app's part is given to it here (filters, templates, panels).
"""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bookings.filters import CatalogueFilter
from bookings.urls import bookings_urlpatterns
from instruments.urls import instruments_urlpatterns
from members.urls import members_urlpatterns

from . import extensions, views
from .api import router
from .api_errors import api_not_found
from .lockout import LockedTokenView

members_urls = members_urlpatterns(unit_profile_panels=extensions.unit_profile_panels())
bookings_urls = bookings_urlpatterns(
    booking_panels=extensions.booking_panels(), service_record_panels=extensions.service_record_panels()
)
instruments_urls = instruments_urlpatterns(
    filterset_class=CatalogueFilter, detail_template="bookings/instrument_detail.html"
)

urlpatterns = [
    # The trivial endpoint (the benchmarks' baseline); /health/ checks the database and Redis.
    path("healthz/", lambda request: HttpResponse("ok", content_type="text/plain"), name="healthz"),
    path("health/", views.health, name="health"),
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("", include((members_urls, "members"))),
    path("", include((instruments_urls, "instruments"))),
    path("", include((bookings_urls, "bookings"))),
    path("", include("subsidies.urls")),
    path("", include("reports.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", LockedTokenView.as_view(), name="api-token"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(router.urls)),
    # Last under /api/: a URL that names no operation answers the API's JSON 404, not the HTML page.
    re_path(r"^api/", api_not_found, name="api-not-found"),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]
