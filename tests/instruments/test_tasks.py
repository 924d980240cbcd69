"""Scheduled work of the instruments app."""

import pytest

from instruments import services
from instruments.models import Instrument
from instruments.search import search_filter
from instruments.tasks import search_documents_refresh_task
from members import services as member_services
from tests.factories import MembershipFactory

from .test_services import record

pytestmark = pytest.mark.django_db


def test_a_renamed_unit_is_found_by_its_new_name_after_the_nightly_refresh(unit, manager):
    instrument = services.instrument_create(actor=manager, unit=unit, fields=record())
    admin = MembershipFactory(unit=unit, role="admin").user
    member_services.unit_update(actor=admin, unit=unit, name="包头新材料测试研究院")

    def found(query):
        return list(search_filter(Instrument.objects.all(), query))

    assert found("新材料测试研究院") == []  # the document still carries the old name
    assert search_documents_refresh_task.delay().get() == 1
    assert found("新材料测试研究院") == [instrument]
    assert search_documents_refresh_task.delay().get() == 0  # nothing left to change
