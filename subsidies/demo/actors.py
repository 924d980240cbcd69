"""The demo's people and the services they claim.

``Actors``: the demo bureau officer (members' demo), a finance officer who may mark subsidies paid,
and for each unit that needs one an administrator (who applies) or an instrument manager (who
confirms claimed services); existing ones are used first (张伟 of 稀宝新材, 赵磊 of 内蒙古科技大学).

``Records``: eligible service records per applicant, judged by the rules ``claimable_records``
applies, and, where the demo has too few in a programme's period, new services entered and
marked paid by the provider's manager through the bookings services.
"""

from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q

from bookings.availability import at_local
from bookings.demo import GIVEN, PURPOSES, SURNAMES
from bookings.models import FundingSource, ServiceRecord, ServiceWay
from bookings.services import service_record_create, service_record_mark_paid
from instruments.models import FeeItem, Instrument
from members.demo import DEMO_PASSWORD
from members.models import Membership, Unit
from members.roles import BUREAU_GROUP
from members.selectors import related_unit_ids

from .. import rules
from ..models import ApplicationLine

User = get_user_model()

BUREAU_EMAIL = "bureau@demo.local"
FINANCE_EMAIL = "finance@demo.local"
FINANCE_NAME = "刘晓燕"
INVOICE_PREFIX = "15020001-"
# What the rules and the evidence read of a record (a year of an enterprise's records is loaded).
POOL_FIELDS = [
    "amount",
    "purpose",
    "service_way",
    "started_at",
    "paid_on",
    "invoice_number",
    "instrument__unit",
    "instrument__original_value",
    "instrument__city",
]  # services this seeder enters itself (the bookings demo's are 37020001-)


class Actors:
    def __init__(self, rng):
        self.rng = rng
        self._password = None
        self._admins: dict[int, object] = {}
        self._managers: dict[int, object] = {}
        self.bureau = User.objects.filter(email=BUREAU_EMAIL).first()
        self._finance = None

    @property
    def finance(self):
        """The finance officer: bureau staff who also holds ``subsidies.pay_application``."""
        if self._finance is None:
            user = self._user(FINANCE_EMAIL, FINANCE_NAME, is_staff=True, phone="0472-5110001")
            user.groups.add(Group.objects.get(name=BUREAU_GROUP))
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label="subsidies", codename="pay_application")
            )
            self._finance = User.objects.get(pk=user.pk)  # a fresh object: no cached permissions
        return self._finance

    def _user(self, email, name, **extra):
        user = User.objects.filter(email=email).first()
        if user is None:
            if self._password is None:
                self._password = make_password(DEMO_PASSWORD)  # hashed once: it is slow on purpose
            user = User(email=email, name=name, password=self._password, **extra)
            user.save()
        return user

    def _member(self, email, unit: Unit, role: str):
        user = self._user(email, self.rng.choice(SURNAMES) + self.rng.choice(GIVEN), phone="13904728000")
        Membership.objects.get_or_create(
            user=user, unit=unit, defaults={"role": role, "status": Membership.Status.ACTIVE}
        )
        return user

    def admin(self, unit: Unit):
        """An administrator of the unit: the one who applies for its subsidies."""
        if unit.pk not in self._admins:
            found = (
                Membership.objects.active()
                .filter(unit=unit, role=Membership.Role.ADMIN)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            self._admins[unit.pk] = (
                found.user if found else self._member(f"admin{unit.pk}@demo.local", unit, Membership.Role.ADMIN)
            )
        return self._admins[unit.pk]

    def manager(self, unit: Unit):
        """An instrument manager of the unit (an administrator if it has no manager)."""
        if unit.pk not in self._managers:
            managing = Membership.objects.managing().filter(unit=unit).select_related("user")
            found = (
                managing.filter(role=Membership.Role.MANAGER).order_by("pk").first() or managing.order_by("pk").first()
            )
            self._managers[unit.pk] = (
                found.user if found else self._member(f"manager{unit.pk}@demo.local", unit, Membership.Role.MANAGER)
            )
        return self._managers[unit.pk]


class Records:
    def __init__(self, rng, actors: Actors, today):
        self.rng, self.actors, self.today = rng, actors, today
        self._pools: dict[tuple[int, int], list] = {}
        self._instruments: dict[int, list] = {}
        self._related: dict[int, frozenset] = {}
        self.entered = 0
        self._invoices = ServiceRecord.objects.filter(invoice_number__startswith=INVOICE_PREFIX).count()

    def take(self, programme, unit: Unit, count: int, *, until, prefer_provider: Unit | None = None) -> list:
        """``count`` eligible, unclaimed records of ``unit`` that started by ``until`` (one of
        ``prefer_provider``'s first when there is one), entering new ones if there are too few."""
        pool = self._pool(programme, unit, until)
        chosen = []
        if prefer_provider is not None:
            preferred = [r for r in pool if r.instrument.unit_id == prefer_provider.pk]
            if preferred:
                chosen.append(self.rng.choice(preferred))
                pool.remove(chosen[0])
        # Enterprises claim their bigger bills first: the choice is among the dearest services.
        dearest = sorted(pool, key=lambda r: (-r.amount, r.pk))[: 3 * count]
        picked = self.rng.sample(dearest, min(count - len(chosen), len(dearest)))
        for record in picked:
            pool.remove(record)
        chosen += sorted(picked, key=lambda r: (r.started_at, r.pk))
        while len(chosen) < count:
            record = self._enter(programme, unit, until)
            if record is None:
                break
            chosen.append(record)
        return chosen

    def _pool(self, programme, unit, until) -> list:
        """The unit's unclaimed records in the programme's period up to ``until`` that
        ``rules.record_problem`` (what ``claimable_records`` asks of each record) finds eligible."""
        key = (programme.pk, unit.pk)
        if key not in self._pools:
            last = min(until, programme.services_until) + timedelta(days=1)
            claimed = ApplicationLine.objects.filter(service_record=OuterRef("pk"), live=True)
            records = (
                ServiceRecord.objects.filter(
                    user_unit=unit,
                    amount__gt=0,
                    paid_on__isnull=False,
                    started_at__gte=at_local(programme.services_from, time(0)),
                    started_at__lt=at_local(last, time(0)),
                )
                .exclude(Exists(claimed))
                .exclude(voucher_draw__isnull=False)  # one subsidy per service
                .select_related("instrument")
                .only(*POOL_FIELDS)
                .order_by("started_at", "pk")
            )
            self._pools[key] = [r for r in records if rules.record_problem(programme, unit, r, claimed=False) is None]
        return self._pools[key]

    def _candidates(self, programme) -> list:
        """Instruments whose services count in the programme, with a fee item that charges."""
        if programme.pk not in self._instruments:
            self._instruments[programme.pk] = list(
                Instrument.objects.active()
                .filter(
                    unit__status=Unit.Status.APPROVED,
                    original_value__gte=programme.min_instrument_value,
                    fee_items__external_price__gt=0,
                )
                .filter(Q(city=programme.region) | Q(city=""))
                .exclude(sharing_mode=Instrument.SharingMode.NONE)
                .select_related("unit")
                .distinct()
                .order_by("pk")[:200]
            )
        return self._instruments[programme.pk]

    def _enter(self, programme, unit: Unit, until):
        """A commissioned service for ``unit`` on another unit's instrument, entered and marked paid
        by that unit's manager; None when no instrument qualifies."""
        if unit.pk not in self._related:
            self._related[unit.pk] = related_unit_ids(unit)
        instruments = [i for i in self._candidates(programme) if i.unit_id not in self._related[unit.pk]]
        last = min(until, self.today - timedelta(days=1), programme.services_until)
        if not instruments or last < programme.services_from:
            return None
        instrument = self.rng.choice(instruments)
        item = FeeItem.objects.filter(instrument=instrument, external_price__gt=0).order_by("pk").first()
        day = programme.services_from + timedelta(days=self.rng.randint(0, (last - programme.services_from).days))
        started = at_local(day, time(9))
        hours = Decimal(self.rng.choice([2, 3, 4, 6]))
        manager = self.actors.manager(instrument.unit)
        record = service_record_create(
            actor=manager,
            instrument=instrument,
            started_at=started,
            ended_at=started + timedelta(hours=int(hours)),
            service_content=self.rng.choice(PURPOSES),
            service_way=ServiceWay.COMMISSION,
            measurement_hours=hours,
            sample_count=self.rng.randint(2, 10),
            user_name=self.actors.admin(unit).name,
            user_unit=unit,
            project_name="企业新产品研发",
            funding_source=FundingSource.ENTERPRISE,
            fee_items=[item],
        )
        self._invoices += 1
        self.entered += 1
        paid_on = min(day + timedelta(days=self.rng.randint(1, 7)), self.today)
        return service_record_mark_paid(
            actor=manager, record=record, paid_on=paid_on, invoice_number=f"{INVOICE_PREFIX}{self._invoices:06d}"
        )
