"""The public catalogue page and API offer "free between … and … for at least N hours", and the
instrument page leads to the booking calendar."""

import pytest
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from .conftest import hold, local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture
def params(wed):
    return {"free_from": f"{wed}T08:00", "free_to": f"{wed}T18:00", "min_hours": "5"}


def test_catalogue_page_lists_only_instruments_with_such_a_gap(client, fleet, wed, params):
    hold(fleet["morning-busy"], local_dt(wed, 8, 30), local_dt(wed, 13, 0))
    html = client.get(reverse("instruments:catalogue"), params).content.decode()
    assert "idle" in html and "morning-busy" not in html and "closed-wed" not in html
    # without the period every public instrument is listed
    html = client.get(reverse("instruments:catalogue")).content.decode()
    assert "morning-busy" in html and "closed-wed" in html


def test_catalogue_api_takes_the_same_parameters(fleet, wed, params):
    hold(fleet["morning-busy"], local_dt(wed, 8, 30), local_dt(wed, 13, 0))
    names = {r["name"] for r in APIClient().get("/api/v1/instruments/", params).json()["results"]}
    assert {"idle", "fragmented", "outage"} <= names
    assert not names & {"morning-busy", "closed-wed", "short-hours", "no-hours"}
    bad = APIClient().get("/api/v1/instruments/", {**params, "free_to": f"{wed}T07:00"})
    assert bad.status_code == 400 and "free_to" in bad.json()["fields"]


def test_instrument_page_links_to_the_booking_calendar(client, instrument):
    html = client.get(instrument.get_absolute_url()).content.decode()
    assert reverse("bookings:calendar", args=[instrument.pk]) in html


def test_unshared_instrument_offers_no_booking(client, instrument):
    instrument.sharing_mode = "none"
    instrument.save()
    html = client.get(instrument.get_absolute_url()).content.decode()
    assert reverse("bookings:calendar", args=[instrument.pk]) not in html


def test_platform_site_gives_the_free_gap_filter_to_the_instruments_page_and_api():
    """The instruments app alone searches with InstrumentFilter; the site widens it."""
    from bookings.filters import CatalogueFilter
    from instruments.api import InstrumentViewSet
    from instruments.filters import InstrumentFilter
    from instruments.urls import urlpatterns as instruments_alone
    from platform_site.api import router

    assert resolve(reverse("instruments:catalogue")).kwargs["filterset_class"] is CatalogueFilter
    assert resolve("/instruments/1/").kwargs["template_name"] == "bookings/instrument_detail.html"
    catalogue = next(p for p in instruments_alone if p.name == "catalogue")
    assert catalogue.default_args["filterset_class"] is InstrumentFilter
    viewset = next(v for prefix, v, _basename in router.registry if prefix == "instruments")
    assert issubclass(viewset, InstrumentViewSet) and viewset.filterset_class is CatalogueFilter
    assert InstrumentViewSet.filterset_class is InstrumentFilter
