"""URLs of the instruments import pages and the exports."""

from django.urls import path

from . import views_import as views

urlpatterns = [
    path("units/<int:unit_pk>/instruments/import/", views.import_start, name="import_start"),
    path("units/<int:unit_pk>/instruments/import/<int:pk>/", views.import_detail, name="import_detail"),
    path("units/<int:unit_pk>/instruments/import/<int:pk>/status/", views.import_status, name="import_status"),
    path("units/<int:unit_pk>/instruments/import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("units/<int:unit_pk>/instruments/import/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("units/<int:unit_pk>/instruments/export.<slug:fmt>", views.export, name="export"),
    path("instruments/import-template.<slug:fmt>", views.template, name="template"),
    path("instruments/registry/export.<slug:fmt>", views.registry_export, name="registry_export"),
]
