"""The reports app's pages: report runs (urls_runs) and duplicate-purchase reviews (urls_review)."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("reports/", include("reports.urls_runs")),
    path("reports/purchase-review/", include("reports.urls_review")),
]
