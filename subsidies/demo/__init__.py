"""Demo data for subsidies: last year's programme, closed and paid, and this year's, open, with
applications in every state of the workflow.

Both are Qingdao-preset reimbursement programmes of 包头市 (the instruments demo's city, so its
services are in the region). Last year's: about ten applications paid after their public notice
(two approved in part), one rejected, and every provider's reward computed, approved, publicised
and paid; its budget is set at the close so that about 90% of it is used (the bookings demo holds
the last twelve months only, so last year's claims are as big as its share of them allows). This
year's: applications open from a month ago to a month ahead, a 3,000,000 yuan budget, and about
26 applications from drafts to paid, some on public notice today.

Everything is made through the services by the demo's people (``actors.py``), from eligible
service records of the bookings demo (new ones are entered through the bookings services only
where a period has too few). Runs after the bookings seeder; does nothing without service records
or the demo bureau officer, and nothing for a programme that already exists (by name). Then the
voucher programme (``vouchers.py``)."""

import random
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import Max
from django.utils import timezone

from bookings.models import ServiceRecord
from core.money import format_yuan, to_yuan
from members.models import Notification, Unit

from .. import services
from ..models import Application, Programme, ProviderReward
from . import vouchers
from .actors import Actors, Records
from .claims import TARGETS, Claims

SEED = 20261201
CITY = "包头市"  # the city of every instrument of the instruments demo
NAME = "{year}年度包头市大型科学仪器共享服务补助"
BUDGET = Decimal("3000000.00")
USED_SHARE = Decimal("0.92")  # last year's budget, set at its close (in thousands), is about this much used

SHOWCASE_ENTERPRISE = "包头稀宝新材料科技有限公司"  # 张伟, enterprise@demo.local
SHOWCASE_PROVIDER = "内蒙古科技大学"  # 赵磊, manager@demo.local, finds claims to confirm

OPEN_PLAN = [
    *["paid"] * 3,
    *["publicised"] * 3,
    *["partly_approved"] * 2,
    *["approved"] * 2,
    "rejected",
    *["under_review"] * 2,
    "resubmitted",
    *["provider_confirmed"] * 3,
    "returned",
    "disputed",
    *["submitted"] * 4,
    "draft",
    "draft_lines",
    "draft_empty",
]
CLOSED_PLAN = [*["paid"] * 8, *["partly_paid"] * 2, "rejected"]
# 张伟 finds a paid claim last year and a draft ready to submit this year; two units of the 一机
# group (one actual controller) share one cap this year.
OPEN_PINNED = {
    SHOWCASE_ENTERPRISE: "draft",
    "内蒙古第一机械集团股份有限公司": "approved",
    "包头北方创业股份有限公司": "paid",
}
CLOSED_PINNED = {SHOWCASE_ENTERPRISE: "paid"}
REWARD_PARTLY = "部分服务的用户评价为“不满意”，按核定奖励的 80% 发放。"


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


def seed(stdout=None):
    """Create the two demo programmes and their applications, then the voucher programme; a
    second run changes nothing."""
    _reimbursement(stdout)
    vouchers.seed(stdout)


def _reimbursement(stdout):
    today = timezone.localdate()
    names = {"closed": NAME.format(year=today.year - 1), "open": NAME.format(year=today.year)}
    missing = [kind for kind, name in names.items() if not Programme.objects.filter(name=name).exists()]
    if not missing:
        _say(stdout, "subsidies: demo programmes already present")
        return
    rng = random.Random(SEED)
    actors = Actors(rng)
    enterprises = list(Unit.objects.approved().filter(unit_type=Unit.Type.ENTERPRISE).order_by("pk"))
    if actors.bureau is None or not enterprises or not ServiceRecord.objects.exists():
        _say(stdout, "subsidies: no demo bureau officer, enterprises or service records, nothing to do")
        return
    before = Notification.objects.aggregate(top=Max("pk"))["top"] or 0
    records = Records(rng, actors, today)
    claims = Claims(rng, actors, records)
    built = []
    if "closed" in missing:
        built.append(_closed(actors, claims, enterprises, names["closed"], today))
    if "open" in missing:
        built.append(_open(actors, claims, enterprises, names["open"], today))
    _no_mail(after=before)
    for programme in built:
        _report(stdout, programme)
    if records.entered:
        _say(stdout, f"subsidies: {records.entered} services entered for the claims (too few in the demo's period)")
    _say(
        stdout,
        f"subsidies: demo login {actors.finance.email} ({actors.finance.name}) — finance officer, marks "
        "subsidies paid (same password as the other demo logins)",
    )


def _assign(plan, pinned, enterprises, rng):
    """(unit, target) for each target of ``plan`` that an enterprise is left for: the pinned ones
    first, the others shuffled; the furthest along first (made first, they have lower numbers)."""
    by_name = {unit.name: unit for unit in enterprises}
    left = list(plan)
    pairs = []
    for name, target in pinned.items():
        if name in by_name and target in left:
            left.remove(target)
            pairs.append((by_name[name], target))
    others = [unit for unit in enterprises if unit.name not in pinned]
    rng.shuffle(others)
    pairs += zip(others, left, strict=False)
    return sorted(pairs, key=lambda pair: -TARGETS.index(pair[1]))


def _closed(actors, claims, enterprises, name, today) -> Programme:
    """Last year's programme: applications in its last two months, decided, publicised and paid
    after the year's end (or, early in a year, before it), then every provider's reward; at the
    close the window ends and the budget is set so that most of it is used."""
    year = today.year - 1
    notice_on = min(date(today.year, 1, 10), today - timedelta(days=20))
    paid_on = notice_on + timedelta(days=10)
    programme = services.programme_create(
        actor=actors.bureau,
        preset="qingdao",
        name=name,
        year=year,
        services_from=date(year, 1, 1),
        services_until=date(year, 12, 31),
        applies_from=date(year, 11, 1),
        applies_until=today,  # the services take claims only in the window: it is closed below
        budget=BUDGET,
        region_city=CITY,
    )
    until = min(date(year, 12, 31), notice_on - timedelta(days=5))
    for unit, target in _assign(CLOSED_PLAN, CLOSED_PINNED, enterprises, claims.rng):
        claims.make(programme, unit, target, lines=(8, 16), until=until, notice_on=notice_on, paid_on=paid_on)
    _rewards(actors, programme, notice_on=notice_on + timedelta(days=2), paid_on=paid_on + timedelta(days=2))
    programme.refresh_from_db()
    step = Decimal("1000")
    budget = max((programme.committed / USED_SHARE / step).to_integral_value(rounding=ROUND_CEILING) * step, step)
    return services.programme_update(
        actor=actors.bureau, programme=programme, applies_until=date(year, 12, 31), budget=to_yuan(budget)
    )


def _rewards(actors, programme, *, notice_on, paid_on):
    rewards = services.provider_rewards_compute(actor=actors.bureau, programme=programme)
    for index, reward in enumerate(sorted(rewards, key=lambda r: r.unit_id)):
        amount, reason = None, ""
        partly = to_yuan(reward.computed_amount * Decimal("0.8"))
        if index == 0 and 0 < partly < reward.computed_amount:
            amount, reason = partly, REWARD_PARTLY
        services.reward_approve(actor=actors.bureau, reward=reward, amount=amount, reason=reason)
        services.reward_publicise(actor=actors.bureau, reward=reward, today=notice_on)
        services.reward_pay(
            actor=actors.finance,
            reward=reward,
            reference=f"国库集中支付 {programme.year}-R{index + 1:03d}",
            today=paid_on,
        )


def _open(actors, claims, enterprises, name, today) -> Programme:
    """This year's programme: applications from a month ago to a month ahead; the paid ones were
    on notice from twelve days ago, the publicised ones since the day before yesterday."""
    programme = services.programme_create(
        actor=actors.bureau,
        preset="qingdao",
        name=name,
        year=today.year,
        services_from=date(today.year, 1, 1),
        services_until=date(today.year, 12, 31),
        applies_from=today - timedelta(days=30),
        applies_until=today + timedelta(days=30),
        budget=BUDGET,
        region_city=CITY,
    )
    provider = Unit.objects.filter(name=SHOWCASE_PROVIDER).first()
    for unit, target in _assign(OPEN_PLAN, OPEN_PINNED, enterprises, claims.rng):
        claims.make(
            programme,
            unit,
            target,
            lines=(5, 14),
            until=today,
            notice_on=today - timedelta(days=12 if target == "paid" else 2),
            prefer_provider=provider if target == "submitted" else None,
        )
    return programme


def _no_mail(*, after: int) -> None:
    """The decisions notify the demo's people, who read them in the portal; their addresses are
    not real, so the rows are marked sent and nothing is e-mailed when seed_demo commits."""
    Notification.objects.filter(pk__gt=after, sent_at__isnull=True).update(sent_at=timezone.now())


def _report(stdout, programme: Programme):
    programme.refresh_from_db()
    applications = Application.objects.filter(programme=programme)
    states = sorted(set(applications.values_list("status", flat=True)))
    rewards = ProviderReward.objects.filter(programme=programme, status=ProviderReward.Status.PAID).count()
    _say(
        stdout,
        f"subsidies: {programme.name}: {applications.count()} applications in {len(states)} states "
        f"({', '.join(states)}), {rewards} provider rewards paid; "
        f"{format_yuan(programme.committed)} of {format_yuan(programme.budget)} committed",
    )
    problems = services.ledger_check(programme)
    if problems:
        _say(stdout, f"subsidies: the ledger of {programme.name} does not balance: {problems}")


__all__ = ["seed"]
