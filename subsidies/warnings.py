"""Warnings for the bureau's review: what in an application deserves a second look.

Each warning names the services it is about; none of them refuses anything (the rules that
refuse live in ``rules.py``). ``warnings_for`` reads any number of applications in two queries
(their lines with what the checks need, and the evidence sharing their invoice numbers), so the
review queue shows counts without a query per row.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_yuan

from .models import Application, ApplicationLine, Evidence

FEE_FACTOR = Decimal("1.5")  # a fee above 1.5 × the price from the instrument's fee items
BURST_DAYS = 14  # the last days of the service period
BURST_MIN_LINES = 3


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


def application_warnings(application: Application) -> list[Warning]:
    """The warnings of one application (two queries)."""
    return warnings_for([application])[application.pk]


def warning_counts(applications) -> dict[int, int]:
    """``{application id: number of warnings}`` for a page of applications (two queries)."""
    return {pk: len(found) for pk, found in warnings_for(applications).items()}


def warnings_for(applications) -> dict[int, list[Warning]]:
    """``{application id: [Warning, …]}`` for every application given (ids or instances)."""
    ids = [getattr(a, "pk", a) for a in applications]
    found: dict[int, list[Warning]] = {pk: [] for pk in ids}
    if not ids:
        return found
    lines = defaultdict(list)
    for line in (
        ApplicationLine.objects.filter(application_id__in=ids)
        .select_related("application__unit", "application__programme", "provider", "service_record__instrument")
        .order_by("application_id", "service_record__started_at", "pk")
    ):
        lines[line.application_id].append(line)
    invoices = _invoice_uses(ids)
    for pk in ids:
        own = lines.get(pk, [])
        found[pk] = [
            *_related_units(own),
            *_fees(own),
            *_invoices(pk, invoices),
            *_no_booking(own),
            *_burst(own),
        ]
    return found


# --- The checks ---------------------------------------------------------------------------------


def service_name(line: ApplicationLine) -> str:
    record = line.service_record
    return _("%(instrument)s on %(date)s (service record %(id)s)") % {
        "instrument": record.instrument.name,
        "date": _local_day(record).isoformat(),
        "id": record.pk,
    }


def _names(lines) -> str:
    return "; ".join(service_name(line) for line in lines)


def _local_day(record):
    return timezone.localdate(record.started_at)


def _phone(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def _related_units(lines) -> list[Warning]:
    """The applicant and a provider declared in one group (confirmed or not), or giving one phone
    number: services between related units are never subsidised."""
    by_provider = defaultdict(list)
    for line in lines:
        by_provider[line.provider].append(line)
    result = []
    for provider, its_lines in by_provider.items():
        applicant = its_lines[0].application.unit
        if applicant.group_id is not None and applicant.group_id == provider.group_id:
            message = _(
                "The applicant and the provider %(provider)s are in one group of related units "
                "(confirmed or not): %(services)s."
            )
            result.append(
                Warning("related_group", message % {"provider": provider.name, "services": _names(its_lines)})
            )
        if _phone(applicant.phone) and _phone(applicant.phone) == _phone(provider.phone):
            message = _(
                "The applicant and the provider %(provider)s give the same phone number %(phone)s: %(services)s."
            )
            params = {"provider": provider.name, "phone": provider.phone, "services": _names(its_lines)}
            result.append(Warning("related_phone", message % params))
    return result


def _fees(lines) -> list[Warning]:
    """A fee far above the price the instrument's fee items give, or a fee with no such price."""
    result = []
    for line in lines:
        listed = line.service_record.computed_amount
        params = {"service": service_name(line), "fee": format_yuan(line.fee), "listed": format_yuan(listed)}
        if listed <= 0:
            message = _("%(service)s: a fee of %(fee)s with no price from the instrument's fee items.")
            result.append(Warning("fee_unpriced", message % params))
        elif line.fee > listed * FEE_FACTOR:
            message = _("%(service)s: a fee of %(fee)s, more than 1.5 times the listed price of %(listed)s.")
            result.append(Warning("fee_above_price", message % params))
    return result


def _invoice_uses(ids) -> dict[str, list[tuple[int, str]]]:
    """``{invoice number: [(application id, application number), …]}`` — one entry per evidence
    file — for the numbers of these applications, in them and in every other live application."""
    numbers = Evidence.objects.filter(application_id__in=ids).exclude(invoice_number="").values("invoice_number")
    uses = defaultdict(list)
    for evidence in (
        Evidence.objects.filter(invoice_number__in=numbers)
        .filter(Q(application_id__in=ids) | ~Q(application__status__in=Application.DEAD_STATUSES))
        .select_related("application__programme")
        .order_by("application_id", "pk")
    ):
        uses[evidence.invoice_number].append((evidence.application_id, evidence.application.number))
    return uses


def _invoices(pk: int, uses) -> list[Warning]:
    result = []
    for number, used in uses.items():
        own = [u for u in used if u[0] == pk]
        if not own:
            continue
        others = sorted({n for other, n in used if other != pk})
        if len(own) > 1:
            result.append(
                Warning("invoice_twice", _("Invoice number %(number)s is attached twice.") % {"number": number})
            )
        if others:
            message = _("Invoice number %(number)s is also used in application %(others)s.")
            result.append(Warning("invoice_reused", message % {"number": number, "others": ", ".join(others)}))
    return result


def _no_booking(lines) -> list[Warning]:
    """Services recorded without a booking on the platform (entered or imported afterwards)."""
    unbooked = [line for line in lines if line.service_record.booking_id is None]
    if not unbooked:
        return []
    return [Warning("no_booking", _("No booking on the platform for: %(services)s.") % {"services": _names(unbooked)})]


def _burst(lines) -> list[Warning]:
    """At least three services, half or more of them in the last 14 days of the service period."""
    if len(lines) < BURST_MIN_LINES:
        return []
    until = lines[0].application.programme.services_until
    start = until - timedelta(days=BURST_DAYS - 1)
    late = [line for line in lines if start <= _local_day(line.service_record) <= until]
    if 2 * len(late) < len(lines):
        return []
    message = _(
        "%(late)s of %(total)s services fall in the last %(days)s days before the service period closed "
        "on %(until)s: %(services)s."
    )
    params = {"late": len(late), "total": len(lines), "days": BURST_DAYS, "until": until, "services": _names(late)}
    return [Warning("burst", message % params)]
