"""A unit's profile lists its public instruments, 20 a page, with its headline figures, in a
fixed number of queries; a bad page number gives a page, as in the catalogue."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.models import Instrument
from tests.factories import UnitFactory

from .factories import InstrumentFactory, OpeningHoursFactory

pytestmark = pytest.mark.django_db


def listed(html):
    return re.findall(r'<li>\s*<a href="/[^"]*instruments/(\d+)/"', html)


def profile(client, unit, **params):
    response = client.get(unit.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_profile_lists_the_public_instruments_only_with_the_figures(client, unit, other_unit):
    shown = InstrumentFactory(unit=unit, original_value=Decimal("2276600.00"))
    OpeningHoursFactory(instrument=shown)  # shared externally, bookable, with hours: online booking
    internal = InstrumentFactory(unit=unit, original_value=Decimal("1000000.00"), sharing_mode="internal")
    retired = InstrumentFactory(unit=unit, retired_at="2024-01-01T00:00:00+08:00")
    others = InstrumentFactory(unit=other_unit)
    html = profile(client, unit)
    ids = {int(pk) for pk in listed(html)}
    assert ids == {shown.pk, internal.pk}
    assert retired.pk not in ids and others.pk not in ids
    figure = lambda name: re.search(rf'id="figure-{name}">([^<]*)<', html).group(1)  # noqa: E731
    assert figure("instruments") == "2"
    assert figure("value") == "327.66万元"
    assert figure("online") == "1"


def test_twenty_a_page_and_bad_page_numbers_give_a_page_as_in_the_catalogue(client, unit):
    instruments = [InstrumentFactory(unit=unit) for _ in range(25)]
    newest_first = [str(i.pk) for i in reversed(instruments)]
    assert listed(profile(client, unit)) == newest_first[:20]
    assert listed(profile(client, unit, page=2)) == newest_first[20:]
    assert listed(profile(client, unit, page=99)) == newest_first[20:]  # past the end: the last page
    assert listed(profile(client, unit, page="x")) == newest_first[:20]  # not a number: the first
    assert listed(profile(client, unit, page=-1)) == newest_first[20:]


def test_the_number_of_queries_does_not_grow_with_the_page(client, unit, django_assert_num_queries):
    InstrumentFactory(unit=unit)
    with CaptureQueriesContext(connection) as one:
        profile(client, unit)
    for _ in range(30):
        InstrumentFactory(unit=unit)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(listed(profile(client, unit))) == 20


def test_a_unit_under_review_lists_nothing(client):
    pending = UnitFactory(status="pending")
    InstrumentFactory(unit=pending)
    assert Instrument.objects.filter(unit=pending).exists()
    html = client.get(pending.get_absolute_url()).content.decode()
    assert "unit-instrument-list" not in html
