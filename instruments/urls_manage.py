"""URLs of the registry pages for a unit's instrument managers."""

from django.urls import path

from . import views_manage as views

urlpatterns = [
    path("units/<int:unit_pk>/instruments/", views.manage_list, name="manage_list"),
    path("units/<int:unit_pk>/instruments/new/", views.manage_create, name="manage_create"),
    path("instruments/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("instruments/<int:pk>/status/", views.manage_status, name="manage_status"),
    path("instruments/<int:pk>/retire/", views.manage_retire, name="manage_retire"),
    path("instruments/<int:pk>/history/", views.manage_history, name="manage_history"),
    path("instruments/<int:pk>/photos/", views.manage_photos, name="manage_photos"),
    path("instruments/<int:pk>/photos/<int:photo_pk>/remove/", views.manage_photo_remove, name="manage_photo_remove"),
]
