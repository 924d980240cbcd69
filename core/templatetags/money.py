"""Template filters for sums of money: ``{% load money %}`` then ``{{ x|yuan }}``, ``{{ x|wan }}``,
``{{ x|large_sum }}`` (see core.money for the rules)."""

from django import template

from core import money

register = template.Library()


@register.filter
def yuan(value):
    """1580 → "1,580.00元" / "1,580.00 yuan"; empty for None."""
    return "" if value is None or value == "" else money.format_yuan(value)


@register.filter
def wan(value):
    """An instrument's value: "227.66万元" / "2.28 million yuan"; empty for None."""
    return "" if value is None or value == "" else money.format_wan(value)


@register.filter
def large_sum(value):
    """A large total: "3.50亿元" / "350.00 million yuan"; empty for None."""
    return "" if value is None or value == "" else money.format_large(value)
