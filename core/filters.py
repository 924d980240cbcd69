"""django-filter filters on ``core.timeparse``: dates and datetimes in the supported range.

A date of year 9999 (whose "next day" overflows) or year 1 is a form error on a page and a 400 in
the API, never a server error.
"""

import django_filters

from . import timeparse


class DateFilter(django_filters.DateFilter):
    """``django_filters.DateFilter`` with the range check of ``core.timeparse``."""

    field_class = timeparse.DateField


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 (or a local wall time from a page), in the range of ``core.timeparse``, aware and local."""

    field_class = timeparse.DateTimeField
