"""The pages composed by platform_site: the dashboard shows each installed app's panel."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

BOOKINGS_FOR_EVERYONE = ("bookings:my_bookings", "bookings:feeds")
BOOKINGS_FOR_MANAGERS = ("bookings:requests", "bookings:record_list")


def dashboard(client, user):
    client.force_login(user)
    return client.get(reverse("dashboard")).content.decode()


def test_the_dashboard_is_for_signed_in_people(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_manager_sees_every_apps_panel(client):
    unit = UnitFactory(name="内蒙古科技大学")
    other = UnitFactory(name="包头稀土研究院")
    user = MembershipFactory(unit=unit, role="manager").user
    MembershipFactory(user=user, unit=other, role="admin")
    html = dashboard(client, user)
    assert 'id="units-panel"' in html and "内蒙古科技大学" in html  # members
    assert 'id="instruments-panel"' in html  # instruments: one link per managed unit
    for managed in (unit, other):
        assert reverse("instruments:manage_list", args=[managed.pk]) in html
    for name in BOOKINGS_FOR_EVERYONE + BOOKINGS_FOR_MANAGERS:  # bookings
        assert reverse(name) in html, name


def test_a_plain_member_sees_no_management_links(client):
    unit = UnitFactory()
    user = MembershipFactory(unit=unit, role="member").user
    html = dashboard(client, user)
    assert 'id="units-panel"' in html and unit.name in html
    assert 'id="instruments-panel"' not in html
    assert reverse("instruments:manage_list", args=[unit.pk]) not in html
    for name in BOOKINGS_FOR_EVERYONE:
        assert reverse(name) in html, name
    for name in BOOKINGS_FOR_MANAGERS:
        assert reverse(name) not in html, name


def test_the_panels_come_in_installed_apps_order(client):
    user = MembershipFactory(role="manager").user
    html = dashboard(client, user)
    assert html.index('id="units-panel"') < html.index('id="instruments-panel"') < html.index('id="bookings-panel"')


def test_dashboard_query_count_does_not_grow_with_the_units(client, django_assert_num_queries):
    user = UserFactory()
    MembershipFactory(user=user, role="manager")
    client.force_login(user)
    client.get(reverse("dashboard"))  # warm up the session
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dashboard"))
    for role in ("admin", "member", "manager", "manager"):
        MembershipFactory(user=user, role=role)
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get(reverse("dashboard")).content.decode()
    assert sum(reverse("instruments:manage_list", args=[m.unit_id]) in html for m in user.memberships.all()) == 4


def test_signing_in_and_signing_up_lead_to_the_dashboard(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("members:signup"))
    assert response.status_code == 302 and response.url == reverse("dashboard")


def test_the_unit_profile_shows_the_instruments_panel(client):
    unit = UnitFactory()
    catalogue_link = f"{reverse('instruments:catalogue')}?unit={unit.pk}"
    manage_link = reverse("instruments:manage_list", args=[unit.pk])
    html = client.get(unit.get_absolute_url()).content.decode()
    assert catalogue_link in html and manage_link not in html
    client.force_login(MembershipFactory(unit=unit, role="manager").user)
    html = client.get(unit.get_absolute_url()).content.decode()
    assert catalogue_link in html and manage_link in html


def test_a_unit_under_review_has_no_instruments_panel(client):
    pending = UnitFactory(status="pending")
    client.force_login(MembershipFactory(unit=pending, role="admin").user)
    html = client.get(pending.get_absolute_url()).content.decode()
    assert "unit=" not in html and reverse("instruments:manage_list", args=[pending.pk]) not in html


# --- the health endpoint -----------------------------------------------------------------------


@pytest.mark.django_db
def test_health_says_the_database_answers(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured"}}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_fails_with_503_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")


@pytest.mark.django_db
def test_health_checks_a_real_redis(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/health/")
    assert response.status_code == 200 and response.json()["checks"]["redis"] == "ok"
