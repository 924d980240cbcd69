"""What each installed app adds to the platform, collected in ``INSTALLED_APPS`` order.

An app declares its additions as attributes of its ``AppConfig`` (``bookings/apps.py`` has them all):

- ``bureau_permissions``: ``(app_label, codename)`` pairs that the bureau staff group holds;
- ``beat_schedule``: entries of the Celery beat schedule (``platform_site/celery.py``);
- ``demo_seeder``: dotted path of ``seed(stdout=None)``, run by ``manage.py seed_demo``;
- ``api_register``: dotted path of ``register(router, **options)``, adding its viewsets to /api/v1/;
- ``dashboard_panel``: dotted path of ``panel(request)``, a part of the signed-in dashboard;
- ``unit_profile_panel``: dotted path of ``panel(request, unit)``, a part of a unit's profile page;
- ``booking_panel``: dotted path of ``panel(request, instrument, proposal)``, a part of the booking
  page (``bookings.views.calendar.Proposal``: the units, the form's data and the estimate);
- ``service_record_panel``: dotted path of ``panel(request, record)``, a part of a service record's page;
- ``home_panel``: dotted path of ``panel(request)``, a part of the public home page (figures, charts).

A panel returns ``(template_name, context)`` or ``None`` (see ``core/panels.py``). Nothing here
names an app: adding one is adding it to ``INSTALLED_APPS`` and its URLs to ``platform_site/urls.py``.
"""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from members import roles


def _declared(attribute):
    """``(app config, value)`` of every installed app that declares ``attribute``."""
    for config in apps.get_app_configs():
        value = getattr(config, attribute, None)
        if value:
            yield config, value


def _imported(attribute) -> list:
    return [import_string(dotted) for _config, dotted in _declared(attribute)]


def bureau_permissions() -> list[tuple[str, str]]:
    return [pair for _config, pairs in _declared("bureau_permissions") for pair in pairs]


def ensure_bureau_group(**kwargs):
    """Give the bureau group exactly every installed app's ``bureau_permissions``; safe to repeat.

    Connected to ``post_migrate`` for every app (``platform_site/apps.py``): each app's permissions
    exist only once its own ``post_migrate`` has run, so the last call sees them all."""
    return roles.ensure_bureau_group(permissions=bureau_permissions())


def beat_schedule() -> dict:
    schedule = {}
    for config, entries in _declared("beat_schedule"):
        taken = schedule.keys() & entries.keys()
        if taken:
            raise ImproperlyConfigured(f"{config.label} declares beat entries already taken: {sorted(taken)}.")
        schedule.update(entries)
    return schedule


def demo_seeders() -> list:
    """Each app's seeder, lowest layer first (each needs the data of the apps below it)."""
    return _imported("demo_seeder")


def api_registrations() -> list[tuple[str, object]]:
    """``(app label, register)`` of every app that has an API."""
    return [(config.label, import_string(dotted)) for config, dotted in _declared("api_register")]


def dashboard_panels() -> list:
    return _imported("dashboard_panel")


def unit_profile_panels() -> list:
    return _imported("unit_profile_panel")


def booking_panels() -> list:
    return _imported("booking_panel")


def service_record_panels() -> list:
    return _imported("service_record_panel")


def home_panels() -> list:
    return _imported("home_panel")
