"""The catalogue's filters, shared by the public page and the API (``InstrumentFilter``).

Choice lists (classes, districts) are read from the database at most once per filter set and only
when needed (a value to validate or a form to draw), so a page or an API call issues a fixed number
of queries. An owner unit is checked by its id alone (one query when given): a national registry's
10,000 units are looked up through the units API, not sent with every page.
"""

from decimal import Decimal
from html import escape  # Django's escape without its lazy-string wrapper: the same characters

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core import filters as core_filters
from members.models import District, Unit
from members.widgets import UnitField, UnitSearchSelect

from . import catalogue
from .models import Category, Instrument
from .search import search_filter


class AnyYesNoSelect(core_filters.YesNoSelect):
    """A yes/no filter whose empty choice reads "any", not "unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class PlainSelect(forms.Select):
    """A select drawn by joining strings instead of through Django's widget templates (a template
    per option): the same HTML, without the cost that grew with the class tree and the list of
    owner units to most of a catalogue page's time. Option groups are left to Django."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        chosen = False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen and option_value in wanted
            chosen = chosen or selected
            mark = " selected" if selected else ""
            parts.append(f'\n  <option value="{escape(option_value)}"{mark}>{escape(str(label))}</option>\n')
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 -- every value and label is escaped above


def owner_unit_widget() -> UnitSearchSelect:
    """The owner unit: "any" and the chosen unit only, searched for by name with
    ``members/unit-search.js``; a unit's profile links to its instruments with ``?unit=``."""
    return UnitSearchSelect(
        empty_label=_("Any"),
        search_label=_("Find an owner unit by name"),
        search_placeholder=_("Type part of a unit's name"),
    )


class UnitFilter(django_filters.Filter):
    field_class = UnitField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", owner_unit_widget())
        super().__init__(*args, **kwargs)


class Loaded:
    """A value loaded from the database on first use, then kept. Forms deep-copy their fields
    and their choices; this one is shared by the copies instead, so it is loaded once."""

    def __init__(self, load):
        self.load = load

    def __call__(self):
        if not hasattr(self, "value"):
            self.value = self.load()
        return self.value

    def __deepcopy__(self, memo):
        return self


class InstrumentFilter(core_filters.NarrowingFilterSet):
    """Free text, classification, place, owner, value, status, sharing and online booking, plus
    the sort order (applied last, see ``order``)."""

    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 质谱, JEM-2100F, 岩石三轴")}),
        help_text=_("Words in Chinese or English; every word must appear (name, model, maker, functions, unit…)."),
    )
    # The API schema's type of the three filters whose choices come from the database (see __init__).
    category = extend_schema_field({"type": "string", "minLength": 1, "maxLength": 6})(
        django_filters.ChoiceFilter(
            widget=PlainSelect,
            method="filter_category",
            label=_("Instrument class"),
            help_text=_("A class code: a 2-digit main class includes all its subclasses."),
        )
    )
    district = extend_schema_field({"type": "string", "minLength": 1, "maxLength": 12})(
        django_filters.ChoiceFilter(
            widget=PlainSelect,
            method="filter_district",
            label=_("District"),
            help_text=_("A district code, e.g. 150203."),
        )
    )
    unit = extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**31 - 1})(
        UnitFilter(field_name="unit_id", label=_("Owner unit"), help_text=_("A unit id."))
    )
    unit_type = django_filters.ChoiceFilter(
        widget=PlainSelect, field_name="unit__unit_type", choices=Unit.Type.choices, label=_("Unit type")
    )
    value_min = django_filters.NumberFilter(
        method="filter_value_min", label=_("Original value from (10,000 yuan)"), min_value=Decimal("0")
    )
    value_max = django_filters.NumberFilter(
        method="filter_value_max", label=_("Original value up to (10,000 yuan)"), min_value=Decimal("0")
    )
    operating_status = django_filters.ChoiceFilter(
        widget=PlainSelect, choices=Instrument.OperatingStatus.choices, label=_("Operating status")
    )
    sharing_mode = django_filters.ChoiceFilter(
        widget=PlainSelect, choices=Instrument.SharingMode.choices, label=_("Sharing mode")
    )
    online_booking = core_filters.BooleanFilter(
        field_name="online_booking",
        label=_("Online booking"),
        widget=AnyYesNoSelect,
        help_text=_("Shared with outside users, in working order, with published opening hours."),
    )
    sort = django_filters.ChoiceFilter(
        widget=PlainSelect,
        method="filter_sort",
        choices=catalogue.SORT_CHOICES,
        label=_("Sort by"),
        empty_label=None,
        help_text=_("Default: relevance when searching, otherwise newest."),
    )

    class Meta:
        model = Instrument
        fields = [
            "search",
            "category",
            "district",
            "unit",
            "unit_type",
            "value_min",
            "value_max",
            "operating_status",
            "sharing_mode",
            "online_booking",
            "sort",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = Loaded(lambda: list(Category.objects.all()))
        self.districts = Loaded(lambda: list(District.objects.all()))
        self.filters["category"].extra["choices"] = Loaded(
            lambda: [
                (
                    c.code,
                    f"{c.code} {c.display_name}" if c.parent_id is None else f"\u2003{c.code} {c.display_name}",
                )
                for c in self.categories()
            ]
        )
        self.filters["district"].extra["choices"] = Loaded(lambda: [(d.code, d.display_name) for d in self.districts()])

    @cached_property
    def counts(self) -> dict:
        """The number of results and both facets, from one grouping query (``catalogue_counts``)."""
        return catalogue.catalogue_counts(self)

    # --- filters ---------------------------------------------------------------------------------

    def filter_search(self, queryset, name, value):
        return search_filter(queryset, value)

    # Both compare ids taken from the lists already loaded for the choices (same meaning as
    # comparing codes through joins), which leaves the planner a plain column test.

    def filter_category(self, queryset, name, value):
        """The class with this code and its subclasses."""
        by_pk = {c.pk: c for c in self.categories()}
        ids = [
            c.pk
            for c in by_pk.values()
            if c.code == value or (c.parent_id in by_pk and by_pk[c.parent_id].code == value)
        ]
        return queryset.filter(category_id__in=ids)

    def filter_district(self, queryset, name, value):
        """See ``catalogue.located_in_q``."""
        district_id = next((d.pk for d in self.districts() if d.code == value), None)
        return queryset.filter(catalogue.located_in_q(district_id))

    def filter_value_min(self, queryset, name, value):
        return queryset.filter(original_value__gte=value * catalogue.WAN)

    def filter_value_max(self, queryset, name, value):
        return queryset.filter(original_value__lte=value * catalogue.WAN)

    def filter_sort(self, queryset, name, value):
        return queryset  # applied in order, after every other filter and the narrowing

    def order(self, queryset):
        """``catalogue.order_results``; when the facets were counted first and found no more than
        SEARCH_LIMIT rows (they read a superset of the results), a search is ranked as it is."""
        data = self.form.cleaned_data
        few = "counts" in self.__dict__ and not self.counts["more"]
        return catalogue.order_results(
            queryset, sort=data.get("sort") or "", search=data.get("search") or "", unfiltered=self.queryset, few=few
        )

    def queryset_without(self, *names):
        """The filtered rows ignoring some filters (for facet counts), narrowed (``narrow``) and
        unordered. The form must have been validated (``self.qs`` or ``self.is_valid()``)."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names and name != "sort":
                queryset = self.filters[name].filter(queryset, value)
        return self.narrow(queryset).order_by()
