"""platform_site collects what each installed app declares, in INSTALLED_APPS order."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from bookings import demo as bookings_demo
from bookings import panels as bookings_panels
from instruments import demo as instruments_demo
from members import demo as members_demo
from platform_site import extensions
from platform_site.api import router
from reports import demo as reports_demo
from subsidies import demo as subsidies_demo


def test_seeders_come_lowest_layer_first():
    assert extensions.demo_seeders() == [
        members_demo.seed,
        instruments_demo.seed,
        bookings_demo.seed,
        subsidies_demo.seed,
        reports_demo.seed,
    ]


def test_every_apps_viewsets_are_on_the_router():
    prefixes = [prefix for prefix, _viewset, _basename in router.registry]
    assert prefixes[:2] == ["units", "categories"]
    assert {"instruments", "bookings", "service-records"} <= set(prefixes)


def test_two_apps_cannot_take_the_same_beat_entry(monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("bookings"), "beat_schedule", {"notifications-flush": {"task": "x", "schedule": 1.0}}
    )
    with pytest.raises(ImproperlyConfigured, match="notifications-flush"):
        extensions.beat_schedule()


def test_an_app_declaring_nothing_adds_nothing(monkeypatch):
    config = apps.get_app_config("bookings")
    panels_before = extensions.dashboard_panels()
    for attribute in ("dashboard_panel", "demo_seeder", "bureau_permissions"):
        monkeypatch.delattr(type(config), attribute)
    assert bookings_demo.seed not in extensions.demo_seeders()
    assert bookings_panels.dashboard_panel in panels_before
    assert extensions.dashboard_panels() == [p for p in panels_before if p is not bookings_panels.dashboard_panel]
    assert not [pair for pair in extensions.bureau_permissions() if pair[0] == "bookings"]
