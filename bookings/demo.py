"""Demo data for bookings: twelve months of service records and bookings with a realistic spread.

Busy instruments approach the 1,600-hour benchmark, many run 200–1,200 hours, some stay idle;
internal and external users, ratings, a few rejected, cancelled and no-show bookings, and upcoming
bookings (requested and approved, holding their slots). Most services are research and development,
a few (about 3%) are of a purpose subsidies exclude; about 85% of the charged ones are paid, a few
days after the service, with an invoice number. Runs after the instruments seeder; does
nothing without instruments and nothing the second time. Bulk inserts keep it to seconds.
"""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from core.exceptions import DomainError
from instruments.invalidation import catalogue_changed
from instruments.models import Instrument
from members.models import Membership, Unit

from . import fees
from .availability import at_local, local
from .models import (
    Booking,
    BookingEvent,
    ChosenService,
    FundingSource,
    ServicePurpose,
    ServiceRecord,
    ServiceWay,
    SlotHold,
)
from .rules import is_external_use

User = get_user_model()
DEMO_PASSWORD = "demo-2026"
SEED = 20260301

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "海燕",
]
PURPOSES = [
    "稀土永磁材料微观形貌观察",
    "钢铁材料夹杂物成分分析",
    "铝合金力学性能测试",
    "催化剂比表面积测定",
    "土壤重金属含量检测",
    "药物中间体结构鉴定",
    "高纯晶硅杂质分析",
    "乳制品营养成分检测",
    "矿石物相组成分析",
    "焊接接头无损探伤",
    "磁性材料磁性能测量",
    "水质有机污染物筛查",
]
PROJECTS = [
    ("稀土功能材料关键技术研究", FundingSource.NATIONAL),
    ("高性能钕铁硼磁体制备", FundingSource.NSFC),
    ("内蒙古自治区科技重大专项", FundingSource.PROVINCIAL),
    ("包头市科技计划项目", FundingSource.LOCAL),
    ("企业新产品研发", FundingSource.ENTERPRISE),
    ("", FundingSource.NONE),
]
COMMENTS = ["", "", "数据质量好", "服务及时", "老师指导耐心", "排队时间偏长"]
RATINGS = [5] * 55 + [4] * 30 + [3] * 10 + [2] * 4 + [1]
EXCLUDED_PURPOSES = [p for p in ServicePurpose.values if p != ServicePurpose.RD]
INVOICE_PREFIX = "37020001-"


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


def seed(stdout=None):
    """Create the demo bookings and service records; a second run changes nothing."""
    if ServiceRecord.objects.exists() or Booking.objects.exists():
        _say(stdout, "bookings: demo data already present")
        return
    instruments = list(
        Instrument.objects.active()
        .filter(unit__status=Unit.Status.APPROVED)
        .select_related("unit")
        .prefetch_related("opening_hours", "fee_items")
        .order_by("pk")
    )
    if not instruments:
        _say(stdout, "bookings: no instruments, nothing to do")
        return
    rng = random.Random(SEED)
    people = _people(rng)
    now = timezone.now()
    builder = _Builder(rng, people, now)
    for instrument in instruments:
        builder.instrument(instrument)
    builder.flush()
    _showcase(now, stdout)
    _say(
        stdout,
        f"bookings: {builder.booking_count} bookings, {builder.record_count} service records "
        f"for {len(instruments)} instruments",
    )


def _showcase(now, stdout):
    """Give the demo logins something to click: 张伟 (enterprise) has a request waiting in 赵磊's
    queue (内蒙古科技大学) and a completed service of last week to rate."""
    from .availability import local_dates
    from .selectors import availability

    requester = User.objects.filter(email="enterprise@demo.local").first()
    unit = Unit.objects.filter(memberships__user=requester, memberships__status=Membership.Status.ACTIVE).first()
    instrument = (
        Instrument.objects.bookable()
        .filter(unit__name="内蒙古科技大学", needs_approval=True, opening_hours__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    if requester is None or unit is None or instrument is None:
        return
    chosen = list(instrument.fee_items.order_by("pk")[:1])
    start = at_local(local(now).date() + timedelta(days=max(2, instrument.min_lead_hours // 24 + 2)), time(0))
    for a, b in availability(instrument=instrument, start=start, end=start + timedelta(days=14))["free"]:
        if b - a >= timedelta(hours=2) and len(local_dates(a, b)) == 1:
            _demo_request(
                requester,
                unit,
                instrument,
                a,
                a + timedelta(hours=2),
                "稀土抛光粉颗粒形貌观察",
                3,
                sample_description="CeO2 抛光粉 3 份",
            )
            break
    past = at_local(local(now).date() - timedelta(days=6), time(9))
    external = is_external_use(user_unit_id=unit.pk, owner_unit_id=instrument.unit_id)
    amount = fees.fee_total(fees.fee_lines(fees.snapshots(chosen, external=external), hours=3, samples=4, days=1))
    booking = Booking.objects.create(
        instrument=instrument,
        requester=requester,
        unit=unit,
        starts_at=past,
        ends_at=past + timedelta(hours=3),
        status=Booking.Status.COMPLETED,
        purpose="钕铁硼磁体断口形貌观察",
        sample_count=4,
        service_way=ServiceWay.USER_OPERATES,
        fee_estimate=amount,
    )
    BookingEvent.objects.create(
        booking=booking, from_status=Booking.Status.APPROVED, to_status=Booking.Status.COMPLETED
    )
    record = ServiceRecord.objects.create(
        instrument=instrument,
        booking=booking,
        started_at=past,
        ended_at=past + timedelta(hours=3),
        service_content=booking.purpose,
        service_way=booking.service_way,
        measurement_hours=Decimal("3"),
        hours=Decimal("3"),
        sample_count=4,
        user=requester,
        user_name=requester.name,
        user_unit=unit,
        user_unit_name=unit.name,
        is_external=external,
        computed_amount=amount,
        amount=amount,
    )
    booking_rows, record_rows = fees.snapshots(chosen, external=external), fees.snapshots(chosen, external=external)
    for service in booking_rows:
        service.booking = booking
    for service in record_rows:
        service.service_record = record
    ChosenService.objects.bulk_create(booking_rows + record_rows)
    _ready_to_complete(now, instrument, requester, unit)
    _week_of_requests(now, instrument.unit)
    _say(stdout, f"bookings: showcase on {instrument.name} for {requester.email}")


def _free_day_slots(instrument, days, hours: int):
    """(start, end) of ``hours`` at the opening of each of ``days`` the instrument is open, where no
    booking of any status lies (the seeded past sessions hold no slot, so bookings are checked)."""
    from .availability import opening_periods

    for day in days:
        start, end = at_local(day, time(0)), at_local(day + timedelta(days=1), time(0))
        for opens, closes in opening_periods(instrument.opening_hours.all(), start, end):
            a, b = opens, opens + timedelta(hours=hours)
            taken = Booking.objects.filter(instrument=instrument, starts_at__lt=b, ends_at__gt=a).exists()
            if b <= closes and not taken:
                yield a, b
                break


def _ready_to_complete(now, instrument, requester, unit):
    """Two of 张伟's bookings of the last days, requested and approved through the services before
    they began, and not completed yet: 赵磊 can turn them into service records (the step subsidies
    and reports start from)."""
    from .services import booking_approve

    manager = User.objects.filter(email="manager@demo.local").first()
    if manager is None:
        return
    today = local(now).date()
    days = [today - timedelta(days=n) for n in range(1, 10)]
    purposes = ["稀土永磁材料晶粒尺寸统计", "抛光粉团聚状态观察"]
    for (a, b), purpose in zip(_free_day_slots(instrument, days, 2), purposes, strict=False):
        booking = _demo_request(requester, unit, instrument, a, b, purpose, 2, now=a - timedelta(days=7))
        if booking.status == Booking.Status.REQUESTED:
            booking_approve(actor=manager, booking=booking)


def _week_of_requests(now, owner):
    """Requests waiting in 赵磊's queue for each of the next seven days, from the demo's enterprise
    researchers, on the instruments of his unit that need approval."""
    enterprises = list(
        Membership.objects.filter(status=Membership.Status.ACTIVE, unit__unit_type=Unit.Type.ENTERPRISE)
        .exclude(unit=owner)
        .select_related("user", "unit")
        .order_by("pk")[:7]
    )
    instruments = list(
        Instrument.objects.bookable()
        .filter(unit=owner, needs_approval=True, opening_hours__isnull=False)
        .distinct()
        .prefetch_related("opening_hours", "fee_items")
        .order_by("pk")
    )
    if not enterprises or not instruments:
        return
    today = local(now).date()
    for offset in range(1, 8):
        instrument = instruments[offset % len(instruments)]
        member = enterprises[offset % len(enterprises)]
        day = today + timedelta(days=offset + max(1, instrument.min_lead_hours // 24))
        for a, b in _free_day_slots(instrument, [day, day + timedelta(days=1), day + timedelta(days=2)], 2):
            try:
                _demo_request(
                    member.user,
                    member.unit,
                    instrument,
                    a,
                    b,
                    PURPOSES[offset % len(PURPOSES)],
                    offset,
                    project_name="企业委托检测",
                )
            except DomainError:  # a rule of this instrument (lead time, hours): try the next day
                continue
            break


def _people(rng) -> dict[int, list]:
    """Bookers per approved unit: its existing active members plus one demo researcher each."""
    units = list(Unit.objects.approved().order_by("pk"))
    existing = {u.email for u in User.objects.filter(email__startswith="researcher", email__endswith="@demo.local")}
    password = make_password(DEMO_PASSWORD)
    new_users = []
    for unit in units:
        email = f"researcher{unit.pk}@demo.local"
        if email not in existing:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            new_users.append(User(email=email, name=name, password=password, phone="13904729000"))
    User.objects.bulk_create(new_users)
    by_email = {u.email: u for u in User.objects.filter(email__startswith="researcher", email__endswith="@demo.local")}
    Membership.objects.bulk_create(
        [
            Membership(user=by_email[f"researcher{u.pk}@demo.local"], unit=u, status=Membership.Status.ACTIVE)
            for u in units
        ],
        ignore_conflicts=True,
    )
    people: dict[int, list] = {}
    for m in Membership.objects.active().filter(unit__in=units).select_related("user", "unit"):
        people.setdefault(m.unit_id, []).append((m.user, m.unit))
    return people


class _Builder:
    """Accumulates rows per instrument and writes them in bulk."""

    def __init__(self, rng, people, now):
        self.rng, self.people, self.now = rng, people, now
        # Purposes and payments draw from their own generator, so the rest of the data stays as it was.
        self.payments = random.Random(SEED + 1)
        self.invoice_count = 0
        self.today = local(now).date()
        self.units = [unit for rows in people.values() for _user, unit in rows[:1]]
        self.enterprise_units = [u for u in self.units if u.unit_type == Unit.Type.ENTERPRISE] or self.units
        self.bookings, self.records, self.holds, self.chosen = [], [], [], []
        self.booking_count = self.record_count = 0
        self.year_start = local(now).date() - timedelta(days=365)

    # -- per instrument ----------------------------------------------------------------------
    def instrument(self, instrument):
        by_weekday: dict[int, list] = {}
        for h in instrument.opening_hours.all():
            by_weekday.setdefault(h.weekday, []).append((h.opens, h.closes))
        # Without published hours or sharing, the owner still uses the instrument in office hours
        # and enters those services by hand: records without bookings.
        bookable = bool(by_weekday) and instrument.sharing_mode != Instrument.SharingMode.NONE
        if not by_weekday:
            by_weekday = {d: [(time(8, 30), time(17, 30))] for d in range(5)}
        target = self._target_hours()
        order = list(range(365))
        self.rng.shuffle(order)
        used: set[int] = set()
        done = Decimal("0")
        for i in order:
            if done >= target:
                break
            day = self.year_start + timedelta(days=i)
            if i in used or day.weekday() not in by_weekday:
                continue
            if not bookable or self.rng.random() < 0.45:
                # A commissioned batch: staff run samples over a few consecutive open days.
                batch, j, length = [i], i + 1, self.rng.randint(1, 4)
                while len(batch) < length and j < 365 and j not in used:
                    if (self.year_start + timedelta(days=j)).weekday() in by_weekday:
                        batch.append(j)
                    j += 1
                used.update(batch)
                done += self._commission(instrument, [self.year_start + timedelta(days=d) for d in batch], by_weekday)
            else:
                used.add(i)
                opens, closes = self.rng.choice(by_weekday[day.weekday()])
                done += self._session(instrument, day, opens, closes)
        if bookable:
            self._upcoming(instrument, sorted((wd, o, c) for wd, rows in by_weekday.items() for o, c in rows))

    def _target_hours(self) -> Decimal:
        roll = self.rng.random()
        if roll < 0.10:
            return Decimal(self.rng.randint(0, 40))  # idle
        if roll < 0.25:
            return Decimal(self.rng.randint(1350, 1750))  # busy, near the 1,600 h benchmark
        if roll < 0.85:
            return Decimal(self.rng.randint(200, 1200))
        return Decimal(self.rng.randint(50, 200))

    def _user(self, instrument):
        internal = instrument.sharing_mode != Instrument.SharingMode.EXTERNAL or self.rng.random() < 0.35
        if internal:
            unit_people = self.people.get(instrument.unit_id)
            if unit_people:
                return self.rng.choice(unit_people)
        unit = self.rng.choice(self.enterprise_units if self.rng.random() < 0.7 else self.units)
        if not is_external_use(user_unit_id=unit.pk, owner_unit_id=instrument.unit_id) and len(self.units) > 1:
            unit = self.rng.choice(
                [u for u in self.units if is_external_use(user_unit_id=u.pk, owner_unit_id=instrument.unit_id)]
            )
        return self.rng.choice(self.people[unit.pk])

    def _slot(self, day, opens, closes):
        start = at_local(day, opens)
        end = at_local(day, closes)
        length = min((end - start).total_seconds() / 3600, self.rng.choice([3, 4, 6, 8, 8, 9, 9]))
        slack = (end - start).total_seconds() / 3600 - length
        offset = self.rng.randint(0, int(slack * 2)) / 2 if slack > 0 else 0
        starts_at = start + timedelta(hours=offset)
        return starts_at, starts_at + timedelta(hours=length)

    def _commission(self, instrument, days, by_weekday) -> Decimal:
        starts_at = at_local(days[0], min(o for o, _c in by_weekday[days[0].weekday()]))
        ends_at = at_local(days[-1], max(c for _o, c in by_weekday[days[-1].weekday()]))
        if ends_at >= self.now:
            return Decimal("0")
        open_hours = sum(
            fees.hours_between(at_local(d, o), at_local(d, c)) for d in days for o, c in by_weekday[d.weekday()]
        )
        hours = (open_hours * Decimal(self.rng.choice(["0.6", "0.75", "0.9", "1"])) * 2).quantize(Decimal("1")) / 2
        user, unit = self._user(instrument)
        self._record(
            instrument, None, user, unit, starts_at, ends_at, hours, ServiceWay.COMMISSION, self.rng.randint(4, 40)
        )
        return hours

    def _session(self, instrument, day, opens, closes) -> Decimal:
        starts_at, ends_at = self._slot(day, opens, closes)
        if ends_at >= self.now:
            return Decimal("0")
        user, unit = self._user(instrument)
        way = self.rng.choice(
            [ServiceWay.USER_OPERATES, ServiceWay.USER_OPERATES, ServiceWay.GUIDED, ServiceWay.REMOTE]
        )
        samples = self.rng.randint(1, 12)
        project, funding = self.rng.choice(PROJECTS)
        booking = self._booking(instrument, user, unit, starts_at, ends_at, way, samples, project, funding)
        outcome = self.rng.random()
        if outcome < 0.04:
            booking.status = Booking.Status.NO_SHOW
            return Decimal("0")
        if outcome < 0.08:
            booking.status = Booking.Status.CANCELLED
            booking.decision_reason = "计划调整"
            return Decimal("0")
        booking.status = Booking.Status.COMPLETED
        hours = fees.hours_between(starts_at, ends_at)
        self._record(instrument, booking, user, unit, starts_at, ends_at, hours, way, samples, project, funding)
        return hours

    def _record(
        self, instrument, booking, user, unit, starts_at, ends_at, hours, way, samples, project=None, funding=None
    ):
        if project is None:
            project, funding = self.rng.choice(PROJECTS)
        prep = (hours * Decimal("0.1")).quantize(Decimal("0.01"))
        post = (hours * Decimal(self.rng.choice(["0.05", "0.1", "0.15"]))).quantize(Decimal("0.01"))
        external = is_external_use(user_unit_id=unit.pk, owner_unit_id=instrument.unit_id)
        # A record of a booking charges the service chosen with the booking; a commission, one of its own.
        service = self._service(instrument, external, booking._demo_service if booking else None)
        amount = self._fee(service, hours, samples, starts_at, ends_at)
        rated = self.rng.random() < 0.7
        purpose, paid_on, invoice_number = self._payment(amount, ends_at)
        self.records.append(
            ServiceRecord(
                instrument=instrument,
                booking=booking,
                started_at=starts_at,
                ended_at=ends_at,
                service_content=self.rng.choice(PURPOSES),
                service_way=way,
                preparation_hours=prep,
                measurement_hours=hours - prep - post,
                post_processing_hours=post,
                hours=hours,
                sample_count=samples,
                computed_amount=amount,
                amount=amount,
                project_name=project,
                funding_source=funding,
                user=user if booking else None,
                user_name=user.name,
                user_unit=unit,
                user_unit_name=unit.name,
                is_external=external,
                rating=self.rng.choice(RATINGS) if rated else None,
                rating_comment=self.rng.choice(COMMENTS) if rated else "",
                rated_at=ends_at + timedelta(days=2) if rated else None,
                purpose=purpose,
                paid_on=paid_on,
                invoice_number=invoice_number,
            )
        )
        if service:
            service.service_record = self.records[-1]
            self.chosen.append(service)
        self._maybe_flush()

    def _payment(self, amount: Decimal, ends_at):
        """The purpose (research and development but for ~3%) and, for ~85% of the charged
        services, the day the user paid (a few days after the service, never after today) and
        the invoice number."""
        rng = self.payments
        purpose = rng.choice(EXCLUDED_PURPOSES) if rng.random() < 0.03 else ServicePurpose.RD
        if amount <= 0 or rng.random() >= 0.85:
            return purpose, None, ""
        self.invoice_count += 1
        paid_on = min(local(ends_at).date() + timedelta(days=rng.randint(1, 10)), self.today)
        return purpose, paid_on, f"{INVOICE_PREFIX}{self.invoice_count:06d}"

    def _service(self, instrument, external: bool, chosen=None):
        """The user's choice: one of the instrument's fee items (prefetched), or None without any."""
        items = instrument.fee_items.all()
        if chosen is None and not items:
            return None
        item = chosen.fee_item if chosen else self.rng.choice(list(items))
        return fees.snapshots([item], external=external)[0]

    def _fee(self, service, hours: Decimal, samples: int, starts_at, ends_at) -> Decimal:
        if service is None:
            return Decimal("0.00")
        days = fees.days_begun(starts_at, ends_at)
        return fees.fee_total(fees.fee_lines([service], hours=hours, samples=samples, days=days))

    def _booking(self, instrument, user, unit, starts_at, ends_at, way, samples, project, funding, status=None):
        external = is_external_use(user_unit_id=unit.pk, owner_unit_id=instrument.unit_id)
        service = self._service(instrument, external)
        fee = self._fee(service, fees.hours_between(starts_at, ends_at), samples, starts_at, ends_at)
        booking = Booking(
            instrument=instrument,
            requester=user,
            unit=unit,
            starts_at=starts_at,
            ends_at=ends_at,
            status=status or Booking.Status.APPROVED,
            purpose=self.rng.choice(PURPOSES),
            sample_count=samples,
            service_way=way,
            project_name=project,
            funding_source=funding,
            fee_estimate=fee,
            decided_at=starts_at - timedelta(days=2),
        )
        booking._demo_service = service
        if service:
            service.booking = booking
            self.chosen.append(service)
        self.bookings.append(booking)
        return booking

    def _upcoming(self, instrument, periods):
        """A few requested and approved bookings in the next four weeks, holding their slots."""
        if self.rng.random() < 0.5:
            return
        today = local(self.now).date()
        for _ in range(self.rng.randint(1, 6)):
            day = today + timedelta(days=self.rng.randint(2, 28))
            todays = [p for p in periods if p[0] == day.weekday()]
            if not todays:
                continue
            _wd, opens, closes = self.rng.choice(todays)
            starts_at, ends_at = self._slot(day, opens, closes)
            if any(
                h.instrument_id == instrument.pk and h.starts_at < ends_at and starts_at < h.ends_at for h in self.holds
            ):
                continue
            user, unit = self._user(instrument)
            status = Booking.Status.REQUESTED if instrument.needs_approval and self.rng.random() < 0.5 else None
            project, funding = self.rng.choice(PROJECTS)
            booking = self._booking(
                instrument,
                user,
                unit,
                starts_at,
                ends_at,
                ServiceWay.GUIDED,
                self.rng.randint(1, 6),
                project,
                funding,
                status,
            )
            booking.decided_at = None if status else self.now
            self.holds.append(
                SlotHold(
                    instrument=instrument,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    kind=SlotHold.Kind.BOOKING,
                    booking=booking,
                )
            )

    # -- writing -----------------------------------------------------------------------------
    def _maybe_flush(self):
        if len(self.records) >= 5000:
            self.flush()

    def flush(self):
        Booking.objects.bulk_create(self.bookings, batch_size=2000)
        # One event per demo booking (its last change) keeps the history readable and the seed fast.
        events = [
            BookingEvent(
                booking=b,
                from_status=""
                if b.status == Booking.Status.REQUESTED
                else Booking.Status.REQUESTED
                if b.status in (Booking.Status.APPROVED, Booking.Status.CANCELLED)
                else Booking.Status.APPROVED,
                to_status=b.status,
                reason=b.decision_reason,
                actor=b.requester if b.status in (Booking.Status.REQUESTED, Booking.Status.CANCELLED) else None,
            )
            for b in self.bookings
        ]
        BookingEvent.objects.bulk_create(events, batch_size=5000)
        for record in self.records:
            record.booking_id = record.booking.pk if record.booking else None
        ServiceRecord.objects.bulk_create(self.records, batch_size=2000)
        for hold in self.holds:
            hold.booking_id = hold.booking.pk
        SlotHold.objects.bulk_create(self.holds, batch_size=2000)
        catalogue_changed()  # bulk writes send no signals; holds decide free-between
        for service in self.chosen:
            service.booking_id = service.booking.pk if service.booking else None
            service.service_record_id = service.service_record.pk if service.service_record else None
        ChosenService.objects.bulk_create(self.chosen, batch_size=5000)
        self.booking_count += len(self.bookings)
        self.record_count += len(self.records)
        self.bookings, self.records, self.holds, self.chosen = [], [], [], []


__all__ = ["seed"]


def _demo_request(user, unit, instrument, a, b, purpose, samples, *, project_name="企业新产品研发", **extra):
    """An enterprise's guided service request through the booking service, for the instrument's
    first fee item (``extra``: a sample description, the ``now`` it was asked at)."""
    from .services import booking_request

    return booking_request(
        user=user,
        unit=unit,
        instrument=instrument,
        starts_at=a,
        ends_at=b,
        purpose=purpose,
        sample_count=samples,
        service_way=ServiceWay.GUIDED,
        project_name=project_name,
        funding_source=FundingSource.ENTERPRISE,
        fee_items=list(instrument.fee_items.order_by("pk")[:1]),
        **extra,
    )
