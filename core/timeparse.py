"""Dates and datetimes from query strings, forms and API bodies, as aware datetimes in the platform's zone.

The platform's zone is ``settings.TIME_ZONE`` (Asia/Shanghai). Every value must lie in the supported
range, the years ``MIN_YEAR`` (1900) to ``MAX_YEAR`` (2199) as written, so that arithmetic such as
"+ 7 days", "the day after" or a move to UTC can never overflow; year 1 and year 9999 are refused
with a message that names the range. Malformed values are refused with a message that shows the
expected form. ``parse_datetime`` refuses a datetime without an offset unless ``allow_naive`` (the
API's rule: give the offset, e.g. ``2030-03-06T09:00:00+08:00``); the pages' inputs
(``<input type="datetime-local">``) send wall times, which the form fields read as local.

Errors are Django ``ValidationError``s (codes ``invalid``, ``naive``, ``out_of_range``), so forms
show them beside the field and the API answers 400 with them.
"""

import re
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 1900
MAX_YEAR = 2199

DATETIME_EXAMPLE = "2030-03-06T09:00:00+08:00"
DATE_EXAMPLE = "2030-03-06"

# In a query string an unencoded "+" arrives as a space: "…T09:00:00 08:00" means "+08:00".
_SPACE_FOR_PLUS = re.compile(r"^(.*T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def local_tz():
    return timezone.get_default_timezone()


def out_of_range_error() -> ValidationError:
    return ValidationError(
        _("Use a year from %(min)d to %(max)d."), code="out_of_range", params={"min": MIN_YEAR, "max": MAX_YEAR}
    )


def check_range(value):
    """Return ``value`` (a date or datetime) if its year is supported; raise ``ValidationError`` if not."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise out_of_range_error()
    return value


def parse_date(raw: str) -> date:
    """An ISO date (``2030-03-06``) in the supported range."""
    try:
        value = date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError(
            _("Enter a date as YYYY-MM-DD, e.g. %(example)s."), code="invalid", params={"example": DATE_EXAMPLE}
        ) from None
    return check_range(value)


def parse_datetime(raw: str, *, allow_naive: bool = False) -> datetime:
    """An ISO 8601 datetime in the supported range, as an aware datetime in the platform's zone.

    Without ``allow_naive`` a value without an offset is refused; with it, it is a local wall time.
    """
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", str(raw).strip())
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("Enter a date and time in ISO 8601, e.g. %(example)s."),
            code="invalid",
            params={"example": DATETIME_EXAMPLE},
        ) from None
    check_range(value)
    return to_local(value, allow_naive=allow_naive)


def to_local(value: datetime, *, allow_naive: bool = False) -> datetime:
    """A datetime in the supported range, aware in the platform's zone (a naive one only if allowed)."""
    check_range(value)
    if timezone.is_naive(value):
        if not allow_naive:
            raise ValidationError(
                _("Add the time zone offset, e.g. %(example)s."), code="naive", params={"example": DATETIME_EXAMPLE}
            )
        return value.replace(tzinfo=local_tz())
    return timezone.localtime(value, local_tz())


def start_of_day(day: date) -> datetime:
    """Midnight of a local date, aware (a date in the range, or a few days past it, is safe)."""
    return datetime.combine(day, time(0), tzinfo=local_tz())


# --- Form fields ----------------------------------------------------------------------------------


class DateField(forms.DateField):
    """A form date in the supported range: a form error (not a server error) for year 1 or 9999."""

    def to_python(self, value):
        return check_range(super().to_python(value))


class DateTimeField(forms.DateTimeField):
    """A form datetime (ISO 8601, or a local wall time) in the supported range, aware in the platform's zone."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            value = _SPACE_FOR_PLUS.sub(r"\1+\2", value.strip())
        value = super().to_python(value)
        return None if value is None else to_local(value, allow_naive=False)


def validate_in_range(value):
    """A validator for model, form or serializer fields that hold a date or datetime."""
    check_range(value)


def validate_not_future(value):
    """A validator for a date that has happened (commissioning, purchase): not after today, local time."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    today = timezone.localdate(timezone=local_tz())
    if day > today:
        raise ValidationError(
            _("%(date)s is in the future: enter the day it happened, today (%(today)s) at the latest."),
            code="future",
            params={"date": day.isoformat(), "today": today.isoformat()},
        )
