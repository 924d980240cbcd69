"""A voucher programme (Shanghai-like: the voucher pays 50%), a granted voucher, and a booking of
the provider's TEM completed through the bookings service (which draws on the voucher)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking
from subsidies import services
from subsidies.models import Voucher
from subsidies.services import vouchers
from tests.bookings.factories import BookingFactory, FeeItemFactory

from .factories import ProgrammeFactory


def voucher_programme(**fields):
    defaults = {"mode": "voucher", "base_rate": Decimal("0.5000"), "voucher_validity_days": 365}
    return ProgrammeFactory(**(defaults | fields))


def granted_voucher(*, programme, admin, unit, officer, quota="10000.00"):
    """A voucher granted yesterday: a service of a few hours ago lies inside its validity whatever
    the time of day (just after midnight, "3 hours ago" is yesterday evening)."""
    voucher = vouchers.voucher_apply(
        actor=admin, programme=programme, unit=unit, amount=Decimal(quota), purpose="钕铁硼磁体研发测试"
    )
    voucher = vouchers.voucher_grant(actor=officer, voucher=voucher)
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=voucher.valid_from - timedelta(days=1))
    voucher.refresh_from_db()
    return voucher


def completed_booking(*, instrument, requester, unit, manager, fee="3000.00", hours_ago=3):
    """An approved booking of ``instrument`` that began ``hours_ago``, completed for ``fee``."""
    if not instrument.fee_items.exists():
        FeeItemFactory(instrument=instrument, external_price=Decimal("1000.00"))
    start = timezone.now() - timedelta(hours=hours_ago)
    booking = BookingFactory(
        instrument=instrument,
        requester=requester,
        unit=unit,
        status=Booking.Status.APPROVED,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    return booking_services.booking_complete(
        actor=manager,
        booking=booking,
        actual_start=start,
        actual_end=start + timedelta(hours=1),
        preparation_hours=Decimal("0"),
        measurement_hours=Decimal("1"),
        post_processing_hours=Decimal("0"),
        sample_count=0,
        amount=Decimal(fee),
        amount_reason="按委托合同计费",
    )


__all__ = ["completed_booking", "granted_voucher", "services", "voucher_programme"]
