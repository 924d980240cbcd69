"""App configuration for platform_site: the pages and commands that combine the apps."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PlatformSiteConfig(AppConfig):
    name = "platform_site"
    verbose_name = _("Platform")

    # Login lockouts (django-axes): bureau staff see who was locked out and unlock by deleting the
    # attempt.
    bureau_permissions = [
        ("axes", "view_accessattempt"),
        ("axes", "delete_accessattempt"),
        ("axes", "view_accesslog"),
        ("axes", "view_accessfailurelog"),
    ]

    def ready(self):
        from .extensions import ensure_bureau_group

        # Sent once per app that has models (not for this one): the bureau group follows every
        # app's permissions as they are created.
        post_migrate.connect(ensure_bureau_group, dispatch_uid="platform_site.ensure_bureau_group")
