"""Demo data for innovation vouchers: this year's Shanghai-preset voucher programme of 包头市.

Nine SME enterprises apply for a quota: two wait for the bureau, one is refused, one was granted
three days ago and is not used yet, three are in use (one granted less than asked, with the
reason), one is used up (its last service drew only what was left) and one expired a fortnight ago
(granted a year before its end, so its year of validity is over; ``vouchers_expire`` released what
it left, an ``expiry`` entry). The vouchers in use are granted on 2 January, so the year's services
count. Each draw is a real booking of a member of the enterprise on an eligible instrument (the
dearer half of those open to it), requested, approved and completed through the bookings services
in the order of the services' days: the completion's hook draws the voucher's share at once; then
the owner records that the user paid its part. One provider (not 赵磊's unit, which is left with
services to redeem itself) redeemed its voucher-paid services of the last settlement quarter that
ended: submitted, reviewed, approved, on public notice and paid by the finance officer.

Early in a year (before about 10 February) the services window starts 40 days back, so that every
state can still be shown. Runs after the reimbursement demo; does nothing without the demo bureau
officer, eligible enterprises or instruments, and nothing when the programme exists (by name)."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, Q
from django.utils import timezone

from bookings.availability import at_local
from bookings.exceptions import BookingRuleError, SlotTaken
from bookings.models import Booking, FundingSource, ServiceRecord, ServiceWay
from bookings.services import (
    booking_approve,
    booking_complete,
    booking_request,
    service_record_mark_paid,
)
from bookings.services.booking import hold_conflicts
from core.money import format_yuan
from instruments.models import FeeItem, Instrument, OpeningHours
from members.models import Membership, Notification, Unit
from members.selectors import related_unit_ids

from .. import rules, services
from ..models import Programme, Voucher, VoucherDraw, VoucherRedemption
from ..presets import PRESETS
from ..services.redemptions import unredeemed_draws
from .actors import Actors

SEED = 20261215
CITY = "包头市"
NAME = "{year}年度包头市科技创新券（大型科学仪器共享服务）"
BUDGET = Decimal("2000000.00")
INVOICE_PREFIX = "15020002-"  # the users' invoices for their part of voucher-paid services
SHOWCASE_ENTERPRISE = "包头稀宝新材料科技有限公司"  # 张伟, enterprise@demo.local: a voucher in use
SHOWCASE_PROVIDER = "内蒙古科技大学"  # 赵磊: left with voucher-paid services of his own to redeem
EARLY_DAYS = 40  # at least this many days of the window lie before today
EXPIRED_DAYS_AGO = 15
NOTICE_TO_PAYMENT = 2  # the redemption is paid this many days before today

# (target, quota asked, quota granted when smaller, services drawn on it). In a service, "period"
# is the redeemed settlement period and "year" the window up to yesterday; "redeemer" is the
# provider that redeems, "showcase" 赵磊's unit, None any eligible provider.
PLAN = [
    ("active", "30000.00", None, [("period", "redeemer"), ("period", "showcase"), ("year", None), ("year", None)]),
    ("active", "50000.00", None, [("period", "redeemer"), ("period", "redeemer"), ("period", None), ("year", None)]),
    ("active", "30000.00", "20000.00", [("period", "showcase"), ("year", None)]),
    ("granted", "20000.00", None, []),
    ("exhausted", "8000.00", None, [("period", "redeemer")] + [("year", None)] * 12),  # until used up
    ("expired", "10000.00", None, [("expired", None), ("expired", None)]),
    ("refused", "30000.00", None, []),
    ("requested", "20000.00", None, []),
    ("requested", "50000.00", None, []),
]
PURPOSES = [
    "稀土永磁材料晶界扩散工艺研发中的微观结构表征",
    "高性能抛光粉粒度与形貌一致性研究",
    "新型稀土催化材料的成分与物相分析",
    "电机用磁钢温度稳定性测试方法研究",
    "高纯稀土金属杂质元素检测方法开发",
]
PROJECTS = ["企业新产品研发", "包头市科技计划项目", "稀土功能材料关键技术研究"]
SERVICES = ["样品微观形貌观察", "元素成分分析", "物相结构测定", "力学性能测试", "磁性能测量"]
LESS = "按企业上年度研发投入核定，额度核减为 %s 元。"
REFUSED = "申请单位不在科技型中小企业入库名单内，不符合本年度创新券申领条件。"
SEARCH_DAYS = 14  # a service planned on a day with no free slot moves to one of the next days
TRIES_A_DAY = 3


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


@dataclass(frozen=True)
class Timeline:
    today: date
    services_from: date
    grant_on: date  # the vouchers in use are valid from this day
    expired_until: date  # the expired voucher's last valid day
    period_start: date  # the redeemed settlement period
    period_end: date
    notice_on: date
    paid_on: date


def timeline(today: date) -> Timeline:
    """The demo's days: the services window is the calendar year (from 40 days back early in a
    year); the redeemed period is the last quarter that ended twelve days or more before today
    (before the first one, the window's beginning to twelve days ago)."""
    grant_on = min(date(today.year, 1, 2), today - timedelta(days=EARLY_DAYS))
    services_from = min(date(today.year, 1, 1), grant_on)
    last = today - timedelta(days=12)
    ends = [date(today.year - 1, 12, 31), date(today.year, 3, 31), date(today.year, 6, 30), date(today.year, 9, 30)]
    ended = [end for end in ends if services_from < end <= last]
    if ended:
        period_end = ended[-1]
        period_start = max(date(period_end.year, period_end.month - 2, 1), services_from)
    else:
        period_start, period_end = services_from, last
    paid_on = today - timedelta(days=NOTICE_TO_PAYMENT)
    return Timeline(
        today=today,
        services_from=services_from,
        grant_on=grant_on,
        expired_until=today - timedelta(days=EXPIRED_DAYS_AGO),
        period_start=period_start,
        period_end=period_end,
        notice_on=paid_on - timedelta(days=8),  # a 7-day notice ends the day before the payment
        paid_on=paid_on,
    )


@transaction.atomic  # the notifications are marked sent before the commit would mail them
def seed(stdout=None):
    """Create the demo voucher programme, its vouchers, draws and a paid redemption; a second run
    changes nothing."""
    today = timezone.localdate()
    name = NAME.format(year=today.year)
    if Programme.objects.filter(name=name).exists():
        _say(stdout, "subsidies: demo voucher programme already present")
        return
    rng = random.Random(SEED)
    actors = Actors(rng)
    preview = Programme(**(PRESETS["shanghai"]["fields"] | {"region_city": CITY}))  # its rules, before it exists
    instruments = candidates(preview)
    enterprises = [u for u in _enterprises() if rules.applicant_problem(preview, u) is None]
    if actors.bureau is None or not instruments or not enterprises:
        _say(stdout, "subsidies: no demo bureau officer, eligible enterprises or instruments, no voucher programme")
        return
    days = timeline(today)
    before = Notification.objects.aggregate(top=Max("pk"))["top"] or 0
    programme = services.programme_create(
        actor=actors.bureau,
        preset="shanghai",
        name=name,
        year=today.year,
        services_from=days.services_from,
        services_until=date(today.year, 12, 31),
        applies_from=days.services_from - timedelta(days=31),
        applies_until=date(today.year, 12, 31),
        budget=BUDGET,
        region_city=CITY,
    )
    draws = Draws(rng, actors, programme, days, instruments)
    for unit, (target, asked, granted, planned) in zip(_assign(enterprises, rng), PLAN, strict=False):
        voucher = _voucher(actors, programme, unit, target, Decimal(asked), granted, days)
        draws.serve_all(voucher, planned, until_exhausted=target == "exhausted")
    services.vouchers_expire(today=today)
    redemption = _redeem(actors, programme, draws.redeemer, days)
    Notification.objects.filter(pk__gt=before, sent_at__isnull=True).update(sent_at=timezone.now())  # as _no_mail
    _report(stdout, programme, draws, redemption)


def _enterprises() -> list[Unit]:
    return list(Unit.objects.approved().filter(unit_type=Unit.Type.ENTERPRISE).order_by("pk"))


def _assign(enterprises: list[Unit], rng) -> list[Unit]:
    """The showcase enterprise first (its voucher is in use), the others shuffled."""
    first = [u for u in enterprises if u.name == SHOWCASE_ENTERPRISE]
    others = [u for u in enterprises if u.name != SHOWCASE_ENTERPRISE]
    rng.shuffle(others)
    return first + others


def _voucher(actors, programme, unit, target, asked, granted, days: Timeline) -> Voucher:
    """The enterprise's administrator applies; the bureau decides as the target wants."""
    voucher = services.voucher_apply(
        actor=actors.admin(unit),
        programme=programme,
        unit=unit,
        amount=asked,
        purpose=actors.rng.choice(PURPOSES),
        project_name=actors.rng.choice(PROJECTS),
    )
    if target == "requested":
        return voucher
    if target == "refused":
        return services.voucher_refuse(actor=actors.bureau, voucher=voucher, reason=REFUSED)
    if target == "granted":
        grant_on = days.today - timedelta(days=3)
    elif target == "expired":  # valid for the programme's days up to ``expired_until``
        grant_on = days.expired_until - timedelta(days=(programme.voucher_validity_days or 365) - 1)
    else:
        grant_on = days.grant_on
    return services.voucher_grant(
        actor=actors.bureau,
        voucher=voucher,
        amount=Decimal(granted) if granted else None,
        reason=LESS % f"{Decimal(granted):,.0f}" if granted else "",
        today=grant_on,
    )


def candidates(programme: Programme) -> list[Instrument]:
    """Bookable instruments whose services count in the programme, with an hourly fee."""
    hourly = FeeItem.objects.filter(basis=FeeItem.Basis.HOUR, external_price__gt=0).order_by("pk")
    instruments = (
        Instrument.objects.bookable()
        .filter(original_value__gte=programme.min_instrument_value)
        .filter(Q(city=programme.region) | Q(city=""))
        .filter(Exists(hourly.filter(instrument=OuterRef("pk"))))
        .filter(Exists(OpeningHours.objects.filter(instrument=OuterRef("pk"))))
        .select_related("unit")
        .prefetch_related("opening_hours", Prefetch("fee_items", queryset=hourly, to_attr="hourly"))
        .order_by("pk")[:200]
    )
    return [instrument for instrument in instruments if instrument.hourly]


class Draws:
    """Services of voucher holders on eligible instruments, booked, approved, completed and paid
    through the bookings services; the completion draws on the voucher."""

    def __init__(self, rng, actors: Actors, programme: Programme, days: Timeline, instruments: list[Instrument]):
        self.rng, self.actors, self.programme, self.days = rng, actors, programme, days
        self.instruments = instruments
        self._related: dict[int, frozenset] = {}
        self._members: dict[int, list] = {}
        self._invoices = ServiceRecord.objects.filter(invoice_number__startswith=INVOICE_PREFIX).count()
        self.made = 0
        by_unit: dict[int, int] = {}
        for instrument in self.instruments:
            by_unit[instrument.unit_id] = by_unit.get(instrument.unit_id, 0) + 1
        units = {i.unit_id: i.unit for i in self.instruments}
        showcase = [pk for pk, unit in units.items() if unit.name == SHOWCASE_PROVIDER]
        self.showcase = units[showcase[0]] if showcase else None
        others = sorted((pk for pk in by_unit if units[pk] != self.showcase), key=lambda pk: (-by_unit[pk], pk))
        self.redeemer = units[others[0]] if others else self.showcase

    def provider(self, who):
        return {"redeemer": self.redeemer, "showcase": self.showcase}.get(who)

    def _window(self, voucher: Voucher, when: str) -> tuple[date, date]:
        days = self.days
        first, last = voucher.valid_from, min(voucher.valid_until, days.today - timedelta(days=1))
        if when == "period":
            first, last = max(first, days.period_start), min(last, days.period_end)
        elif when == "expired":
            last = min(last, days.expired_until)
        return max(first, self.programme.services_from), last

    def _member(self, unit: Unit):
        if unit.pk not in self._members:
            self._members[unit.pk] = [
                m.user for m in Membership.objects.active().filter(unit=unit).select_related("user").order_by("pk")
            ] or [self.actors.admin(unit)]
        return self.rng.choice(self._members[unit.pk])

    def _choices(self, unit: Unit, provider, dearest: bool) -> list[Instrument]:
        if unit.pk not in self._related:
            self._related[unit.pk] = related_unit_ids(unit)
        allowed = [i for i in self.instruments if i.unit_id != unit.pk and i.unit_id not in self._related[unit.pk]]
        if provider is not None:
            allowed = [i for i in allowed if i.unit_id == provider.pk]
        # Enterprises go to the dearer half of the instruments open to them (the voucher pays half).
        by_price = sorted(allowed, key=lambda i: (-i.hourly[0].external_price, i.pk))
        return by_price[:5] if dearest else by_price[: (len(by_price) + 1) // 2]

    def _slot(self, instrument: Instrument, day: date):
        """A free slot of three to eight hours at the start of one of the day's opening periods."""
        periods = [(h.opens, h.closes) for h in instrument.opening_hours.all() if h.weekday == day.weekday()]
        if not periods:
            return None
        opens, closes = self.rng.choice(sorted(periods))
        start, end = at_local(day, opens), at_local(day, closes)
        longest = min((end - start).total_seconds() / 60, instrument.max_slot_minutes)
        minutes = min(self.rng.choice([180, 240, 240, 360, 480]), int(longest) // 30 * 30)
        if minutes < max(instrument.min_slot_minutes, 120):
            return None
        end = start + timedelta(minutes=minutes)
        busy = ServiceRecord.objects.filter(instrument=instrument, started_at__lt=end, ended_at__gt=start).exists()
        if busy or hold_conflicts(instrument_id=instrument.pk, starts_at=start, ends_at=end).exists():
            return None
        return start, end

    def serve_all(self, voucher: Voucher, planned, *, until_exhausted: bool = False) -> None:
        """The planned services of the voucher's enterprise, each on a day of its window, made in
        the order of their days (so the balance runs down as it would have); with
        ``until_exhausted``, on the dearest instruments and only until the voucher is used up."""
        picks = []
        for when, who in planned:
            first, last = self._window(voucher, when)
            if first <= last:
                day = first + timedelta(days=self.rng.randint(0, (last - first).days))
                picks.append((day, last, self.provider(who)))
        for day, last, provider in sorted(picks, key=lambda pick: pick[0]):
            if until_exhausted:
                voucher.refresh_from_db()
                if voucher.status == Voucher.Status.EXHAUSTED:
                    return
            self.serve(voucher, day=day, last=last, provider=provider, dearest=until_exhausted and provider is None)

    def serve(self, voucher: Voucher, *, day: date, last: date, provider=None, dearest=False) -> VoucherDraw | None:
        """One service of the voucher's enterprise on ``day`` or soon after (never after
        ``last``), on ``provider``'s instruments when given; the draw its completion made, or None
        when no free slot was found."""
        choices = self._choices(voucher.unit, provider, dearest)
        if not choices:
            return None
        for offset in range(SEARCH_DAYS):
            if day + timedelta(days=offset) > last:
                break
            for _ in range(TRIES_A_DAY):
                instrument = self.rng.choice(choices)
                slot = self._slot(instrument, day + timedelta(days=offset))
                record = self._book_and_complete(voucher.unit, instrument, *slot) if slot else None
                if record is not None:
                    return VoucherDraw.objects.filter(service_record=record).first()
        return None

    def _request(self, user, unit: Unit, instrument: Instrument, start, end) -> Booking:
        return booking_request(
            user=user,
            unit=unit,
            instrument=instrument,
            starts_at=start,
            ends_at=end,
            purpose=self.rng.choice(PURPOSES),
            sample_count=self.rng.randint(2, 8),
            service_way=self.rng.choice([ServiceWay.GUIDED, ServiceWay.USER_OPERATES]),
            project_name=self.rng.choice(PROJECTS),
            funding_source=FundingSource.ENTERPRISE,
            fee_items=[instrument.hourly[0]],
            now=start - timedelta(hours=instrument.min_lead_hours + 24),
        )

    def _book_and_complete(self, unit: Unit, instrument: Instrument, start, end) -> ServiceRecord | None:
        """The booking requested a day before the instrument's notice, approved by the owner's
        manager, completed and its user's part paid; None if the instrument's rules refuse it."""
        user, manager = self._member(unit), self.actors.manager(instrument.unit)
        try:
            booking = self._request(user, unit, instrument, start, end)
        except (BookingRuleError, SlotTaken):
            return None
        if booking.status == Booking.Status.REQUESTED:
            booking = booking_approve(actor=manager, booking=booking)
        hours = Decimal(int((end - start).total_seconds())) / 3600
        record = booking_complete(
            actor=manager,
            booking=booking,
            actual_start=start,
            actual_end=end,
            preparation_hours=Decimal("0.5"),
            measurement_hours=hours - 1,
            post_processing_hours=Decimal("0.5"),
            sample_count=booking.sample_count,
            service_content=self.rng.choice(SERVICES),
        )
        self.made += 1
        self._invoices += 1
        paid_on = min(timezone.localdate(start) + timedelta(days=self.rng.randint(1, 7)), self.days.today)
        return service_record_mark_paid(
            actor=manager, record=record, paid_on=paid_on, invoice_number=f"{INVOICE_PREFIX}{self._invoices:06d}"
        )


def _redeem(actors, programme, provider, days: Timeline) -> VoucherRedemption | None:
    """The provider redeems the period's voucher-paid services; the bureau reviews, approves and
    publicises; the finance officer pays after the notice."""
    if provider is None:
        return None
    waiting = unredeemed_draws(
        programme=programme, provider=provider, period_start=days.period_start, period_end=days.period_end
    )
    if not waiting.exists():
        return None
    manager, bureau = actors.manager(provider), actors.bureau
    redemption = services.redemption_create(
        actor=manager,
        programme=programme,
        provider=provider,
        period_start=days.period_start,
        period_end=days.period_end,
    )
    services.redemption_submit(actor=manager, redemption=redemption)
    services.redemption_start_review(actor=bureau, redemption=redemption)
    services.redemption_approve(actor=bureau, redemption=redemption)
    services.redemption_publicise(actor=bureau, redemption=redemption, today=days.notice_on)
    return services.redemption_pay(
        actor=actors.finance,
        redemption=redemption,
        reference=f"国库集中支付 {programme.year}-V001",
        today=days.paid_on,
    )


def _report(stdout, programme: Programme, draws: Draws, redemption):
    programme.refresh_from_db()
    statuses = sorted(set(Voucher.objects.filter(programme=programme).values_list("status", flat=True)))
    drawn = VoucherDraw.objects.filter(voucher__programme=programme)
    paid = (
        f"redemption {redemption.number} of {redemption.provider.name} paid {format_yuan(redemption.amount)}"
        if redemption
        else "no redemption"
    )
    _say(
        stdout,
        f"subsidies: {programme.name}: {Voucher.objects.filter(programme=programme).count()} vouchers "
        f"({', '.join(statuses)}), {drawn.count()} services drawn on them ({draws.made} bookings completed), "
        f"{paid}; "
        f"{format_yuan(programme.committed)} of {format_yuan(programme.budget)} committed",
    )
    problems = services.ledger_check(programme)
    if problems:
        _say(stdout, f"subsidies: the ledger of {programme.name} does not balance: {problems}")


__all__ = ["seed", "timeline"]
