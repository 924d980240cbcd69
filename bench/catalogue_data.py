"""The page benchmark's data: 100,000 instruments (1,000,000 with ``--million``) over 10,000 units,
with a year of bookings and service records at the demo's density, written by COPY.

Instruments are drawn the way the demo draws them (``instruments.demo``: its kinds with real
makers and models such as JEM-2100Plus, Chinese and English names, classes, statuses, sharing
modes, fee items and weekly opening hours, chosen by what each unit works on), over units of
every type (about 40% enterprises, all approved) in 100 districts; their search documents come
from ``instruments.search.search_document_for``. Bookings and records follow ``bookings.demo``'s
spread (idle, ordinary and busy instruments, commissioned batches without bookings, sessions
booked on the site, a few no-shows and cancellations, upcoming bookings holding their slots in
the next four weeks): about 31 bookings and 68 service records per instrument, as on the demo's
945 instruments. Left out for speed: history rows, photos, booking events and chosen services.

The 1,000,000-instrument set (``--registry-only``, as ``bench.pages --million`` makes it) holds the
registry alone: units, instruments with their search documents, fee items and opening hours. Its
one target is the search SQL against the same at 100,000, which reads the registry only; a year of
bookings and records at the demo's density would be about 99 million more rows, some hours of
writing on a two-core machine.

The whole data set is written in one transaction, so a database holds all of it or none; a
database that already holds it is kept (``ensure_catalogue``). Dates are relative to the day of
generation (a year back, four weeks ahead), like the demo's.
"""

import datetime as dt
import itertools
import random
import time
from decimal import ROUND_HALF_UP, Decimal

from bench.generate import copy_rows

UNITS = 10_000
DISTRICTS = 100
SEED = 20261201
BATCH_UNITS = 500  # units (and their instruments) built and written together
RETIRED_SHARE = 0.01
# unit type: share of the units (the national registry has many more enterprises than a city's)
UNIT_TYPES = [("enterprise", 40), ("university", 15), ("institute", 17), ("testing_centre", 15), ("hospital", 13)]
SCALES = [("large", 15), ("medium", 35), ("small", 35), ("micro", 15)]
PLACES = (
    "包头", "呼和浩特", "鄂尔多斯", "赤峰", "通辽", "乌海", "北京", "天津", "石家庄", "太原",
    "沈阳", "大连", "长春", "哈尔滨", "上海", "南京", "苏州", "杭州", "宁波", "合肥",
    "福州", "厦门", "南昌", "济南", "青岛", "郑州", "武汉", "长沙", "广州", "深圳", "南宁",
    "海口", "重庆", "成都", "贵阳", "昆明", "西安", "兰州", "西宁", "银川", "乌鲁木齐",
)  # fmt: skip
UNIT_WORDS = {
    "enterprise": ["稀土新材料科技有限公司", "精密制造股份有限公司", "化工集团有限公司", "生物技术股份有限公司",
                   "新能源有限公司", "检测技术有限公司", "钢铁股份有限公司", "电子科技有限公司"],
    "university": ["科技大学", "理工大学", "师范学院", "医科大学", "农业大学", "工业大学"],
    "institute": ["稀土研究院", "材料研究所", "化学研究所", "农牧业科学研究院", "地质研究所", "环境科学研究院"],
    "testing_centre": ["检验检测中心", "产品质量监督检验院", "计量测试研究所", "海关技术中心", "疾病预防控制中心"],
    "hospital": ["中心医院", "人民医院", "医学院第一附属医院", "中医医院"],
}  # fmt: skip
OFFICE_HOURS = [(dt.time(8, 30), dt.time(17, 30))]

BOOKING_COLUMNS = (
    "id", "starts_at", "ends_at", "status", "purpose", "sample_count", "sample_description",
    "service_way", "project_name", "funding_source", "fee_estimate", "decision_reason",
    "decided_at", "created_at", "updated_at", "instrument_id", "requester_id", "unit_id",
)  # fmt: skip
RECORD_COLUMNS = (
    "started_at", "ended_at", "service_content", "service_way", "preparation_hours",
    "measurement_hours", "post_processing_hours", "hours", "sample_count", "computed_amount",
    "amount", "amount_reason", "project_name", "funding_source", "user_name", "user_unit_name",
    "is_external", "rating", "rating_comment", "rated_at", "created_at", "booking_id",
    "instrument_id", "user_id", "user_unit_id", "invoice_number", "paid_on", "purpose",
)  # fmt: skip
HOLD_COLUMNS = ("starts_at", "ends_at", "kind", "booking_id", "instrument_id")


def database_name(count: int) -> str:
    """The benchmark database of a data set: ic_bench_pages (100k), ic_bench_pages_1m."""
    return "ic_bench_pages" if count == 100_000 else f"ic_bench_pages_{count // 1_000_000}m"


def present(count: int) -> bool:
    from instruments.models import Instrument

    return Instrument.objects.count() >= count


def ensure_catalogue(count: int = 100_000, stdout=print, *, registry_only: bool = False) -> None:
    """``count`` instruments over 10,000 units with a year of bookings and records (none with
    ``registry_only``), once."""
    from django.db import connection, transaction

    from instruments.models import Instrument

    have = Instrument.objects.count()
    if have >= count:
        return
    if have:
        raise SystemExit(f"the database holds {have} instruments, not {count}: drop it and start again")
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk load: every row is consistent by construction; foreign keys are not checked row by row.
        cursor.execute("SET LOCAL session_replication_role = replica")
        # The big tables' plain indexes are built once at the end (a sort), not row by row.
        indexes = _drop_indexes(cursor, ["bookings_booking", "bookings_servicerecord"])
        writer = _Writer(count, stdout, registry_only=registry_only)
        writer.run()
        for definition in indexes:
            cursor.execute(definition)
    with connection.cursor() as cursor:
        # As autovacuum leaves a table in use: the visibility map set (index-only scans read no
        # heap), hint bits written and statistics fresh. Without it the first runs measure that.
        cursor.execute("VACUUM (ANALYZE)")
    stdout(
        f"  catalogue data: {UNITS:,} units, {count:,} instruments, {writer.bookings:,} bookings, "
        f"{writer.records:,} service records, {writer.holds:,} slot holds ({time.monotonic() - started:.0f} s)"
    )


def _drop_indexes(cursor, tables) -> list[str]:
    """Drop the indexes of the tables that back no constraint; their definitions, to build again."""
    definitions = []
    for table in tables:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            definitions.append(definition)
    return definitions


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _next_ids(model, count: int) -> range:
    """``count`` primary keys for rows written by COPY with their ids (the sequence moved past them)."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)


def copy_objects(model, objects, *, as_set=()) -> None:
    """Unsaved model instances written by COPY, their ``pk`` given first (``_next_ids``); the
    fields named in ``as_set`` are written as the objects hold them (not "now" for auto dates)."""
    from django.db import connection

    fields = list(model._meta.concrete_fields)

    def value(field, obj):
        return getattr(obj, field.attname) if field.name in as_set else field.pre_save(obj, True)

    rows = ([f.get_db_prep_save(value(f, obj), connection) for f in fields] for obj in objects)
    copy_rows(model._meta.db_table, [f.column for f in fields], rows)


class _Writer:
    def __init__(self, count, stdout, *, registry_only=False):
        from django.utils import timezone

        from bookings.demo import EXCLUDED_PURPOSES, PURPOSES, RATINGS
        from instruments.demo import CONTACTS

        self.contacts, self.purposes, self.ratings = CONTACTS, PURPOSES, RATINGS  # the demo's words
        self.excluded = EXCLUDED_PURPOSES  # purposes subsidies exclude (about 3% of the records)
        self.count, self.stdout, self.registry_only = count, stdout, registry_only
        self.rng = random.Random(SEED + count)
        self.now = timezone.now().replace(microsecond=0)
        self.tz = timezone.get_default_timezone()
        self.today = timezone.localtime(self.now, self.tz).date()
        self.year_start = self.today - dt.timedelta(days=365)
        self.bookings = self.records = self.holds = self.invoices = 0

    def run(self):
        units = self.units()
        people = self.people(units)
        per_unit = self.unit_counts(units)
        for first in range(0, len(units), BATCH_UNITS):
            batch = units[first : first + BATCH_UNITS]
            instruments = self.instruments(batch, per_unit)
            if not self.registry_only:
                self.bookings_and_records(instruments, units, people)
            done = first + len(batch)
            if done % 2000 == 0 or done == len(units):
                self.stdout(f"    {done:,} units written ({self.bookings:,} bookings, {self.records:,} records)")

    # -- units and people --------------------------------------------------------------------
    def units(self):
        from members.demo import DISTRICTS as BAOTOU
        from members.models import District, Unit
        from members.validators import credit_code_check_character

        rng = self.rng
        rows = list(BAOTOU)
        for n in range(len(rows), DISTRICTS):
            place = PLACES[n % len(PLACES)]
            rows.append((f"{160000 + n:06d}", f"{place}第{n // len(PLACES) + 1}区", f"{place} district {n}"))
        existing = set(District.objects.values_list("code", flat=True))
        District.objects.bulk_create(
            [
                District(code=c, name=name, name_en=en, order=n)
                for n, (c, name, en) in enumerate(rows)
                if c not in existing
            ]
        )
        districts = list(District.objects.order_by("order", "code"))
        # A few busy districts, many quiet ones (weights 1 / rank ** 0.8).
        cumulative = list(itertools.accumulate(1 / (k + 1) ** 0.8 for k in range(len(districts))))
        units = []
        ids = _next_ids(Unit, UNITS)
        for n, pk in enumerate(ids):
            unit_type = _pick(rng, UNIT_TYPES)
            district = rng.choices(districts, cum_weights=cumulative)[0]
            place = district.name[:2] if n % 3 else rng.choice(PLACES)
            word = rng.choice(UNIT_WORDS[unit_type])
            first17 = f"9115{n:013d}"
            units.append(
                Unit(
                    pk=pk,
                    name=f"{place}{word}（{n:05d}）",
                    short_name=f"{place}{word[:4]}{n:05d}",
                    credit_code=first17 + credit_code_check_character(first17),
                    unit_type=unit_type,
                    scale=_pick(rng, SCALES) if unit_type == "enterprise" else "",
                    is_high_tech=unit_type == "enterprise" and rng.random() < 0.4,
                    district=district,
                    address=f"{place}市科技路{rng.randint(1, 999)}号",
                    contact_person=rng.choice(self.contacts),
                    phone=f"0472-{rng.randint(5100000, 6999999)}",
                    email=f"unit{n}@bench.example.cn",
                    status=Unit.Status.APPROVED,
                    decided_at=self.now,
                )
            )
        copy_objects(Unit, units)
        return units

    def people(self, units) -> dict:
        """One researcher per unit (as the demo gives every unit), an active member of it."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from members.models import Membership

        User = get_user_model()
        password = make_password(None)
        ids = _next_ids(User, len(units))
        users = [
            User(pk=pk, email=f"researcher{u.pk}@bench.example.cn", name=f"{self.rng.choice(self.contacts)}{n % 100}",
                 phone="13904729000", password=password)
            for n, (pk, u) in enumerate(zip(ids, units, strict=True))
        ]  # fmt: skip
        copy_objects(User, users)
        memberships = _next_ids(Membership, len(units))
        copy_objects(
            Membership,
            [
                Membership(pk=pk, user=user, unit=unit, status=Membership.Status.ACTIVE)
                for pk, user, unit in zip(memberships, users, units, strict=True)
            ],
        )
        return {unit.pk: (user.pk, user.name) for user, unit in zip(users, units, strict=True)}

    def unit_counts(self, units) -> dict:
        """Instruments per unit: ``count`` split by the demo's weights (largest remainder)."""
        from instruments.demo import WEIGHT_BY_SCALE, WEIGHT_BY_TYPE

        weights = {u.pk: WEIGHT_BY_TYPE.get(u.unit_type) or WEIGHT_BY_SCALE.get(u.scale, 1) for u in units}
        total = sum(weights.values())
        shares = {pk: self.count * w / total for pk, w in weights.items()}
        counts = {pk: int(s) for pk, s in shares.items()}
        short = self.count - sum(counts.values())
        for pk in sorted(shares, key=lambda pk: shares[pk] - counts[pk], reverse=True)[:short]:
            counts[pk] += 1
        return counts

    # -- instruments ---------------------------------------------------------------------------
    def instruments(self, units, per_unit) -> list[dict]:
        """The instruments of some units with their fees and hours, written; what bookings need."""
        from instruments import demo
        from instruments.models import Category, FeeItem, Instrument, OpeningHours
        from instruments.search import search_document_for

        rng = self.rng
        # The search document names the main class: the parents come with the classes.
        categories = getattr(self, "_categories", None) or {
            c.code: c for c in Category.objects.select_related("parent")
        }
        self._categories = categories
        records = []
        for unit in units:
            records += demo._drawn_records(rng, unit, per_unit[unit.pk], categories, start=1)
        ids = _next_ids(Instrument, len(records))
        fees, hours = [], []
        for pk, record in zip(ids, records, strict=True):
            instrument = record["instrument"]
            instrument.pk = pk
            instrument.search_document = search_document_for(instrument)
            if rng.random() < RETIRED_SHARE:
                instrument.retired_at = self.now - dt.timedelta(days=rng.randint(1, 700))
            record["fee_items"] = [FeeItem(instrument=instrument, **fee) for fee in record["fees"]]
            fees += record["fee_items"]
            hours += [OpeningHours(instrument=instrument, **period) for period in record["hours"]]
        # Registration dates over the last three years, written with the rows (not "now").
        for record in records:
            at = self.now - dt.timedelta(days=rng.randint(30, 1100), minutes=rng.randint(0, 1439))
            record["instrument"].created_at = record["instrument"].updated_at = at
        copy_objects(Instrument, (r["instrument"] for r in records), as_set=("created_at", "updated_at"))
        for pk, fee in zip(_next_ids(FeeItem, len(fees)), fees, strict=True):
            fee.pk = pk
        copy_objects(FeeItem, fees)
        for pk, period in zip(_next_ids(OpeningHours, len(hours)), hours, strict=True):
            period.pk = pk
        copy_objects(OpeningHours, hours)
        return [
            {
                "instrument": r["instrument"],
                "fees": r["fee_items"],
                "hours": r["hours"],
            }
            for r in records
        ]

    # -- bookings and service records (bookings.demo's spread) ----------------------------------
    def bookings_and_records(self, instruments, units, people):
        from bookings.models import Booking, ServiceRecord, SlotHold

        bookings, records, holds = [], [], []
        state = {"units": units, "enterprises": [u for u in units if u.unit_type == "enterprise"], "people": people}
        for item in instruments:
            if item["instrument"].retired_at is None:
                self.instrument(item, state, bookings, records, holds)
        ids = _next_ids(Booking, len(bookings))
        booking_rows = []
        for pk, row in zip(ids, bookings, strict=True):
            row[0] = pk
            booking_rows.append(row)
        copy_rows(Booking._meta.db_table, BOOKING_COLUMNS, booking_rows)
        # records and holds name their booking by its index in ``bookings``
        for row in records:
            if row[21] is not None:
                row[21] = bookings[row[21]][0]
        copy_rows(ServiceRecord._meta.db_table, RECORD_COLUMNS, records)
        copy_rows(SlotHold._meta.db_table, HOLD_COLUMNS, ([a, b, k, bookings[i][0], s] for a, b, k, i, s in holds))
        self.bookings += len(bookings)
        self.records += len(records)
        self.holds += len(holds)

    def _at(self, day, wall):
        return dt.datetime.combine(day, wall, tzinfo=self.tz)

    def _target_hours(self) -> int:
        roll = self.rng.random()
        if roll < 0.10:
            return self.rng.randint(0, 40)  # idle
        if roll < 0.25:
            return self.rng.randint(1350, 1750)  # busy, near the 1,600 h benchmark
        if roll < 0.85:
            return self.rng.randint(200, 1200)
        return self.rng.randint(50, 200)

    def _user(self, instrument, state):
        """(user id, name, unit): the owner's researcher, or an outside unit's (mostly enterprises)."""
        rng = self.rng
        if instrument.sharing_mode != "external" or rng.random() < 0.35:
            unit = instrument.unit
        else:
            pool = state["enterprises"] if state["enterprises"] and rng.random() < 0.7 else state["units"]
            unit = rng.choice(pool)
            if unit.pk == instrument.unit_id:
                unit = instrument.unit
        user_id, name = state["people"][unit.pk]
        return user_id, name, unit

    def _slot(self, day, opens, closes):
        start, end = self._at(day, opens), self._at(day, closes)
        span = (end - start).total_seconds() / 3600
        length = min(span, self.rng.choice([3, 4, 6, 8, 8, 9, 9]))
        offset = self.rng.randint(0, int((span - length) * 2)) / 2 if span > length else 0
        starts_at = start + dt.timedelta(hours=offset)
        return starts_at, starts_at + dt.timedelta(hours=length)

    def _fee(self, fees, external, hours, samples):
        if not fees:
            return None, Decimal("0.00")
        fee = self.rng.choice(fees)
        price = fee.external_price if external else fee.internal_price
        quantity = {"hour": hours, "sample": Decimal(samples)}.get(fee.basis, Decimal(1))
        return fee, (price * quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def instrument(self, item, state, bookings, records, holds):
        instrument, rng = item["instrument"], self.rng
        by_weekday: dict[int, list] = {}
        for h in item["hours"]:
            by_weekday.setdefault(h["weekday"], []).append((h["opens"], h["closes"]))
        bookable = bool(by_weekday) and instrument.sharing_mode != "none"
        if not by_weekday:
            by_weekday = dict.fromkeys(range(5), OFFICE_HOURS)
        target, done = self._target_hours(), 0.0
        order = list(range(365))
        rng.shuffle(order)
        used: set[int] = set()
        for i in order:
            if done >= target:
                break
            day = self.year_start + dt.timedelta(days=i)
            if i in used or day.weekday() not in by_weekday:
                continue
            if not bookable or rng.random() < 0.45:
                # A commissioned batch: staff run samples over a few consecutive open days.
                batch, j, length = [day], i + 1, rng.randint(1, 4)
                used.add(i)
                while len(batch) < length and j < 365 and j not in used:
                    other = self.year_start + dt.timedelta(days=j)
                    if other.weekday() in by_weekday:
                        batch.append(other)
                        used.add(j)
                    j += 1
                starts_at = self._at(batch[0], min(o for o, _c in by_weekday[batch[0].weekday()]))
                ends_at = self._at(batch[-1], max(c for _o, c in by_weekday[batch[-1].weekday()]))
                if ends_at >= self.now:
                    continue
                open_hours = sum(
                    (self._at(d, c) - self._at(d, o)).total_seconds() / 3600
                    for d in batch
                    for o, c in by_weekday[d.weekday()]
                )
                hours = Decimal(round(open_hours * rng.choice([0.6, 0.75, 0.9, 1]) * 2)) / 2
                done += float(hours)
                self._record(records, item, state, None, starts_at, ends_at, hours, "commission", rng.randint(4, 40))
            else:
                used.add(i)
                opens, closes = rng.choice(by_weekday[day.weekday()])
                starts_at, ends_at = self._slot(day, opens, closes)
                if ends_at >= self.now:
                    continue
                way = rng.choice(["user_operates", "user_operates", "guided", "remote"])
                samples = rng.randint(1, 12)
                user = self._user(instrument, state)
                outcome = rng.random()
                status = "no_show" if outcome < 0.04 else "cancelled" if outcome < 0.08 else "completed"
                index = self._booking(bookings, item, user, starts_at, ends_at, way, samples, status)
                if status == "completed":
                    hours = Decimal(int((ends_at - starts_at).total_seconds())) / 3600
                    done += float(hours)
                    self._record(records, item, state, index, starts_at, ends_at, hours, way, samples, user)
        if bookable and rng.random() < 0.5:
            self._upcoming(item, state, bookings, holds, by_weekday)

    def _booking(self, bookings, item, user, starts_at, ends_at, way, samples, status, decided_at=None):
        instrument = item["instrument"]
        user_id, _name, unit = user
        external = unit.pk != instrument.unit_id
        hours = Decimal(int((ends_at - starts_at).total_seconds())) / 3600
        _fee, estimate = self._fee(item["fees"], external, hours, samples)
        decided = decided_at if status in ("requested",) else (decided_at or starts_at - dt.timedelta(days=2))
        created = starts_at - dt.timedelta(days=self.rng.randint(3, 20))
        bookings.append(
            [None, starts_at, ends_at, status, self.rng.choice(self.purposes), samples, "", way, "", "none", estimate,
             "计划调整" if status == "cancelled" else "", decided, created, created, instrument.pk, user_id, unit.pk]
        )  # fmt: skip
        return len(bookings) - 1

    def _record(self, records, item, state, booking, starts_at, ends_at, hours, way, samples, user=None):
        instrument, rng = item["instrument"], self.rng
        user_id, name, unit = user or self._user(instrument, state)
        external = unit.pk != instrument.unit_id
        prep = (hours * Decimal("0.1")).quantize(Decimal("0.01"))
        post = (hours * Decimal(rng.choice(["0.05", "0.1", "0.15"]))).quantize(Decimal("0.01"))
        _fee, amount = self._fee(item["fees"], external, hours, samples)
        rated = rng.random() < 0.7
        paid = amount > 0 and rng.random() < 0.85
        records.append(
            [starts_at, ends_at, rng.choice(self.purposes), way, prep, hours - prep - post, post, hours, samples,
             amount, amount, "", "", "none", name, unit.name, external, rng.choice(self.ratings) if rated else None, "",
             ends_at + dt.timedelta(days=2) if rated else None, ends_at, booking, instrument.pk,
             user_id if booking is not None else None, unit.pk, self._invoice() if paid else "",
             min(ends_at.date() + dt.timedelta(days=rng.randint(1, 10)), self.today) if paid else None,
             "rd" if rng.random() >= 0.03 else rng.choice(self.excluded)]
        )  # fmt: skip

    def _invoice(self) -> str:
        self.invoices += 1
        return f"B-{self.invoices:08d}"

    def _upcoming(self, item, state, bookings, holds, by_weekday):
        """A few requested and approved bookings in the next four weeks, holding their slots."""
        instrument, rng = item["instrument"], self.rng
        taken = []
        for _ in range(rng.randint(1, 6)):
            day = self.today + dt.timedelta(days=rng.randint(2, 28))
            if day.weekday() not in by_weekday:
                continue
            opens, closes = rng.choice(by_weekday[day.weekday()])
            starts_at, ends_at = self._slot(day, opens, closes)
            if any(a < ends_at and starts_at < b for a, b in taken):
                continue
            taken.append((starts_at, ends_at))
            requested = instrument.needs_approval and rng.random() < 0.5
            status = "requested" if requested else "approved"
            user = self._user(instrument, state)
            index = self._booking(
                bookings, item, user, starts_at, ends_at, "guided", rng.randint(1, 6), status,
                decided_at=None if requested else self.now,
            )  # fmt: skip
            holds.append((starts_at, ends_at, "booking", index, instrument.pk))


def main(argv) -> int:
    """``python -m bench.catalogue_data DATABASE_URL [COUNT] [--registry-only]``: migrate and fill one
    database."""
    from bench.django_env import ensure_database, setup

    registry_only = "--registry-only" in argv
    argv = [a for a in argv if a != "--registry-only"]
    url, count = argv[0], int(argv[1]) if len(argv) > 1 else 100_000
    ensure_database(url)
    setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ensure_catalogue(count, registry_only=registry_only)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
