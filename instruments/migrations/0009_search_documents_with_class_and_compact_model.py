"""Every search document rebuilt in the form of issue 13: the title gains the model's compact form
(``jem-2100f`` followed by ``jem2100f``) and the rest the instrument's class and main class
(Chinese and English), so 质谱仪器 and ``jem2100`` find what they name.

The document function is *frozen* here rather than imported from ``instruments.search``: a
migration runs against the models as they were at this point of history, and the current
function may one day read a field these historical models do not have, which would break every
fresh install replaying this migration. The copy below is the function as of this migration
(``tests/instruments/test_migration_search_documents.py`` checks that it still agrees with the
current one); when ``search_document_for`` changes again, a new migration carries a new copy.
The reverse rebuilds the documents in their previous form (without the compact model and the
class names), so the migration is reversible.
"""

import re
import unicodedata

from django.db import migrations

TITLE_SEPARATOR = "\n"
MODEL_PUNCTUATION = re.compile(r"[\W_]+")
BATCH = 500


def normalise(text):
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(text.split())


def compact_model(model):
    model = normalise(model)
    compact = MODEL_PUNCTUATION.sub("", model)
    return compact if compact != model else ""


def document(instrument, *, with_class):
    unit = instrument.unit
    title = [instrument.name, instrument.name_en, instrument.model]
    rest = [instrument.manufacturer, instrument.functions, instrument.technical_indicators, instrument.service_content]
    if with_class:
        title.append(compact_model(instrument.model))
        category = instrument.category
        rest += [category.name, category.name_en]
        if category.parent_id:
            rest += [category.parent.name, category.parent.name_en]
    rest += [unit.name, unit.short_name]
    return normalise(" ".join(p for p in title if p)) + TITLE_SEPARATOR + normalise(" ".join(p for p in rest if p))


def rebuild(apps, *, with_class):
    Instrument = apps.get_model("instruments", "Instrument")
    rows = Instrument.objects.select_related("unit", "category", "category__parent").order_by("pk")
    changed = []
    for instrument in rows.iterator(chunk_size=BATCH):
        text = document(instrument, with_class=with_class)
        if text != instrument.search_document:
            instrument.search_document = text
            changed.append(instrument)
        if len(changed) >= BATCH:
            Instrument.objects.bulk_update(changed, ["search_document"])  # no signals, no updated_at
            changed = []
    Instrument.objects.bulk_update(changed, ["search_document"])


def forwards(apps, schema_editor):
    rebuild(apps, with_class=True)


def backwards(apps, schema_editor):
    rebuild(apps, with_class=False)


class Migration(migrations.Migration):
    dependencies = [("instruments", "0008_normalise_asset_numbers")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
