"""A unit chosen by searching for it, not from a list of every unit: 10,000 at national scale.

``UnitSearchSelect`` draws a select holding only an empty choice, the chosen unit and any units
the page offers (a no-script search's results); ``static/members/unit-search.js`` puts a search
box before it that asks the units API (``/api/v1/units/?q=``) and offers the answers in a
``<datalist>``. Used by the join page here and by the catalogue's owner-unit filter above.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Unit


class UnitSearchSelect(forms.Select):
    """A select of an empty choice, the offered units and the chosen one, with what the script
    needs to search: the API's address and the search box's label and placeholder. An element
    named by the ``data-search-fallback`` attribute (a search form for browsers without scripts)
    is hidden by the script once its own search box is in place."""

    def __init__(self, attrs=None, *, empty_label, search_label, search_placeholder):
        super().__init__(attrs)
        self.empty_label = empty_label
        self.search_label = search_label
        self.search_placeholder = search_placeholder
        self.chosen = None  # (id, name), set by UnitField when the value is valid
        self.offered = []  # [(id, name)], e.g. the results of a search without scripts

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {
            **self.build_attrs(self.attrs, attrs),
            "data-unit-search": reverse("unit-list"),
            "data-search-label": self.search_label,
            "data-search-placeholder": self.search_placeholder,
        }
        parts = [
            format_html('<select name="{}"{}>', name, flatatt(attrs)),
            format_html('<option value="">{}</option>', self.empty_label),
        ]
        chosen_pk = self.chosen[0] if self.chosen else _unit_id(value)
        units = list(self.offered)
        if self.chosen and all(pk != chosen_pk for pk, _name in units):
            units.insert(0, self.chosen)
        for pk, label in units:
            mark = " selected" if pk == chosen_pk else ""
            parts.append(format_html('<option value="{}"{}>{}</option>', pk, mark, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 -- format_html escaped every value


def _unit_id(value) -> int | None:
    """The id an unchecked value (an initial value) names, or None."""
    value = value[0] if isinstance(value, list | tuple) and value else value
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() and len(text) < 11 else None


class UnitField(forms.IntegerField):
    """An approved unit's id, checked with one query when one is given; the cleaned value is the
    id, or with ``as_unit=True`` the Unit itself."""

    default_error_messages = {"invalid_choice": _("No approved unit has this id.")}

    def __init__(self, *, as_unit=False, widget=None, **kwargs):
        self.as_unit = as_unit
        super().__init__(min_value=1, max_value=2**31 - 1, widget=widget, **kwargs)

    def clean(self, value):
        pk = super().clean(value)
        if pk is None:
            return None
        approved = Unit.objects.approved().filter(pk=pk)
        unit = approved.first() if self.as_unit else approved.only("pk", "name", "name_en").first()
        if unit is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        if isinstance(self.widget, UnitSearchSelect):
            self.widget.chosen = (unit.pk, unit.display_name)
        return unit if self.as_unit else pk
