"""Who may use the registry pages: the unit's managers and administrators, and nobody else.

Everyone else gets the same 404 as for an instrument that does not exist (never a 403 that
would confirm it does), including managers of another unit and people of units that are pending,
suspended or rejected.
"""

import re

import pytest
from django.http import Http404, HttpRequest
from django.urls import reverse

from instruments import selectors
from instruments.models import Instrument, Photo
from tests.factories import PASSWORD, MembershipFactory, UnitFactory, UserFactory

from .factories import InstrumentFactory

pytestmark = pytest.mark.django_db

UNIT_PAGES = ["manage_list", "manage_create"]
INSTRUMENT_PAGES = ["manage_edit", "manage_status", "manage_retire", "manage_history", "manage_photos"]
ALLOWED = {"manager", "admin"}


@pytest.fixture
def people(unit, officer):
    other = UnitFactory()
    return {
        "outsider": UserFactory(),
        "pending_joiner": MembershipFactory(unit=unit, status="pending", role="manager").user,
        "member": MembershipFactory(unit=unit, role="member").user,
        "manager": MembershipFactory(unit=unit, role="manager").user,
        "admin": MembershipFactory(unit=unit, role="admin").user,
        "manager_of_other_unit": MembershipFactory(unit=other, role="manager").user,
        "admin_of_other_unit": MembershipFactory(unit=other, role="admin").user,
        "staff_not_bureau": UserFactory(is_staff=True),
        "bureau": officer,
    }


def urls(unit, instrument):
    return {
        **{name: reverse(f"instruments:{name}", args=[unit.pk]) for name in UNIT_PAGES},
        **{name: reverse(f"instruments:{name}", args=[instrument.pk]) for name in INSTRUMENT_PAGES},
    }


def test_page_matrix_on_an_approved_unit(client, unit, people):
    instrument = InstrumentFactory(unit=unit)
    for role, user in people.items():
        client.force_login(user)
        for name, url in urls(unit, instrument).items():
            expected = 200 if role in ALLOWED else 404
            assert client.get(url).status_code == expected, f"{role} GET {name}"


def test_anonymous_visitors_are_sent_to_log_in(client, unit):
    instrument = InstrumentFactory(unit=unit)
    for name, url in urls(unit, instrument).items():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("status", ["pending", "suspended", "rejected"])
def test_managers_of_units_that_are_not_approved_get_404(client, status):
    unit = UnitFactory(status="approved")
    instrument = InstrumentFactory(unit=unit)
    manager = MembershipFactory(unit=unit, role="manager").user
    admin = MembershipFactory(unit=unit, role="admin").user
    unit.status = status
    unit.save()
    for user in (manager, admin):
        client.force_login(user)
        for name, url in urls(unit, instrument).items():
            assert client.get(url).status_code == 404, f"{status} unit, {name}"


def test_a_manager_of_unit_a_cannot_change_unit_bs_instrument_through_the_pages(client, people, other_unit):
    theirs = InstrumentFactory(unit=other_unit, name="别人的仪器")
    photo = Photo.objects.create(instrument=theirs, image="instruments/x.jpg")
    client.force_login(people["manager"])
    posts = {
        reverse("instruments:manage_edit", args=[theirs.pk]): {"name": "改掉"},
        reverse("instruments:manage_status", args=[theirs.pk]): {"operating_status": "standby"},
        reverse("instruments:manage_retire", args=[theirs.pk]): {"reason": "抢先报废"},
        reverse("instruments:manage_photos", args=[theirs.pk]): {},
        reverse("instruments:manage_photo_remove", args=[theirs.pk, photo.pk]): {},
        reverse("instruments:manage_create", args=[other_unit.pk]): {"name": "塞进去"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    theirs.refresh_from_db()
    assert theirs.name == "别人的仪器" and theirs.operating_status == "normal" and not theirs.is_retired
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert Instrument.objects.filter(unit=other_unit).count() == 1


def test_missing_and_forbidden_look_the_same(client, unit, people):
    instrument = InstrumentFactory(unit=unit)
    missing_pk = Instrument.objects.order_by("-pk").first().pk + 100
    client.force_login(people["manager_of_other_unit"])
    forbidden = client.get(reverse("instruments:manage_edit", args=[instrument.pk]))
    missing = client.get(reverse("instruments:manage_edit", args=[missing_pk]))
    assert forbidden.status_code == missing.status_code == 404

    def page(response, pk):
        """The page without what differs by construction: the visitor's CSRF token (masked afresh
        for each page) and the address asked for (the language switch returns to it)."""
        content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
        return content.replace(reverse("instruments:manage_edit", args=[pk]).encode(), b"<address>")

    assert page(forbidden, instrument.pk) == page(missing, missing_pk)


def test_access_functions(unit, people):
    instrument = InstrumentFactory(unit=unit)
    for role in ("manager", "admin"):
        assert selectors.instrument_get_for_manager(user=people[role], pk=instrument.pk) == instrument
        assert selectors.unit_get_for_instrument_manager(user=people[role], pk=unit.pk) == unit
    for role in set(people) - ALLOWED:
        with pytest.raises(Http404):
            selectors.instrument_get_for_manager(user=people[role], pk=instrument.pk)
        with pytest.raises(Http404):
            selectors.unit_get_for_instrument_manager(user=people[role], pk=unit.pk)
    with pytest.raises(Http404):
        selectors.instrument_get_for_manager(user=people["manager"], pk=instrument.pk + 999)


def test_a_photo_is_reached_only_through_its_own_instrument(unit):
    mine, other = InstrumentFactory(unit=unit), InstrumentFactory(unit=unit)
    photo = Photo.objects.create(instrument=other, image="instruments/x.jpg")
    with pytest.raises(Http404):
        selectors.photo_get_for_manager(instrument=mine, pk=photo.pk)
    assert selectors.photo_get_for_manager(instrument=other, pk=photo.pk) == photo


def test_login_with_password_then_the_matrix_holds(client, people, unit):
    """The same through a real log-in (sessions, not force_login)."""
    instrument = InstrumentFactory(unit=unit)
    assert client.login(request=HttpRequest(), email=people["member"].email, password=PASSWORD)
    assert client.get(reverse("instruments:manage_edit", args=[instrument.pk])).status_code == 404
    assert client.login(request=HttpRequest(), email=people["manager"].email, password=PASSWORD)
    assert client.get(reverse("instruments:manage_edit", args=[instrument.pk])).status_code == 200
