"""The catalogue filter form's selects: drawn without widget templates, the same HTML as Django's."""

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from instruments.filters import InstrumentFilter, PlainSelect
from instruments.models import Instrument

CHOICES = [("", "---------"), ("01", "01 仪器<&>\"'"), ("0101", "\u20030101 电镜"), (7, "Seven"), ("1", _("Yes"))]


@pytest.mark.parametrize("value", [None, "", "0101", "7", 7, "missing", ["01", "0101"]])
@pytest.mark.parametrize("attrs", [{"id": "id_category"}, {"id": "id_x", "required": True, "disabled": False}])
def test_plain_select_draws_what_django_select_draws(value, attrs):
    with translation.override("en"):
        assert PlainSelect(choices=CHOICES).render("category", value, attrs) == forms.Select(choices=CHOICES).render(
            "category", value, attrs
        )


def test_the_catalogue_form_draws_every_choice_with_its_label_and_selection(db):
    """The page's form: labels still point at their selects, the chosen value is selected."""
    form = InstrumentFilter({"sharing_mode": "external", "sort": "newest"}, queryset=Instrument.objects.all()).form
    html = str(form["sharing_mode"])
    assert html.startswith('<select name="sharing_mode" id="id_sharing_mode">')
    assert '<option value="external" selected>' in html and html.count(" selected") == 1
    assert form["sharing_mode"].label_tag().startswith('<label for="id_sharing_mode">')
    assert '<option value="newest" selected>' in str(form["sort"])
