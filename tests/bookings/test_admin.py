"""The bureau reads bookings, outages and service records in the admin; nobody edits them there."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.factories import UserFactory

from .factories import BookingFactory, ServiceRecordFactory

pytestmark = pytest.mark.django_db

VIEW = ["view_booking", "view_bookingevent", "view_outage", "view_servicerecord", "view_servicerecordimport"]


@pytest.fixture
def bureau_reader(officer):
    """An officer holding the view permissions the lead appends to BUREAU_PERMISSIONS."""
    officer.user_permissions.add(*Permission.objects.filter(content_type__app_label="bookings", codename__in=VIEW))
    return officer


def test_the_bureau_reads_but_cannot_change(client, bureau_reader):
    booking = BookingFactory(starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=1))
    record = ServiceRecordFactory(started_at=timezone.now(), ended_at=timezone.now())
    client.force_login(bureau_reader)
    for url in ("/admin/bookings/booking/", "/admin/bookings/outage/", "/admin/bookings/servicerecord/"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/admin/bookings/booking/{booking.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(f"/admin/bookings/servicerecord/{record.pk}/change/").status_code == 200
    assert client.get("/admin/bookings/booking/add/").status_code == 403


def test_people_without_the_permission_see_nothing(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/bookings/booking/").status_code == 403
