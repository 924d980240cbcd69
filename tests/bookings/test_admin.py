"""The bureau reads bookings, outages and service records in the admin; nobody edits them there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory

from .factories import BookingFactory, ServiceRecordFactory

pytestmark = pytest.mark.django_db

VIEW = ["view_booking", "view_bookingevent", "view_outage", "view_servicerecord", "view_servicerecordimport"]


def test_the_bureau_group_holds_the_view_permissions_and_no_more(bureau_group):
    held = {(p.content_type.app_label, p.codename) for p in bureau_group.permissions.select_related("content_type")}
    assert {("bookings", codename) for codename in VIEW} == {pair for pair in held if pair[0] == "bookings"}


def test_the_bureau_reads_but_cannot_change(client, officer):
    booking = BookingFactory(starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=1))
    record = ServiceRecordFactory(started_at=timezone.now(), ended_at=timezone.now())
    client.force_login(officer)  # of the bureau group, nothing added by hand
    for url in ("/admin/bookings/booking/", "/admin/bookings/outage/", "/admin/bookings/servicerecord/"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/admin/bookings/booking/{booking.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(f"/admin/bookings/servicerecord/{record.pk}/change/").status_code == 200
    assert client.get("/admin/bookings/booking/add/").status_code == 403


def test_people_without_the_permission_see_nothing(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/bookings/booking/").status_code == 403
