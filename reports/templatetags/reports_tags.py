"""How the values of a run read on its pages: hours, yuan, 万元, rates and changes, in the reader's language."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

from core.money import format_wan, format_yuan

from ..labels import label

register = template.Library()

MINUS = "\u2212"
DASH = "—"


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def format_value(value, fmt: str) -> str:
    """A stored value (an exact string, an int or None) as people read it, by its format."""
    if value is None or value == "":
        return DASH
    if fmt == "bool":
        return _("yes") if value else _("no")
    if fmt == "label":  # a key of reports.labels (a grade, say), read in the reader's language
        return str(label(value))
    if fmt in ("text", "date"):
        return str(label(value)) if fmt == "text" and isinstance(value, str) else str(value)
    number = _decimal(value)
    if number is None:
        return str(value)
    if fmt == "int":
        return f"{number:,.0f}"
    if fmt == "hours":
        return _("%(hours)s h") % {"hours": f"{number:,.2f}"}
    if fmt == "money":
        return format_yuan(number)
    if fmt == "wan":
        return format_wan(number)
    if fmt == "rate":
        return f"{number * 100:,.1f}%"
    if fmt == "rating":
        return f"{number:.2f}"
    return str(value)


def format_change(change: Decimal | None) -> str:
    """A change in per cent: "+12.5%", "−3.0%" (a true minus sign), "0.0%", or "—"."""
    if change is None:
        return DASH
    if change > 0:
        return f"+{change:,.1f}%"
    if change < 0:
        return f"{MINUS}{-change:,.1f}%"
    return f"{change:,.1f}%"


@register.filter
def report_value(value, fmt):
    return format_value(value, fmt)


@register.filter
def report_change(change):
    return format_change(change)


@register.filter
def report_label(key):
    return label(key)
