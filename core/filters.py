"""django-filter filters on ``core.timeparse``: dates and datetimes in the supported range.

A date of year 9999 (whose "next day" overflows) or year 1 is a form error on a page and a 400 in
the API, never a server error; so is a yes/no value that is neither (``?is_external=null``).
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import timeparse


class DateFilter(django_filters.DateFilter):
    """``django_filters.DateFilter`` with the range check of ``core.timeparse``."""

    field_class = timeparse.DateField


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 (or a local wall time from a page), in the range of ``core.timeparse``, aware and local."""

    field_class = timeparse.DateTimeField


# --- Yes/no filters that refuse what is neither ------------------------------------------------------

_YES_NO = {"true": True, "false": False}
_ANY = ("", "unknown")


class YesNoSelect(forms.NullBooleanSelect):
    """A yes/no select that hands an unknown value (``?is_external=null``) to the field to refuse,
    instead of reading it as "any" as Django's does."""

    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        if isinstance(raw, str) and raw.lower() not in _YES_NO and raw not in _ANY:
            return raw
        return super().value_from_datadict(data, files, name)


class YesNoField(forms.NullBooleanField):
    """``true``, ``false``, or empty for any; anything else is a form error (a 400 in the API)."""

    widget = YesNoSelect

    def to_python(self, value):
        if isinstance(value, str) and value.lower() not in _YES_NO and value not in _ANY:
            raise ValidationError(_("Use true or false (or leave it empty for any)."), code="invalid")
        return super().to_python(value)


class BooleanFilter(django_filters.BooleanFilter):
    """``django_filters.BooleanFilter`` that refuses a value that is neither true nor false."""

    field_class = YesNoField


class NarrowingFilterSet(django_filters.FilterSet):
    """A filter set in three steps: every field's filter, then ``narrow`` (filters that apply to
    the filtered rows as a whole, such as bookings' free-gap period: a mixin overrides it and calls
    ``super()``), then ``order``. Ordering comes last, so an order that reads the final rows (the
    catalogue's relevance candidates) sees every filter."""

    def filter_queryset(self, queryset):
        return self.order(self.narrow(super().filter_queryset(queryset)))

    def narrow(self, queryset):
        return queryset

    def order(self, queryset):
        return queryset
