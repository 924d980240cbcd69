"""Migration 0009: every search document is rebuilt with the class names and the compact model,
by a frozen copy of the document function that agrees with the current one."""

import importlib

import pytest
from django.apps import apps

from instruments.models import Instrument
from instruments.search import search_document_for

from .factories import InstrumentFactory, TopCategoryFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("instruments.migrations.0009_search_documents_with_class_and_compact_model")


def test_documents_are_rebuilt_as_the_current_function_builds_them_and_back(unit):
    tem = InstrumentFactory(unit=unit, model="JEM-2100F")
    on_main = InstrumentFactory(unit=unit, category=TopCategoryFactory(), model="Q Exactive")
    retired = InstrumentFactory(unit=unit, retired_at="2024-01-01T00:00:00+08:00")
    migration.backwards(apps, None)
    old = {i.pk: i.search_document for i in Instrument.objects.all()}
    assert set(old) == {tem.pk, on_main.pk, retired.pk}  # retired instruments too
    assert not any("电子光学仪器" in text or "jem2100f" in text for text in old.values())

    migration.forwards(apps, None)

    for instrument in Instrument.objects.select_related("unit", "category", "category__parent"):
        assert instrument.search_document == search_document_for(instrument)
    assert "jem2100f" in Instrument.objects.get(pk=tem.pk).search_document
    assert "分析仪器" in Instrument.objects.get(pk=on_main.pk).search_document

    migration.backwards(apps, None)
    assert {i.pk: i.search_document for i in Instrument.objects.all()} == old
