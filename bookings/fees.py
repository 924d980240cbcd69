"""Fees from an instrument's fee items: internal price for the owner unit's own people, external
otherwise; per hour × hours, per sample × samples, per day × days begun. Decimal yuan, 0.01."""

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from instruments.models import FeeItem

CENT = Decimal("0.01")


@dataclass(frozen=True)
class FeeLine:
    name: str
    basis: str
    basis_label: str
    unit_price: Decimal
    quantity: Decimal
    amount: Decimal


def quantize(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Hours as a Decimal (exact to the second)."""
    return Decimal(int((end - start).total_seconds())) / Decimal(3600)


def days_begun(start: datetime, end: datetime) -> int:
    """Days charged for a span: every started 24 hours counts as a day."""
    return max(1, math.ceil((end - start).total_seconds() / 86400))


def fee_lines(fee_items, *, internal: bool, hours: Decimal, samples: int, days: int) -> list[FeeLine]:
    quantities = {FeeItem.Basis.HOUR: Decimal(hours), FeeItem.Basis.SAMPLE: Decimal(samples), FeeItem.Basis.DAY: days}
    lines = []
    for item in fee_items:
        price = item.internal_price if internal else item.external_price
        quantity = Decimal(quantities.get(item.basis, 0))
        lines.append(
            FeeLine(
                name=item.name,
                basis=item.basis,
                basis_label=str(item.get_basis_display()),
                unit_price=price,
                quantity=quantity,
                amount=quantize(price * quantity),
            )
        )
    return lines


def fee_total(lines: list[FeeLine]) -> Decimal:
    return quantize(sum((line.amount for line in lines), Decimal("0")))


def estimate(instrument, *, unit, start: datetime, end: datetime, samples: int) -> tuple[Decimal, list[FeeLine]]:
    """The fee a booking of [start, end) with ``samples`` samples would cost the given unit."""
    lines = fee_lines(
        instrument.fee_items.all(),
        internal=unit is not None and unit.pk == instrument.unit_id,
        hours=hours_between(start, end),
        samples=samples,
        days=days_begun(start, end),
    )
    return fee_total(lines), lines
