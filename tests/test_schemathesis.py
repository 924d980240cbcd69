"""The whole REST API fuzzed against its own OpenAPI schema (schemathesis, in-process over WSGI).

Every operation of ``/api/v1/schema/`` is called with generated requests, valid and invalid,
anonymously and as an instrument manager (token), on the run's test database seeded with real
objects: path ids and body references are drawn half the time from the seeded rows and half at
random. Every schemathesis check runs: no server error, every status code and content type
documented, every body matching its schema, valid requests accepted and invalid ones refused.
Generation is bounded and seeded (``SEED``), so a run is reproducible and takes under two minutes.
"""

from datetime import time, timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bookings.models import Booking, ServiceWay
from instruments.models import Category
from platform_site.wsgi import application
from subsidies.models import Application, ApplicationLine, ProviderReward, Voucher, VoucherDraw, VoucherRedemption
from tests.bookings.factories import (
    BookingFactory,
    FeeItemFactory,
    InstrumentFactory,
    ServiceRecordFactory,
    member_of,
    weekday_hours,
)
from tests.factories import UnitFactory
from tests.subsidies.factories import ProgrammeFactory, paid_record

SEED = 20261201
MAX_EXAMPLES = 12
TOKEN = "fuzz0manager0token0000000000000000000000"  # 40 characters, like DRF's
# The seeded rows take fixed ids, so the schema (loaded once, at collection) can name them.
OWNER, REQUESTER_UNIT, INSTRUMENTS, BOOKING, RECORD = 9101, 9102, (9201, 9202), 9301, 9401
PROGRAMME, APPLICATION, LINE, REWARD = 9501, 9601, 9701, 9801
VOUCHER_PROGRAMME, VOUCHERS, REDEMPTION = 9502, (9901, 9902), 9951
REAL_IDS = [
    *(OWNER, REQUESTER_UNIT, *INSTRUMENTS, BOOKING, RECORD, PROGRAMME, APPLICATION, LINE, REWARD),
    *(VOUCHER_PROGRAMME, *VOUCHERS, REDEMPTION),
]
REAL_CODES = ["01", "0101"]
RULE_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request; Django's test client
    disconnects that, and so does this (the test's transaction must outlive the requests)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def seed_subsidies(*, owner, requester_unit, requester, instrument):
    """An open programme; the requester unit's submitted application claiming a paid service of the
    manager's instrument (the manager sees it as its provider and may confirm or dispute the line);
    and the manager's unit's computed reward."""
    programme = ProgrammeFactory(pk=PROGRAMME)
    record = paid_record(instrument=instrument, unit=requester_unit, amount="1580.00")
    claim = Application.objects.create(
        pk=APPLICATION,
        programme=programme,
        unit=requester_unit,
        created_by=requester,
        status=Application.Status.SUBMITTED,
        requested_amount=Decimal("158.00"),
        submitted_at=timezone.now(),
    )
    ApplicationLine.objects.create(
        pk=LINE,
        application=claim,
        service_record=record,
        provider=owner,
        fee=record.amount,
        rate=Decimal("0.1000"),
        subsidy=Decimal("158.00"),
    )
    ProviderReward.objects.create(
        pk=REWARD,
        programme=programme,
        unit=owner,
        external_income=Decimal("1580.00"),
        services=1,
        rate=Decimal("0.1000"),
        computed_amount=Decimal("158.00"),
    )


def seed_vouchers(*, owner, manager, requester_unit, requester, instruments):
    """A voucher programme open today; the requester unit's voucher, which paid half of a service of
    the manager's instrument that the manager's unit claims in a submitted redemption; and a voucher of
    the manager's own unit (the manager, its member, sees it) with a draw not yet claimed."""
    programme = ProgrammeFactory(
        pk=VOUCHER_PROGRAMME, mode="voucher", base_rate=Decimal("0.5000"), voucher_validity_days=365
    )
    today = timezone.localdate()
    claim = VoucherRedemption.objects.create(
        pk=REDEMPTION,
        programme=programme,
        provider=owner,
        created_by=manager,
        status=VoucherRedemption.Status.SUBMITTED,
        period_start=today - timedelta(days=30),
        period_end=today - timedelta(days=1),
        amount=Decimal("790.00"),
        services=1,
        submitted_at=timezone.now(),
    )
    holders = ((requester_unit, requester, instruments[0], claim), (owner, manager, instruments[1], None))
    for pk, (unit, user, instrument, redemption) in zip(VOUCHERS, holders, strict=True):
        voucher = Voucher.objects.create(
            pk=pk,
            programme=programme,
            unit=unit,
            created_by=user,
            status=Voucher.Status.ACTIVE,
            requested_amount=Decimal("10000.00"),
            purpose="钕铁硼磁体研发测试",
            quota=Decimal("10000.00"),
            drawn=Decimal("790.00"),
            holder_key=f"unit:{unit.pk}",
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=334),
            decided_at=timezone.now(),
        )
        record = paid_record(instrument=instrument, unit=unit, amount="1580.00", days_ago=5)
        VoucherDraw.objects.create(
            voucher=voucher,
            service_record=record,
            charged=record.amount,
            share=Decimal("790.00"),
            amount=Decimal("790.00"),
            redemption=redemption,
        )


@pytest.fixture(autouse=True)
def seeded(db, keep_the_test_connection):
    """A unit with a manager (``TOKEN``), two bookable instruments with fees and hours, a requester's
    booking, a service record with no creator (as imported or demo records are) used by the manager, and
    the subsidy rows of ``seed_subsidies`` and ``seed_vouchers``."""
    parent, _ = Category.objects.get_or_create(code="01", defaults={"name": "分析仪器"})
    category, _ = Category.objects.get_or_create(code="0101", defaults={"name": "电子光学", "parent": parent})
    owner = UnitFactory(pk=OWNER, name="内蒙古科技大学")
    manager = member_of(owner, role="manager", name="赵磊")
    Token.objects.create(user=manager, key=TOKEN)
    requester_unit = UnitFactory(pk=REQUESTER_UNIT, name="包头稀宝新材料科技有限公司", unit_type="enterprise")
    requester = member_of(requester_unit, name="张伟")
    instruments = []
    for pk, name in zip(INSTRUMENTS, ("场发射扫描电镜", "X射线衍射仪"), strict=True):
        instrument = InstrumentFactory(pk=pk, unit=owner, name=name, category=category)
        weekday_hours(instrument, opens=time(8), closes=time(18))
        FeeItemFactory(instrument=instrument)
        instruments.append(instrument)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    BookingFactory(
        pk=BOOKING,
        instrument=instruments[0],
        requester=requester,
        unit=requester_unit,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status=Booking.Status.REQUESTED,
    )
    ServiceRecordFactory(
        pk=RECORD,
        instrument=instruments[1],
        started_at=start - timedelta(days=10),
        ended_at=start - timedelta(days=10) + timedelta(hours=2),
        service_way=ServiceWay.COMMISSION,
        user=manager,
        user_name=manager.name,
        user_unit=owner,
        user_unit_name=owner.name,
        measurement_hours=Decimal("2"),
        created_by=None,
    )
    seed_subsidies(owner=owner, requester_unit=requester_unit, requester=requester, instrument=instruments[0])
    seed_vouchers(
        owner=owner, manager=manager, requester_unit=requester_unit, requester=requester, instruments=instruments
    )


def fuzz_config(token: str | None) -> schemathesis.Config:
    """Every check; examples, coverage and fuzzing phases, seeded and bounded; ids and class codes
    half the time from the seeded rows. With a token given, no other credentials are made up."""
    real = {"probability": 0.5}
    auth = {"auth": {"openapi": {"tokenAuth": {"api_key": f"Token {token}"}}}} if token else {}
    return schemathesis.Config.from_dict(
        {
            **auth,
            "seed": SEED,
            # Multipart bodies with a required list are hard to generate negatively; keep going.
            # Generation slows down when the machine is busy (parallel test workers on 2 cores):
            # the examples are bounded by max-examples, not by time.
            "suppress-health-check": ["filter_too_much", "too_slow"],
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "with-security-parameters": not token,
            },
            "checks": {"enabled": True},
            # A schema-valid write may still break a rule the schema cannot state (a reason required
            # to reject, a class code that does not exist, a booking not yet completed): that is the
            # documented 400 "the request breaks a rule", not a refusal of valid data. Of the reads, only
            # two lists keep that allowance, for rules a query parameter's schema cannot state: a filter
            # naming a class, district or unit that does not exist (an enum of every row), and the
            # catalogue's free period (both ends, the end after the start, at most 31 days: a relation
            # between parameters). Every other read, the bookings' and service records' lists included,
            # must accept schema-valid requests (their dates, choices and limits are in the schema), and
            # invalid data must be refused everywhere.
            "operations": [
                {
                    "include-method": ["POST", "PUT", "PATCH"],
                    "checks": {"positive_data_acceptance": {"expected-statuses": RULE_STATUSES}},
                },
                {
                    "include-method": "GET",
                    "include-path-regex": r"^/api/v1/(instruments|units)/$",
                    "checks": {"positive_data_acceptance": {"expected-statuses": RULE_STATUSES}},
                },
            ],
            "phases": {"stateful": {"enabled": False}},
            "dictionaries": {
                "ids": {"values": REAL_IDS},
                "path_ids": {"values": [str(pk) for pk in REAL_IDS]},  # path ids are digit strings
                "codes": {"values": REAL_CODES},
            },
            "parameters": {
                "path.id": {"dictionary": "path_ids", **real},
                "path.instrument_pk": {"dictionary": "path_ids", **real},
                "path.line_id": {"dictionary": "path_ids", **real},
                "path.code": {"dictionary": "codes", **real},
                "body.instrument": {"dictionary": "ids", **real},
                "body.unit": {"dictionary": "ids", **real},
                "body.programme": {"dictionary": "ids", **real},
                "body.provider": {"dictionary": "ids", **real},
                "body.category": {"dictionary": "codes", **real},
                "query.category": {"dictionary": "codes", **real},
                "query.unit": {"dictionary": "ids", **real},
                "query.programme": {"dictionary": "ids", **real},
                "query.provider": {"dictionary": "ids", **real},
            },
        }
    )


def load(token: str | None):
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=fuzz_config(token))


anonymous = load(None)
as_manager = load(TOKEN)


@anonymous.parametrize()
def test_the_api_keeps_its_schema_for_anonymous_callers(case):
    case.call_and_validate()


@as_manager.parametrize()
def test_the_api_keeps_its_schema_for_an_instrument_manager(case):
    case.call_and_validate()
