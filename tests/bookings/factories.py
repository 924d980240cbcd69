"""Factories for instruments (created directly, as the instruments app's services are not ours)
and for bookings, outages and service records."""

from datetime import time
from decimal import Decimal

import factory

from bookings import fees
from bookings.models import Booking, ChosenService, ServiceRecord, ServiceWay
from bookings.rules import is_external_use
from instruments.models import Category, FeeItem, Instrument, OpeningHours
from tests.factories import MembershipFactory, UnitFactory, UserFactory


def any_category():
    """A seeded class; transactional tests flush the seeded rows, so make one then."""
    category = Category.objects.filter(parent__isnull=False).order_by("code").first()
    if category is None:
        parent, _ = Category.objects.get_or_create(code="01", defaults={"name": "分析仪器"})
        category, _ = Category.objects.get_or_create(code="0101", defaults={"name": "电子光学", "parent": parent})
    return category


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    unit = factory.SubFactory(UnitFactory)
    asset_number = factory.Sequence(lambda n: f"A{n:06d}")
    name = factory.Sequence(lambda n: f"扫描电子显微镜{n}")
    category = factory.LazyFunction(lambda: any_category())
    original_value = Decimal("1200000.00")
    country_of_origin = "日本"
    manufacturer = "日立"
    model = "SU8010"
    commissioned_on = factory.Faker("date_object")
    technical_indicators = "分辨率 1.0 nm"
    functions = "表面形貌观察"
    contact_person = "赵磊"
    contact_phone = "13904720002"
    needs_approval = True
    min_slot_minutes = 30
    max_slot_minutes = 480
    min_lead_hours = 24
    max_advance_days = 60
    cancel_deadline_hours = 24


def weekday_hours(instrument, opens=time(8, 30), closes=time(17, 30), weekdays=range(7)):
    """Give an instrument the same opening period on the given weekdays (every day by default)."""
    return OpeningHours.objects.bulk_create(
        [OpeningHours(instrument=instrument, weekday=d, opens=opens, closes=closes) for d in weekdays]
    )


class FeeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeItem

    instrument = factory.SubFactory(InstrumentFactory)
    name = "机时费"
    basis = FeeItem.Basis.HOUR
    internal_price = Decimal("200.00")
    external_price = Decimal("400.00")


def member_of(unit, role="member", **user_fields):
    return MembershipFactory(unit=unit, role=role, user=UserFactory(**user_fields)).user


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking row written directly (no rules, no hold); use the service for real requests."""

    class Meta:
        model = Booking
        skip_postgeneration_save = True

    instrument = factory.SubFactory(InstrumentFactory)
    requester = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    purpose = "测试"
    status = Booking.Status.REQUESTED

    @factory.post_generation
    def chosen(booking, create, extracted, **kwargs):
        """The services asked for: ``chosen=[fee items]``; by default the instrument's first item."""
        if not create:
            return
        items = extracted if extracted is not None else booking.instrument.fee_items.order_by("pk")[:1]
        external = is_external_use(user_unit_id=booking.unit_id, owner_unit_id=booking.instrument.unit_id)
        services = fees.snapshots(items, external=external)
        for service in services:
            service.booking = booking
        ChosenService.objects.bulk_create(services)


class ServiceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    instrument = factory.SubFactory(InstrumentFactory)
    service_content = "样品测试"
    service_way = ServiceWay.COMMISSION
    user_name = "张伟"
    user_unit_name = "包头稀宝新材料科技有限公司"
