"""The review's warnings: each one fires when it should, names the services, and stays quiet
otherwise; counts for a page of applications take a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from subsidies import services
from subsidies.warnings import application_warnings, service_name, warning_counts, warnings_for
from tests.bookings.factories import BookingFactory
from tests.factories import UnitGroupFactory

from .factories import confirmed_application, paid_record, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def distinct_phones(provider, enterprise):
    """The factories give every unit one phone number; here only the tests that want it share one."""
    provider.phone, enterprise.phone = "0472-5951111", "0472-5212222"
    provider.save()
    enterprise.save()


@pytest.fixture
def record(tem, enterprise):
    """A paid, booked service at its listed price."""

    def make(amount="1000.00", days_ago=20, booked=True, **fields):
        starts = timezone.now() - timedelta(days=days_ago)
        booking = (
            BookingFactory(
                instrument=tem,
                unit=enterprise,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                status="completed",
            )
            if booked
            else None
        )
        return paid_record(instrument=tem, unit=enterprise, amount=amount, days_ago=days_ago, booking=booking, **fields)

    return make


@pytest.fixture
def claim(programme, enterprise, admin, provider_manager):
    def make(records, invoice="37020001-0001"):
        return confirmed_application(
            programme=programme,
            admin=admin,
            unit=enterprise,
            records=records,
            provider_manager=provider_manager,
            invoice=invoice,
        )

    return make


def named(application, record) -> str:
    return service_name(application.lines.get(service_record=record))


def codes(application):
    return [w.code for w in application_warnings(application)]


def test_a_plain_application_has_no_warnings(record, claim):
    application = claim([record(days_ago=20), record(days_ago=30)])
    assert application_warnings(application) == []


def test_applicant_and_provider_in_one_group_even_unconfirmed(record, claim, provider, enterprise):
    group = UnitGroupFactory(name="一机集团")
    for unit in (provider, enterprise):
        unit.group, unit.group_confirmed = group, False
        unit.save()
    service = record()
    application = claim([service])
    [warning] = application_warnings(application)
    assert warning.code == "related_group"
    assert provider.name in warning.message and named(application, service) in warning.message


def test_a_group_of_the_applicant_alone_is_no_warning(record, claim, enterprise):
    enterprise.group = UnitGroupFactory()
    enterprise.save()
    assert codes(claim([record()])) == []


def test_applicant_and_provider_with_one_phone_number(record, claim, provider, enterprise):
    application = claim([record()])
    enterprise.phone = "0472 595 1111"  # the provider's number, written differently
    enterprise.save()
    [warning] = application_warnings(application)
    assert warning.code == "related_phone" and "0472-5951111" in warning.message


def test_a_fee_far_above_the_listed_price(record, claim):
    high = record(amount="5000.00", computed_amount=Decimal("3000.00"))
    fair = record(amount="4500.00", computed_amount=Decimal("3000.00"), days_ago=25)
    application = claim([high, fair])
    [warning] = application_warnings(application)
    assert warning.code == "fee_above_price"
    assert named(application, high) in warning.message
    assert named(application, fair) not in warning.message


def test_a_fee_with_no_listed_price(record, claim):
    unpriced = record(amount="800.00", computed_amount=Decimal("0.00"))
    assert codes(claim([unpriced])) == ["fee_unpriced"]


def test_an_invoice_number_in_another_live_application(record, claim, programme, enterprise, admin):
    first = claim([record()], invoice="FP-2026-77")
    assert codes(first) == []
    other = services.application_create(actor=admin, programme=programme, unit=enterprise)
    services.evidence_add(
        actor=admin, application=other, kind="invoice", file=pdf_upload(), invoice_number="FP-2026-77"
    )
    [warning] = application_warnings(first)
    assert warning.code == "invoice_reused" and other.number in warning.message
    assert [w.code for w in application_warnings(other)] == ["invoice_reused"]

    services.application_withdraw(actor=admin, application=other)
    assert codes(first) == []


def test_an_invoice_number_twice_in_one_application(record, programme, enterprise, admin):
    application = services.application_create(actor=admin, programme=programme, unit=enterprise)
    for name in ("a.pdf", "b.pdf"):
        services.evidence_add(
            actor=admin, application=application, kind="invoice", file=pdf_upload(name), invoice_number="FP-1"
        )
    [warning] = application_warnings(application)
    assert warning.code == "invoice_twice" and "FP-1" in warning.message


def test_a_service_with_no_booking(record, claim):
    unbooked = record(booked=False)
    application = claim([unbooked, record(days_ago=25)])
    [warning] = application_warnings(application)
    assert warning.code == "no_booking" and warning.message.count("透射电子显微镜") == 1
    assert named(application, unbooked) in warning.message


def test_a_burst_of_services_just_before_the_window_closed(record, claim):
    late = [record(days_ago=2), record(days_ago=13)]
    application = claim([*late, record(days_ago=30), record(days_ago=40)])
    [warning] = application_warnings(application)
    assert warning.code == "burst"
    assert all(named(application, r) in warning.message for r in late)
    assert warning.message.count("透射电子显微镜") == 2


def test_no_burst_below_half_or_below_three_services(record, claim, programme):
    assert codes(claim([record(days_ago=2), record(days_ago=14), record(days_ago=30)])) == []
    programme.refresh_from_db()
    assert codes(claim([record(days_ago=1), record(days_ago=3)], invoice="FP-2")) == []


def test_counts_for_a_page_take_two_queries(record, claim, django_assert_num_queries):
    applications = [claim([record(booked=False, days_ago=d)], invoice=f"FP-{d}") for d in (20, 21, 22)]
    with django_assert_num_queries(2):
        counts = warning_counts(applications)
    assert counts == {a.pk: 1 for a in applications}
    assert warnings_for([]) == {}
