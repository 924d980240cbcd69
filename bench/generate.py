"""The benchmark's data: 200 units, 2,000 instruments and service records written by COPY.

Records are spread over the working hours of every day of their year (more on weekdays), a third
of them external, one in fifty running past midnight and some across a month's end; each
instrument has 40 regular users of the 4,000 (five of them without a platform account: imported
records). The generator is seeded and idempotent per year: a year that already holds its records
is left as it is.
"""

import datetime as dt
import random
import time
from decimal import Decimal

UNITS = 200
INSTRUMENTS = 2000
USERS = 4000
REGULARS = 40  # people who use one instrument in a year
VISITORS = 5  # of them, people without a platform account (imported records)
TZ = dt.timezone(dt.timedelta(hours=8))
WAYS = ("user_operates", "guided", "commission", "remote")
COLUMNS = (
    "instrument_id",
    "started_at",
    "ended_at",
    "service_content",
    "service_way",
    "purpose",
    "preparation_hours",
    "measurement_hours",
    "post_processing_hours",
    "hours",
    "sample_count",
    "computed_amount",
    "amount",
    "amount_reason",
    "project_name",
    "funding_source",
    "user_id",
    "user_name",
    "user_unit_id",
    "user_unit_name",
    "is_external",
    "rating",
    "rating_comment",
    "invoice_number",
    "created_at",
)


def ensure_base(stdout=print) -> None:
    """Districts, units (a third enterprises), users and instruments, once."""
    from django.contrib.auth.hashers import make_password

    from instruments.models import Category, Instrument
    from members.models import District, Unit, User
    from members.validators import credit_code_check_character

    if Instrument.objects.count() >= INSTRUMENTS:
        return
    started = time.monotonic()
    rng = random.Random(11)
    districts = [
        District.objects.get_or_create(code=f"1502{n:02d}", defaults={"name": f"第{n}区", "name_en": f"District {n}"})[
            0
        ]
        for n in range(1, 10)
    ]
    types = (Unit.Type.UNIVERSITY, Unit.Type.INSTITUTE, Unit.Type.ENTERPRISE)
    units = []
    for n in range(UNITS):
        first17 = f"91150200MB{n:07d}"
        units.append(
            Unit(
                name=f"基准单位{n:03d}",
                short_name=f"单位{n:03d}",
                credit_code=first17 + credit_code_check_character(first17),
                unit_type=types[n % 3],
                district=districts[n % len(districts)],
                address="包头市昆都仑区阿尔丁大街7号",
                contact_person="联系人",
                phone="0472-5951234",
                email=f"unit{n}@bench.example.cn",
                status=Unit.Status.APPROVED,
            )
        )
    Unit.objects.bulk_create(units, batch_size=1000)
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=f"user{n}@bench.example.cn",
                name=f"用户{n}",
                phone="13800000000",
                password=password,
            )
            for n in range(USERS)
        ],
        batch_size=2000,
    )
    units = list(Unit.objects.filter(credit_code__startswith="91150200MB").order_by("pk"))
    categories = list(Category.objects.filter(parent__isnull=False).order_by("code"))
    Instrument.objects.bulk_create(
        [
            Instrument(
                unit=units[n % UNITS],
                asset_number=f"B{n:06d}",
                name=f"基准仪器{n:04d}",
                category=categories[n % len(categories)],
                original_value=Decimal(rng.randrange(500_000, 20_000_000)).quantize(Decimal("0.01")),
                country_of_origin="日本",
                manufacturer="日立",
                model=f"M{n % 97}",
                commissioned_on=dt.date(2015 + n % 10, 1 + n % 12, 1),  # some start within 2024
                technical_indicators="分辨率 1.0 nm",
                functions="表面形貌观察",
                contact_person="赵磊",
                contact_phone="13904720002",
                retired_at=dt.datetime(2025, 7, 1, tzinfo=TZ) if n % 250 == 0 else None,
            )
            for n in range(INSTRUMENTS)
        ],
        batch_size=1000,
    )
    stdout(f"  base data: {UNITS} units, {USERS} users, {INSTRUMENTS} instruments ({time.monotonic() - started:.1f} s)")


def records_in(year: int) -> int:
    from bookings.models import ServiceRecord

    start = dt.datetime(year, 1, 1, tzinfo=TZ)
    return ServiceRecord.objects.filter(started_at__gte=start, started_at__lt=start.replace(year=year + 1)).count()


def ensure_records(year: int, count: int, stdout=print) -> None:
    """``count`` service records beginning in ``year`` (nothing to do when they are there)."""
    from django.db import connection

    from instruments.models import Instrument
    from members.models import Unit, User

    have = records_in(year)
    if have >= count:
        return
    if have:
        raise SystemExit(f"{year} holds {have} records, not {count}: drop the benchmark database and start again")
    started = time.monotonic()
    rng = random.Random(year)
    instruments = list(Instrument.objects.order_by("pk").values_list("pk", "unit_id"))
    units = list(Unit.objects.filter(credit_code__startswith="91150200MB").order_by("pk").values_list("pk", "name"))
    users = list(User.objects.filter(email__endswith="@bench.example.cn").order_by("pk").values_list("pk", "name"))
    created = dt.datetime.now(tz=TZ)
    copy_rows("bookings_servicerecord", COLUMNS, _records(year, count, rng, instruments, units, users, created))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bookings_servicerecord")
    stdout(f"  {count:,} service records in {year} ({time.monotonic() - started:.1f} s)")


def _records(year, count, rng, instruments, units, users, created):
    """The rows of ``ensure_records``, one tuple per record in COLUMNS order."""
    unit_names = dict(units)
    days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    for n in range(count):
        instrument, owner = instruments[rng.randrange(len(instruments))]
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days))
        if day.weekday() >= 5 and rng.random() < 0.5:  # fewer at weekends
            day = day - dt.timedelta(days=day.weekday() - 4)
        start = dt.datetime.combine(day, dt.time(8), tzinfo=TZ) + dt.timedelta(minutes=15 * rng.randrange(40))
        measurement = Decimal(rng.randrange(2, 33)) / 4  # 0.5 to 8 h
        preparation = Decimal(rng.randrange(0, 3)) / 4
        hours = measurement + preparation
        length = dt.timedelta(hours=float(hours))
        if n % 50 == 0:  # an overnight run, past midnight (and at a month's or year's end, past it)
            start = dt.datetime.combine(day, dt.time(20), tzinfo=TZ)
            length = dt.timedelta(hours=rng.randrange(6, 14))
        external = rng.random() < 0.35
        if external:
            user_unit, user_unit_name = units[rng.randrange(len(units))]
            if user_unit == owner:
                external = False
        else:
            user_unit, user_unit_name = owner, unit_names[owner]
        # People come back: each instrument has its regulars (as on the demo data, where
        # about a hundred people make 60,000 services), a few of them without an account.
        regular = rng.randrange(REGULARS)
        user_id, user_name = (
            users[(instrument * 37 + regular * 101) % len(users)]
            if regular < REGULARS - VISITORS
            else (None, f"访客{instrument % 300}-{regular}")
        )
        amount = (hours * (400 if external else 200)).quantize(Decimal("0.01"))
        rating = rng.randrange(1, 6) if rng.random() < 0.4 else None
        yield (
            instrument,
            start,
            start + length,
            "样品测试",
            WAYS[n % 4],
            "rd",
            preparation,
            measurement,
            Decimal(0),
            hours,
            rng.randrange(0, 10),
            amount,
            amount,
            "",
            "",
            "none",
            user_id,
            user_name,
            user_unit,
            user_unit_name,
            external,
            rating,
            "",
            "",
            created,
        )


def copy_rows(table: str, columns, rows) -> None:
    """Rows (sequences in ``columns`` order) written into ``table`` by one COPY, in the current
    transaction of Django's connection."""
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.connection.cursor() as raw,
        raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
