"""App configuration for members."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from .roles import ensure_bureau_group

        # Permissions exist only after migrate has run, so the bureau group is kept in step here.
        post_migrate.connect(ensure_bureau_group, sender=self)
