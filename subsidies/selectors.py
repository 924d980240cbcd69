"""Reads of the subsidies app: open programmes, claimable services, an application's arithmetic,
the provider's queue, the public notice, and the one way in to an application."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Value, When
from django.http import Http404
from django.utils import timezone

from bookings.models import ServiceRecord
from members.models import Unit
from members.permissions import is_bureau_staff
from members.selectors import cap_holder_key, related_unit_ids, unit_ids_managed_by

from . import rules
from .models import Application, ApplicationLine, CapCounter, CounterKind, Programme, ProviderReward, VoucherDraw
from .permissions import can_view_applications_of

ZERO = Decimal("0.00")
CLAIMABLE_LIMIT = 500


def programme_list_open(*, today=None):
    today = today or timezone.localdate()
    return Programme.objects.open_on(today).order_by("applies_until", "name")


def holder_key_for(programme: Programme, unit: Unit) -> str:
    """Whose cap an application counts against: the unit, or its confirmed group of related units."""
    return cap_holder_key(unit) if programme.cap_counts_group else f"unit:{unit.pk}"


def holder_granted(programme: Programme, holder_key: str, kind=CounterKind.APPLICANT) -> Decimal:
    counter = CapCounter.objects.filter(programme=programme, kind=kind, holder_key=holder_key).first()
    return counter.granted if counter else ZERO


def holder_remaining(programme: Programme, holder_key: str) -> Decimal | None:
    if programme.cap_per_enterprise is None:
        return None
    return programme.cap_per_enterprise - holder_granted(programme, holder_key)


def claimable_records(*, programme: Programme, unit: Unit, application: Application | None = None, record_ids=None):
    """The unit's charged services around the programme's period, each with its reason if it
    cannot be claimed, its rate and its subsidy. At most ``CLAIMABLE_LIMIT`` rows, newest first;
    with ``record_ids``, those records only (however many the unit has)."""
    others = ApplicationLine.objects.filter(service_record=OuterRef("pk"), live=True)
    if application is not None:
        others = others.exclude(application=application)
    # A year before the period, to show why older services do not count; nothing after it.
    since = programme.services_from - timedelta(days=365)
    records = ServiceRecord.objects.filter(
        user_unit=unit, amount__gt=0, started_at__date__gte=since, started_at__date__lte=programme.services_until
    )
    if record_ids is not None:
        records = records.filter(pk__in=record_ids)
    records = (
        records.select_related("instrument", "instrument__unit")
        .annotate(
            claimed=Exists(others), voucher_drawn=Exists(VoucherDraw.objects.filter(service_record=OuterRef("pk")))
        )
        .order_by("-started_at", "-pk")[:CLAIMABLE_LIMIT]
    )
    tiers = list(programme.tiers.all())
    listed = set(programme.listed_units.values_list("pk", flat=True))
    related = related_unit_ids(unit)
    rows = []
    for record in records:
        problem = rules.record_problem(
            programme, unit, record, claimed=record.claimed, related_ids=related, voucher_drawn=record.voucher_drawn
        )
        rate = rules.line_rate(programme, unit, record, tiers=tiers, listed_ids=listed)
        rows.append(
            {"record": record, "problem": problem, "rate": rate, "subsidy": rules.line_subsidy(record.amount, rate)}
        )
    return rows


def application_arithmetic(application: Application) -> rules.Arithmetic:
    """The subsidy of the application's lines after every cap, as it stands now; what the
    application itself holds committed does not count against its own cap."""
    programme = application.programme
    lines_total = sum((line.subsidy for line in application.lines.all()), ZERO)
    key = application.holder_key or holder_key_for(programme, application.unit)
    remaining = holder_remaining(programme, key)
    if remaining is not None:
        remaining += application.approved_amount
    return rules.cap_arithmetic(
        programme, lines_total=lines_total, holder_remaining=remaining, group=key.startswith("group:")
    )


def application_get_for_viewer(*, user, pk) -> Application:
    """An application for its unit's members, the providers of its lines and the bureau; the same
    404 for missing and not yours."""
    application = Application.objects.with_related().filter(pk=pk).first()
    if application is None:
        raise Http404
    if can_view_applications_of(user, application.unit) or is_bureau_staff(user):
        return application
    submitted = application.status not in (Application.Status.DRAFT, Application.Status.WITHDRAWN)
    if submitted and application.lines.filter(provider_id__in=unit_ids_managed_by(user)).exists():
        return application
    raise Http404


def application_list_for_user(*, user):
    """Applications of the units the user is an active member of."""
    return (
        Application.objects.with_related()
        .filter(unit__memberships__user=user, unit__memberships__status="active")
        .distinct()
    )


def provider_lines(*, user, pending_only: bool = False):
    """Claimed services on the instruments of the units the user manages (submitted applications
    first, waiting lines first)."""
    lines = ApplicationLine.objects.filter(provider_id__in=unit_ids_managed_by(user), live=True).exclude(
        application__status=Application.Status.DRAFT
    )
    if pending_only:
        lines = lines.filter(provider_status=ApplicationLine.ProviderStatus.PENDING)
    waiting_first = Case(
        When(provider_status=ApplicationLine.ProviderStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return lines.select_related(
        "application", "application__unit", "application__programme", "service_record", "service_record__instrument"
    ).order_by(waiting_first, "-application__submitted_at", "pk")


def notice_list(*, today=None):
    """What is on public notice today: applications and provider rewards."""
    today = today or timezone.localdate()
    applications = (
        Application.objects.publicised_on(today).select_related("programme", "unit").order_by("programme", "unit__name")
    )
    rewards = (
        ProviderReward.objects.filter(
            status=ProviderReward.Status.PUBLICISED, notice_from__lte=today, notice_until__gte=today
        )
        .select_related("programme", "unit")
        .order_by("programme", "unit__name")
    )
    return applications, rewards


def application_with_lines(pk):
    return (
        Application.objects.with_related()
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ApplicationLine.objects.select_related(
                    "service_record", "service_record__instrument", "provider"
                ),
            ),
            "evidence",
        )
        .get(pk=pk)
    )


def statement(*, programme: Programme, unit: Unit) -> dict:
    """A unit's statement in a programme: its applications (as applicant) and its claimed services
    and reward (as provider)."""
    applications = (
        Application.objects.filter(programme=programme, unit=unit)
        .exclude(status=Application.Status.DRAFT)
        .prefetch_related("lines__service_record__instrument")
        .order_by("pk")
    )
    provided = (
        ApplicationLine.objects.filter(application__programme=programme, provider=unit, live=True)
        .exclude(application__status=Application.Status.DRAFT)
        .select_related("application", "application__unit", "service_record", "service_record__instrument")
        .order_by("service_record__started_at")
    )
    reward = ProviderReward.objects.filter(programme=programme, unit=unit).first()
    return {"applications": applications, "provided": provided, "reward": reward}
