"""A unit's profile shows how many services its instruments gave in the last 12 months."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UnitFactory

from .factories import InstrumentFactory, ServiceRecordFactory

pytestmark = pytest.mark.django_db


def test_the_profile_counts_the_services_of_the_last_12_months(client, instrument, owner_unit):
    now = timezone.now()

    def record(on, days_ago):
        start = now - timedelta(days=days_ago)
        return ServiceRecordFactory(instrument=on, started_at=start, ended_at=start + timedelta(hours=2))

    record(instrument, 3)
    record(instrument, 200)
    record(instrument, 400)  # over a year ago
    record(InstrumentFactory(unit=UnitFactory()), 3)  # another unit's
    html = client.get(owner_unit.get_absolute_url()).content.decode()
    assert re.search(r'id="figure-services">([^<]*)<', html).group(1) == "2"
