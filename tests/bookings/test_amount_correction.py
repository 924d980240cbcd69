"""The owner corrects the amount of an unpaid service record, with a reason; nobody else can."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bookings.services import service_record_correct_amount
from core.exceptions import DomainError

from .factories import ServiceRecordFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(instrument, enterprise):
    start = timezone.now() - timedelta(days=2)
    return ServiceRecordFactory(
        instrument=instrument,
        started_at=start,
        ended_at=start + timedelta(hours=1),
        user_unit=enterprise,
        amount=Decimal("800.00"),
        computed_amount=Decimal("800.00"),
    )


def test_a_manager_corrects_the_amount_with_a_reason(record, manager):
    service_record_correct_amount(actor=manager, record=record, amount=Decimal("650.50"), reason="少测一个样品")
    record.refresh_from_db()
    assert record.amount == Decimal("650.50") and record.amount_reason == "少测一个样品"
    assert record.history.first().history_change_reason == "amount corrected"


def test_a_correction_needs_a_reason_and_an_unpaid_record(record, manager):
    with pytest.raises(DomainError):
        service_record_correct_amount(actor=manager, record=record, amount=Decimal("1.00"), reason=" ")
    record.paid_on = timezone.localdate()
    record.save()
    with pytest.raises(DomainError):
        service_record_correct_amount(actor=manager, record=record, amount=Decimal("1.00"), reason="x")


def test_someone_outside_the_owner_unit_cannot_correct(record, enterprise):
    with pytest.raises(PermissionDenied):
        service_record_correct_amount(
            actor=member_of(enterprise, role="admin"), record=record, amount=Decimal("1.00"), reason="x"
        )


def test_the_record_page_corrects_the_amount_for_the_owner_only(client, record, manager, enterprise):
    from django.http import HttpRequest
    from django.urls import reverse

    from tests.factories import PASSWORD

    url = reverse("bookings:record_correct_amount", args=[record.pk])
    client.login(request=HttpRequest(), username=manager.email, password=PASSWORD)
    assert 'id="amount-form"' in client.get(record.get_absolute_url()).content.decode()
    client.post(url, {"amount": "700.00", "reason": "少测一个样品"})
    record.refresh_from_db()
    assert record.amount == Decimal("700.00")
    outsider = member_of(enterprise, role="admin")
    client.login(request=HttpRequest(), username=outsider.email, password=PASSWORD)
    assert client.post(url, {"amount": "1.00", "reason": "x"}).status_code == 404
