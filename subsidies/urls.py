"""URLs of the subsidies pages."""

from django.urls import path

from . import views

app_name = "subsidies"

urlpatterns = [
    path("subsidies/evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
