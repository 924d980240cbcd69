"""Fees of the services a user chose from an instrument's fee items.

An instrument's fee items are alternative services (DOMAIN.md §3): the user asks for one or more of
them and is charged for those only, never the sum of the whole list. Each chosen service is priced
at the internal price for the owner unit's own people and the external price otherwise
(``rules.is_external_use``) and counted at its basis: per hour × hours, per sample × samples, per
day × days begun. Amounts are Decimal yuan, rounded once per line and once for the total
(``core.money.to_yuan``).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from core.money import to_yuan
from instruments.models import FeeItem

from .exceptions import DomainError
from .models import ChosenService
from .rules import is_external_use


@dataclass(frozen=True)
class FeeLine:
    name: str
    basis: str
    basis_label: str
    unit_price: Decimal
    quantity: Decimal
    amount: Decimal


class Estimate(NamedTuple):
    total: Decimal
    lines: list[FeeLine]
    services: list[ChosenService]  # unsaved snapshots of the chosen services


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Hours as a Decimal (exact to the second)."""
    return Decimal(int((end - start).total_seconds())) / Decimal(3600)


def days_begun(start: datetime, end: datetime) -> int:
    """Days charged for a span: every started 24 hours counts as a day."""
    return max(1, math.ceil((end - start).total_seconds() / 86400))


def chosen_fee_items(instrument, fee_items: Sequence | None, *, required: bool) -> list[FeeItem]:
    """The instrument's fee items that were chosen (FeeItems or their ids), in the list's order.

    ``None`` means no choice was made: the instrument's only item when it has exactly one;
    otherwise an error when ``required`` (a booking), or no item (a record whose amount the owner
    gives). An explicit empty choice of an instrument that has items, and items of another
    instrument, are errors on the ``fee_items`` field.
    """
    offered = list(instrument.fee_items.all())
    if fee_items is None:
        if len(offered) == 1:
            return offered
        if required and offered:
            raise DomainError(_("Choose the service(s) you need from the instrument's fee items."), field="fee_items")
        return []
    wanted = {getattr(item, "pk", item) for item in fee_items}
    known = {item.pk for item in offered}
    if wanted - known:
        raise DomainError(
            _("Choose services of this instrument: %(ids)s are not among its fee items.")
            % {"ids": ", ".join(str(pk) for pk in sorted(wanted - known, key=str))},
            field="fee_items",
        )
    if not wanted and offered:
        raise DomainError(_("Choose the service(s) you need from the instrument's fee items."), field="fee_items")
    return [item for item in offered if item.pk in wanted]


def snapshots(fee_items: Iterable[FeeItem], *, external: bool) -> list[ChosenService]:
    """Unsaved ChosenService rows: each item's name, basis and the price that applies now."""
    return [
        ChosenService(
            fee_item=item,
            name=item.name,
            basis=item.basis,
            unit_price=item.external_price if external else item.internal_price,
        )
        for item in fee_items
    ]


def fee_lines(services: Iterable, *, hours: Decimal, samples: int, days: int) -> list[FeeLine]:
    """One line per chosen service (anything with name, basis and unit_price), at its basis."""
    quantities = {FeeItem.Basis.HOUR: Decimal(hours), FeeItem.Basis.SAMPLE: Decimal(samples), FeeItem.Basis.DAY: days}
    lines = []
    for service in services:
        quantity = Decimal(quantities.get(service.basis, 0))
        lines.append(
            FeeLine(
                name=service.name,
                basis=service.basis,
                basis_label=str(FeeItem.Basis(service.basis).label),
                unit_price=service.unit_price,
                quantity=quantity,
                amount=to_yuan(service.unit_price * quantity),
            )
        )
    return lines


def fee_total(lines: list[FeeLine]) -> Decimal:
    return to_yuan(sum((line.amount for line in lines), Decimal("0")))


def estimate(
    instrument, *, unit, start: datetime, end: datetime, samples: int, fee_items: Sequence | None = None
) -> Estimate:
    """What a booking of [start, end) with ``samples`` samples of the chosen services would cost
    the given unit. Raises DomainError (field ``fee_items``) for a missing or foreign choice."""
    chosen = chosen_fee_items(instrument, fee_items, required=True)
    external = is_external_use(user_unit_id=unit.pk if unit else None, owner_unit_id=instrument.unit_id)
    services = snapshots(chosen, external=external)
    lines = fee_lines(services, hours=hours_between(start, end), samples=samples, days=days_begun(start, end))
    return Estimate(fee_total(lines), lines, services)
