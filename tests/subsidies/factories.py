"""Factories for subsidy programmes and the service records they pay for, and a helper that takes
an application through the real services to the state a test needs."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from subsidies import services
from subsidies.models import Application, Programme, TierRule
from tests.bookings.factories import InstrumentFactory, ServiceRecordFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_upload(name="invoice.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """An open reimbursement programme like Qingdao's: 10%, 500,000 per enterprise."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"大型仪器共享补助{n}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    services_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=120))
    services_until = factory.LazyFunction(lambda: timezone.localdate())
    applies_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    applies_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    budget = Decimal("1000000.00")
    base_rate = Decimal("0.1000")
    cap_per_enterprise = Decimal("500000.00")
    provider_reward_rate = Decimal("0.1000")
    provider_reward_cap = Decimal("2000000.00")
    eligible_unit_types = factory.LazyFunction(lambda: ["enterprise"])
    min_instrument_value = Decimal("200000.00")
    region_city = "包头市"


def tier(programme, condition, rate):
    return TierRule.objects.create(programme=programme, condition=condition, rate=Decimal(rate))


def paid_record(*, instrument, unit, amount="1000.00", days_ago=10, **fields):
    """A completed service of ``instrument`` for ``unit``, charged and paid."""
    started = timezone.now() - timedelta(days=days_ago)
    defaults = {
        "started_at": started,
        "ended_at": started + timedelta(hours=2),
        "user_unit": unit,
        "user_unit_name": unit.name,
        "amount": Decimal(amount),
        "computed_amount": Decimal(amount),
        "is_external": instrument.unit_id != unit.pk,
        "paid_on": timezone.localdate() - timedelta(days=max(days_ago - 2, 0)),
        "invoice_number": f"INV-{instrument.pk}-{days_ago}",
    }
    defaults.update(fields)
    return ServiceRecordFactory(instrument=instrument, **defaults)


def confirmed_application(*, programme, admin, unit, records, provider_manager, invoice="37020001-0001"):
    """An application with ``records``, submitted with an invoice and confirmed by the provider."""
    application = services.application_create(actor=admin, programme=programme, unit=unit)
    services.application_set_lines(actor=admin, application=application, record_ids=[r.pk for r in records])
    services.evidence_add(
        actor=admin, application=application, kind="invoice", file=pdf_upload(), invoice_number=invoice
    )
    services.application_submit(actor=admin, application=application)
    for line in application.lines.all():
        services.line_confirm(actor=provider_manager, line=line)
    application.refresh_from_db()
    assert application.status == Application.Status.PROVIDER_CONFIRMED
    return application


__all__ = ["InstrumentFactory", "ProgrammeFactory", "confirmed_application", "paid_record", "pdf_upload", "tier"]
