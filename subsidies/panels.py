"""The subsidies app's part of the pages that platform_site composes (see core/panels.py)."""

from members.permissions import is_bureau_staff

from . import page_selectors, voucher_selectors
from .permissions import can_confirm_for, can_view_applications_of

PANEL_ROWS = 5


def dashboard_panel(request):
    """The person's applications that need their action (drafts, returned ones) and the claimed
    services of their instruments waiting for confirmation; nothing for someone with neither who
    administers no unit."""
    user = request.user
    if not user.is_authenticated:
        return None
    units = page_selectors.units_for_applying(user=user)
    counts = page_selectors.dashboard_counts(user=user)
    needing = list(counts["needing"][:PANEL_ROWS])
    may_apply = bool(units)
    if not needing and not counts["pending_lines"] and not may_apply:
        return None
    return "subsidies/panels/dashboard.html", {
        "needing": needing,
        "more_needing": len(needing) == PANEL_ROWS,
        "pending_lines": counts["pending_lines"],
        "pending_fees": counts["pending_fees"],
        "may_apply": may_apply,
    }


def booking_panel(request, instrument, proposal):
    """On the booking page: the usable vouchers of the units the user books for, each with its
    balance, and once the fee is estimated, the share the voucher would pay and what is left to the
    user (or why this booking would not draw on it); nothing for someone without one."""
    if not request.user.is_authenticated:
        return None
    estimate = proposal.estimate
    offers = voucher_selectors.booking_voucher_offers(
        instrument=instrument,
        units=proposal.units,
        data=proposal.data,
        estimate_total=estimate.total if estimate is not None else None,
    )
    if not offers:
        return None
    return "subsidies/panels/booking_voucher.html", {
        "offers": offers,
        "estimate": estimate,
        "estimated": proposal.data is not None and estimate is not None,
        "may_open": {o.voucher.pk for o in offers if can_view_applications_of(request.user, o.voucher.unit)},
    }


def service_record_panel(request, record):
    """On a service record's page (for its user and its provider): what the voucher paid and what
    the user pays, and for the provider whether the voucher part is redeemed."""
    draw = voucher_selectors.record_voucher_draw(record)
    if draw is None:
        return None
    user = request.user
    return "subsidies/panels/service_record_voucher.html", {
        "draw": draw,
        "can_open_voucher": can_view_applications_of(user, draw.voucher.unit) or is_bureau_staff(user),
        "is_provider": can_confirm_for(user, record.instrument.unit) or is_bureau_staff(user),
    }
