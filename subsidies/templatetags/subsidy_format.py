"""Template filters of the subsidy pages: ``{% load subsidy_format %}`` then ``{{ rate|percent }}``."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def percent(rate):
    """A rate as a share of the fee: 0.1000 → "10%", 0.1250 → "12.5%"; empty for None."""
    if rate is None or rate == "":
        return ""
    try:
        value = (Decimal(rate) * 100).quantize(Decimal("0.01")).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{value:f}%"
