"""Warnings for the bureau's review of voucher redemptions: what in a provider's claim deserves a
second look (the same kinds as for applications, ``warnings.py``).

None of them refuses anything. ``redemption_warnings_for`` reads any number of redemptions in one
query (their draws with the services, the enterprises and the provider), so the review queue shows
counts without a query per row.
"""

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_yuan

from .models import VoucherDraw, VoucherRedemption
from .warnings import FEE_FACTOR, Warning, service_name

BURST_DAYS = 7  # the last days of the settlement period
BURST_MIN_SERVICES = 3


def redemption_warnings(redemption: VoucherRedemption) -> list[Warning]:
    """The warnings of one redemption (one query)."""
    return redemption_warnings_for([redemption])[redemption.pk]


def redemption_warning_counts(redemptions) -> dict[int, int]:
    """``{redemption id: number of warnings}`` for a page of redemptions (one query)."""
    return {pk: len(found) for pk, found in redemption_warnings_for(redemptions).items()}


def redemption_warnings_for(redemptions) -> dict[int, list[Warning]]:
    """``{redemption id: [Warning, …]}`` for every redemption given (ids or instances)."""
    ids = [getattr(r, "pk", r) for r in redemptions]
    found: dict[int, list[Warning]] = {pk: [] for pk in ids}
    if not ids:
        return found
    draws = defaultdict(list)
    for draw in (
        VoucherDraw.objects.filter(redemption_id__in=ids)
        .select_related("redemption__provider", "voucher__unit", "service_record__instrument")
        .order_by("redemption_id", "service_record__started_at", "pk")
    ):
        draws[draw.redemption_id].append(draw)
    for pk in ids:
        own = draws.get(pk, [])
        found[pk] = [*_related_units(own), *_fees(own), *_burst(own)]
    return found


# --- The checks ---------------------------------------------------------------------------------


def _names(draws) -> str:
    return "; ".join(service_name(draw) for draw in draws)


def _phone(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def _related_units(draws) -> list[Warning]:
    """The provider and an enterprise declared in one group (confirmed or not), or giving one phone
    number: a voucher never pays for services between related units."""
    by_enterprise = defaultdict(list)
    for draw in draws:
        by_enterprise[draw.voucher.unit].append(draw)
    result = []
    for enterprise, its_draws in by_enterprise.items():
        provider = its_draws[0].redemption.provider
        if enterprise.group_id is not None and enterprise.group_id == provider.group_id:
            message = _(
                "The provider and the enterprise %(enterprise)s are in one group of related units "
                "(confirmed or not): %(services)s."
            )
            params = {"enterprise": enterprise.name, "services": _names(its_draws)}
            result.append(Warning("related_group", message % params))
        if _phone(enterprise.phone) and _phone(enterprise.phone) == _phone(provider.phone):
            message = _(
                "The provider and the enterprise %(enterprise)s give the same phone number %(phone)s: %(services)s."
            )
            params = {"enterprise": enterprise.name, "phone": provider.phone, "services": _names(its_draws)}
            result.append(Warning("related_phone", message % params))
    return result


def _fees(draws) -> list[Warning]:
    """A charge far above the price the instrument's fee items give, or a charge with no such price."""
    result = []
    for draw in draws:
        listed = draw.service_record.computed_amount
        params = {"service": service_name(draw), "fee": format_yuan(draw.charged), "listed": format_yuan(listed)}
        if listed <= 0:
            message = _("%(service)s: a charge of %(fee)s with no price from the instrument's fee items.")
            result.append(Warning("fee_unpriced", message % params))
        elif draw.charged > listed * FEE_FACTOR:
            message = _("%(service)s: a charge of %(fee)s, more than 1.5 times the listed price of %(listed)s.")
            result.append(Warning("fee_above_price", message % params))
    return result


def _burst(draws) -> list[Warning]:
    """At least three services, half or more of them in the last 7 days of the settlement period."""
    if len(draws) < BURST_MIN_SERVICES:
        return []
    until = draws[0].redemption.period_end
    start = until - timedelta(days=BURST_DAYS - 1)
    late = [draw for draw in draws if start <= timezone.localdate(draw.service_record.started_at) <= until]
    if 2 * len(late) < len(draws):
        return []
    message = _(
        "%(late)s of %(total)s services fall in the last %(days)s days before the settlement period closed "
        "on %(until)s: %(services)s."
    )
    params = {"late": len(late), "total": len(draws), "days": BURST_DAYS, "until": until, "services": _names(late)}
    return [Warning("burst", message % params)]
