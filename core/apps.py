"""App configuration for core (installed so its template filters and translations load)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.core.signals import request_started

        from .broker import broker_reset

        # Each request tries the broker afresh; a failure then holds for the rest of the request.
        request_started.connect(broker_reset, dispatch_uid="core.broker.broker_reset")
