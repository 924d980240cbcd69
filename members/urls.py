"""URLs of the members pages."""

from django.urls import path

from . import views

app_name = "members"


def members_urlpatterns(*, unit_profile_panels=()):
    """The members pages; the site adds the apps' panels to a unit's profile (platform_site/urls.py)."""
    return [
        path("signup/", views.signup, name="signup"),
        path("notifications/", views.notifications, name="notifications"),
        path("account/", views.account_settings, name="account"),
        path("units/", views.unit_list, name="unit_list"),
        path("units/register/", views.unit_register, name="unit_register"),
        path("units/join/", views.unit_join, name="unit_join"),
        path("units/<int:pk>/", views.unit_profile, {"panels": tuple(unit_profile_panels)}, name="unit_profile"),
        path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
        path("units/<int:pk>/people/", views.unit_people, name="unit_people"),
        path(
            "units/<int:pk>/people/<int:membership_pk>/<slug:action>/",
            views.membership_action,
            name="membership_action",
        ),
    ]


urlpatterns = members_urlpatterns()
