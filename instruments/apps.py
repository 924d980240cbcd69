"""App configuration for instruments, with what it adds to the platform (see platform_site/extensions.py)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "instruments"
    verbose_name = _("Instruments")

    # The bureau reads the registry and keeps the classification.
    bureau_permissions = [
        ("instruments", "view_instrument"),
        ("instruments", "view_feeitem"),
        ("instruments", "view_openinghours"),
        ("instruments", "view_photo"),
        ("instruments", "view_category"),
        ("instruments", "add_category"),
        ("instruments", "change_category"),
        ("instruments", "view_importjob"),
    ]
    beat_schedule = {
        # Daily: search documents follow renamed owner units.
        "search-documents-refresh": {"task": "instruments.tasks.search_documents_refresh_task", "schedule": 86400.0},
    }
    demo_seeder = "instruments.demo.seed"
    api_register = "instruments.api.register"
    dashboard_panel = "instruments.panels.dashboard_panel"
    unit_profile_panel = "instruments.panels.unit_profile_panel"

    def ready(self):
        from members.models import District, Unit

        from .invalidation import connect_migrations, connect_signals
        from .models import Category, FeeItem, Instrument, OpeningHours, Photo

        # What the catalogue's pages show (instruments/invalidation.py).
        connect_signals(Instrument, Photo, FeeItem, OpeningHours, Category, Unit, District)
        connect_migrations(self)
