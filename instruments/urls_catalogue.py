"""URLs of the instruments catalogue pages."""

from django.urls import path

from . import views_catalogue

urlpatterns = [
    path("instruments/", views_catalogue.catalogue_list, name="catalogue"),
    path("instruments/<int:pk>/", views_catalogue.instrument_detail, name="detail"),
]
