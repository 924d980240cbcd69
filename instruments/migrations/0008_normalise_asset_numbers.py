"""Asset numbers typed with full-width characters or spaces ("ZC２０２３ 001") stored as the
services now store them ("ZC2023001"), so a re-import with normal digits finds the instrument.

A number whose normal form another instrument of the same unit already holds is left as it is
(the unit has to decide which record is the real one). Each change leaves a history row.
"""

import re
import unicodedata

from django.db import migrations
from django.utils import timezone

REASON = "updated: asset number normalised (full-width characters, spaces)"


def normal(value):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


def normalise(apps, schema_editor):
    Instrument = apps.get_model("instruments", "Instrument")
    Historical = apps.get_model("instruments", "HistoricalInstrument")
    to_fix = [
        (pk, unit_id, normal(number))
        for pk, unit_id, number in Instrument.objects.values_list("pk", "unit_id", "asset_number").iterator()
        if normal(number) != number
    ]
    if not to_fix:
        return
    taken = set(
        Instrument.objects.filter(unit_id__in={unit_id for _pk, unit_id, _n in to_fix}).values_list(
            "unit_id", "asset_number"
        )
    )
    history_fields = [f.attname for f in Historical._meta.fields if not f.name.startswith("history_")]
    now = timezone.now()
    for pk, unit_id, number in to_fix:
        if (unit_id, number) in taken:
            continue
        taken.add((unit_id, number))
        Instrument.objects.filter(pk=pk).update(asset_number=number)  # no signals, no updated_at
        instrument = Instrument.objects.get(pk=pk)
        Historical.objects.create(
            **{name: getattr(instrument, name) for name in history_fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [("instruments", "0007_instrument_phone_and_date_validators")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
