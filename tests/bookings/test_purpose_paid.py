"""What a service was for (subsidies count research and development only) and the user's payment:
set on completion, on entry and by the import (R&D by default, an unknown purpose a row error);
marked paid by the owner's managers only, never in the future; shown on the record page and in the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bookings import services
from bookings.availability import local
from bookings.exceptions import DomainError, PermissionDenied
from bookings.models import ServicePurpose, ServiceRecord, ServiceRecordImport
from tests.factories import UserFactory

from .conftest import local_dt
from .factories import BookingFactory, ServiceRecordFactory, member_of
from .test_importing import HEADER, confirm, csv_file, row, start

pytestmark = pytest.mark.django_db
PAST = {"开始时间": "2025-01-05 09:00", "结束时间": "2025-01-05 12:00"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def yesterday():
    return local(timezone.now()).date() - timedelta(days=1)


@pytest.fixture
def booking(instrument, requester, yesterday):
    """An approved booking of yesterday 09:00–11:00, ready to be completed."""
    return BookingFactory(
        instrument=instrument,
        requester=requester,
        unit=requester.memberships.get().unit,
        starts_at=local_dt(yesterday, 9),
        ends_at=local_dt(yesterday, 11),
        status="approved",
    )


@pytest.fixture
def record(instrument, enterprise, yesterday):
    return ServiceRecordFactory(
        instrument=instrument,
        started_at=local_dt(yesterday, 9),
        ended_at=local_dt(yesterday, 11),
        user_unit=enterprise,
        amount=Decimal("800.00"),
    )


def complete(manager, booking, **extra):
    return services.booking_complete(
        actor=manager,
        booking=booking,
        actual_start=booking.starts_at,
        actual_end=booking.ends_at,
        preparation_hours=Decimal("0"),
        measurement_hours=Decimal("2"),
        post_processing_hours=Decimal("0"),
        sample_count=2,
        **extra,
    )


# --- Purpose ------------------------------------------------------------------------------------


def test_completing_a_booking_stores_the_purpose_given(manager, booking):
    record = complete(manager, booking, purpose=ServicePurpose.CERTIFICATION)
    record.refresh_from_db()
    assert record.purpose == "certification"
    assert record.get_purpose_display() == "Statutory certification (法定认证)"


def test_a_completion_without_a_purpose_is_research_and_development(manager, booking):
    record = complete(manager, booking)
    assert ServiceRecord.objects.get(pk=record.pk).purpose == ServicePurpose.RD
    assert (record.paid_on, record.invoice_number) == (None, "")


def test_an_unknown_purpose_is_refused(manager, booking):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        complete(manager, booking, purpose="tourism")
    assert not ServiceRecord.objects.exists()


def test_the_completion_page_stores_the_chosen_purpose_and_defaults_to_rd(client, manager, booking, instrument):
    client.force_login(manager)
    data = {
        "actual_start": f"{local(booking.starts_at):%Y-%m-%dT%H:%M}",
        "actual_end": f"{local(booking.ends_at):%Y-%m-%dT%H:%M}",
        "preparation_hours": "0",
        "measurement_hours": "2",
        "post_processing_hours": "0",
        "sample_count": "2",
        "purpose": "medical",
    }
    html = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()
    assert 'name="purpose"' in html and 'value="rd" selected' in html
    assert client.post(reverse("bookings:action", args=[booking.pk, "complete"]), data).status_code == 302
    assert ServiceRecord.objects.get().purpose == "medical"

    other = BookingFactory(
        instrument=instrument,
        requester=booking.requester,
        unit=booking.unit,
        starts_at=booking.starts_at - timedelta(days=1),
        ends_at=booking.ends_at - timedelta(days=1),
        status="approved",
    )
    del data["purpose"]  # an older form: research and development
    data["actual_start"] = f"{local(other.starts_at):%Y-%m-%dT%H:%M}"
    data["actual_end"] = f"{local(other.ends_at):%Y-%m-%dT%H:%M}"
    client.post(reverse("bookings:action", args=[other.pk, "complete"]), data)
    assert ServiceRecord.objects.get(booking=other).purpose == ServicePurpose.RD


def test_the_api_completion_takes_a_purpose_and_the_record_shows_it(manager, booking):
    api = APIClient()
    api.force_authenticate(manager)
    done = {
        "actual_start": local(booking.starts_at).isoformat(),
        "actual_end": local(booking.ends_at).isoformat(),
        "measurement_hours": "2",
        "sample_count": 2,
        "purpose": "commercial",
    }
    assert api.post(f"/api/v1/bookings/{booking.pk}/complete/", done, format="json").status_code == 200
    record = api.get("/api/v1/service-records/").json()["results"][0]
    assert (record["purpose"], record["paid_on"], record["invoice_number"]) == ("commercial", None, "")
    bad = api.post(f"/api/v1/bookings/{booking.pk}/complete/", {**done, "purpose": "tourism"}, format="json")
    assert bad.status_code == 400


def test_a_record_entered_by_hand_keeps_its_purpose(client, manager, instrument, enterprise, yesterday):
    client.force_login(manager)
    data = {
        "instrument": instrument.pk,
        "started_at": f"{yesterday}T09:00",
        "ended_at": f"{yesterday}T11:00",
        "service_content": "委托检测",
        "service_way": "commission",
        "purpose": "enforcement",
        "preparation_hours": "0",
        "measurement_hours": "2",
        "post_processing_hours": "0",
        "sample_count": "1",
        "user_name": "王工",
        "user_unit": enterprise.pk,
        "funding_source": "none",
    }
    assert client.post(reverse("bookings:record_create"), data).status_code == 302
    assert ServiceRecord.objects.get().purpose == "enforcement"
    record = services.service_record_create(
        actor=manager,
        instrument=instrument,
        started_at=local_dt(yesterday, 13),
        ended_at=local_dt(yesterday, 14),
        service_content="委托检测",
        user_name="王工",
        user_unit=enterprise,
    )
    assert record.purpose == ServicePurpose.RD


# --- Import -------------------------------------------------------------------------------------


def test_the_import_reads_the_purpose_by_label_or_code_and_the_payment_date(
    instrument, manager, django_capture_on_commit_callbacks
):
    rows = [
        row(instrument.asset_number, 服务用途="法定认证"),
        row(instrument.asset_number, 服务用途="Medical", 付款日期="2025-01-08", **PAST),
        row(instrument.asset_number),  # no purpose: research and development
    ]
    job = start(django_capture_on_commit_callbacks, actor=manager, unit=instrument.unit, upload=csv_file(rows))
    assert (job.to_create, job.error_count) == (3, 0)
    confirm(django_capture_on_commit_callbacks, actor=manager, job=job)
    stored = list(ServiceRecord.objects.order_by("pk").values_list("purpose", "paid_on"))
    assert stored == [("certification", None), ("medical", date(2025, 1, 8)), ("rd", None)]


def test_a_file_without_the_new_columns_imports_as_research_and_development(
    instrument, manager, django_capture_on_commit_callbacks
):
    header = [h for h in HEADER if h not in ("服务用途", "付款日期")]
    values = row(instrument.asset_number)[: len(header)]
    job = start(
        django_capture_on_commit_callbacks,
        actor=manager,
        unit=instrument.unit,
        upload=csv_file([values], header=header),
    )
    assert (job.status, job.to_create) == (ServiceRecordImport.Status.VALIDATED, 1)
    confirm(django_capture_on_commit_callbacks, actor=manager, job=job)
    assert ServiceRecord.objects.get().purpose == ServicePurpose.RD


def test_an_unknown_purpose_or_a_bad_payment_date_is_a_row_error(
    instrument, manager, django_capture_on_commit_callbacks
):
    rows = [
        row(instrument.asset_number, 服务用途="体检"),
        row(instrument.asset_number, 付款日期="下周"),
        row(instrument.asset_number, 付款日期="2025-01-04", **PAST),  # before the service started
        row(instrument.asset_number, 付款日期="2099-01-08"),  # in the future
        row(instrument.asset_number),
    ]
    job = start(django_capture_on_commit_callbacks, actor=manager, unit=instrument.unit, upload=csv_file(rows))
    assert (job.to_create, job.error_count) == (1, 4)
    errors = [(e["row"], e["column"]) for e in job.report["errors"]]
    assert errors == [(2, "服务用途"), (3, "付款日期"), (4, "付款日期"), (5, "付款日期")]
    assert "unknown purpose “体检”" in job.report["errors"][0]["message"]
    assert "研发" in job.report["errors"][0]["message"]
    assert "before the service started" in job.report["errors"][2]["message"]
    assert "future" in job.report["errors"][3]["message"]


# --- Payment ------------------------------------------------------------------------------------


def test_a_manager_marks_a_record_paid_and_the_history_keeps_it(manager, record, yesterday):
    paid = services.service_record_mark_paid(
        actor=manager, record=record, paid_on=yesterday, invoice_number=" 37020001-000123 "
    )
    record.refresh_from_db()
    assert (record.paid_on, record.invoice_number) == (yesterday, "37020001-000123")
    assert paid.paid_on == yesterday
    last = record.history.first()
    assert (last.history_change_reason, last.history_user, last.paid_on) == ("paid", manager, yesterday)


def test_only_the_owners_managers_may_mark_paid(record, yesterday, requester, owner_unit):
    for outsider in (UserFactory(), requester, member_of(owner_unit, name="普通成员")):
        with pytest.raises(PermissionDenied):
            services.service_record_mark_paid(actor=outsider, record=record, paid_on=yesterday)
    record.refresh_from_db()
    assert record.paid_on is None


def test_a_payment_date_in_the_future_or_before_the_service_is_refused(manager, record, yesterday):
    with pytest.raises(DomainError, match="future"):
        services.service_record_mark_paid(actor=manager, record=record, paid_on=yesterday + timedelta(days=2))
    with pytest.raises(DomainError, match="before the service started"):
        services.service_record_mark_paid(actor=manager, record=record, paid_on=yesterday - timedelta(days=1))
    record.refresh_from_db()
    assert record.paid_on is None


def test_the_record_page_shows_purpose_and_payment_and_managers_mark_paid(client, manager, record, yesterday):
    url = reverse("bookings:record_detail", args=[record.pk])
    client.force_login(manager)
    html = client.get(url).content.decode()
    assert 'id="purpose">研发<' in html  # pages speak Chinese by default
    assert 'id="paid-on">尚未付款<' in html
    assert 'id="paid-form"' in html
    response = client.post(
        reverse("bookings:record_mark_paid", args=[record.pk]),
        {"paid_on": yesterday.isoformat(), "invoice_number": "37020001-42"},
    )
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert f'id="paid-on">{yesterday:%Y-%m-%d}<' in html
    assert 'id="invoice-number">37020001-42<' in html


def test_a_future_date_through_the_page_is_refused_with_a_message(client, manager, record):
    client.force_login(manager)
    tomorrow = local(timezone.now()).date() + timedelta(days=1)
    response = client.post(
        reverse("bookings:record_mark_paid", args=[record.pk]), {"paid_on": tomorrow.isoformat()}, follow=True
    )
    assert "付款日期不能晚于今天。" in response.content.decode()
    record.refresh_from_db()
    assert record.paid_on is None


def test_the_mark_paid_page_is_404_for_everyone_but_the_owners_managers(client, record, requester, yesterday):
    record.user = requester  # the user sees the record, without the form, and cannot mark it paid
    record.save(update_fields=["user"])
    paid_url = reverse("bookings:record_mark_paid", args=[record.pk])
    for someone in (UserFactory(), requester):
        client.force_login(someone)
        assert client.post(paid_url, {"paid_on": yesterday.isoformat()}).status_code == 404
    html = client.get(reverse("bookings:record_detail", args=[record.pk])).content.decode()
    assert 'id="paid-on">尚未付款<' in html and 'id="paid-form"' not in html
    assert client.get(paid_url).status_code == 405  # POST only
    record.refresh_from_db()
    assert record.paid_on is None
