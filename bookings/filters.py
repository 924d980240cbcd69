"""Filters shared by the pages and the API: bookings by status and date, and the catalogue's
"free between … and … for at least N hours" (a mixin for the instruments FilterSet)."""

from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import filters as core_filters
from core.timeparse import start_of_day
from instruments.filters import InstrumentFilter

from .models import Booking, ServiceRecord
from .selectors import instruments_with_free_gap

MAX_FREE_RANGE_DAYS = 31


def _date_filter(method, label):
    """A local date in the supported range (``core.timeparse``): year 9999 is a form error, not a 500."""
    return core_filters.DateFilter(
        method=method, label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class BookingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices, label=_("Status"))
    date_from = _date_filter("filter_from", _("From date"))
    date_to = _date_filter("filter_to", _("Until date"))

    class Meta:
        model = Booking
        fields = ["status", "date_from", "date_to"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(ends_at__gt=start_of_day(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=start_of_day(value + timedelta(days=1)))


class ServiceRecordFilter(django_filters.FilterSet):
    date_from = _date_filter("filter_from", _("From date"))
    date_to = _date_filter("filter_to", _("Until date"))
    service_way = django_filters.ChoiceFilter(
        choices=ServiceRecord._meta.get_field("service_way").choices, label=_("Service way")
    )
    is_external = core_filters.BooleanFilter(label=_("External"))

    class Meta:
        model = ServiceRecord
        fields = ["date_from", "date_to", "service_way", "is_external"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(started_at__gte=start_of_day(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(started_at__lt=start_of_day(value + timedelta(days=1)))


class FreeGapFilterMixin(core_filters.NarrowingFilterSet):
    """Adds ``free_from``, ``free_to`` (local date-times) and ``min_hours`` to an instrument FilterSet.

    All three are needed for the filter to apply; ``min_hours`` defaults to 1. The range may span at
    most 31 days. Usage: ``class CatalogueFilter(FreeGapFilterMixin, InstrumentFilter): …`` (any
    ``NarrowingFilterSet`` of instruments, or a plain ``FilterSet``): the period narrows the rows
    after every field's filter and before their order.
    """

    free_from = core_filters.DateTimeFilter(
        method="filter_free_gap",
        label=_("Free from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    free_to = core_filters.DateTimeFilter(
        method="filter_free_gap",
        label=_("Free until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    min_hours = django_filters.NumberFilter(
        method="filter_free_gap", label=_("For at least (hours)"), min_value=0.5, max_value=24
    )

    def filter_free_gap(self, queryset, name, value):
        # All three parameters are applied together, once, in narrow below.
        return queryset

    def narrow(self, queryset):
        return self.apply_free_gap(super().narrow(queryset))

    def apply_free_gap(self, queryset):
        """Keep the instruments with a free gap in the asked period (all of them if none asked)."""
        data = self.form.cleaned_data
        start, end = data.get("free_from"), data.get("free_to")
        if start is None and end is None:
            return queryset
        if self._add_free_gap_errors():
            return queryset.none()
        return instruments_with_free_gap(
            queryset, start=start, end=end, min_hours=data.get("min_hours") or 1, now=timezone.now()
        )

    def _add_free_gap_errors(self) -> bool:
        """Check the period once; returns True (and marks the form) when it is unusable."""
        if getattr(self, "_free_gap_checked", None) is not None:
            return self._free_gap_checked
        data = self.form.cleaned_data
        start, end = data.get("free_from"), data.get("free_to")
        message = None
        if (start is None) != (end is None):
            message = _("Give both ends of the period.")
        elif start and end and end <= start:
            message = _("The end must be after the start.")
        elif start and end and end - start > timedelta(days=MAX_FREE_RANGE_DAYS):
            message = _("Search at most %(n)d days at once.") % {"n": MAX_FREE_RANGE_DAYS}
        if message:
            self.form.add_error("free_to", ValidationError(message))
        self._free_gap_checked = message is not None
        return self._free_gap_checked

    def is_valid(self):
        if not super().is_valid():
            return False
        return not self._add_free_gap_errors()


class CatalogueFilter(FreeGapFilterMixin, InstrumentFilter):
    """The public catalogue's filters plus "free between … and … for at least N hours".

    ``platform_site`` gives it to the instruments app's catalogue page (urls.py) and API (api.py),
    so the lower app never imports bookings.
    """

    class Meta(InstrumentFilter.Meta):
        fields = [*InstrumentFilter.Meta.fields, "free_from", "free_to", "min_hours"]
