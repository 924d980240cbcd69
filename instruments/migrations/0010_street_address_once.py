"""An instrument's street holds the street only: a leading repeat of its province, city or
district, or of the owner unit's district with the city typed before it (the demo and the form
used to copy the unit's whole address into the street), is taken off, so the address is shown
once: "内蒙古自治区包头市昆都仑区示范路1号A座201室", not "…昆都仑区包头市昆都仑区示范路1号…".

Each change leaves a history row. Backwards is a no-op: the names taken off are the record's own
province, city and district (or the platform's city and the unit's district), which the pages
show from their fields, so there is nothing to restore.
"""

from django.db import migrations
from django.utils import timezone

from core.addresses import strip_area_prefix

REASON = "updated: province, city and district repeated in the street taken off"


def street_once(street, *, province, city, district, unit_district):
    return strip_area_prefix(street, [province, city, district, unit_district], district=district or unit_district)


def clean_streets(apps, schema_editor):
    Instrument = apps.get_model("instruments", "Instrument")
    Historical = apps.get_model("instruments", "HistoricalInstrument")
    history_fields = [f.attname for f in Historical._meta.fields if not f.name.startswith("history_")]
    now = timezone.now()
    instruments = Instrument.objects.exclude(street_address="").select_related("district", "unit__district")
    for instrument in instruments.iterator(chunk_size=500):
        street = street_once(
            instrument.street_address,
            province=instrument.province,
            city=instrument.city,
            district=instrument.district.name if instrument.district_id else "",
            unit_district=instrument.unit.district.name,
        )
        if street == instrument.street_address:
            continue
        Instrument.objects.filter(pk=instrument.pk).update(street_address=street)  # no signals, no updated_at
        instrument.street_address = street
        Historical.objects.create(
            **{name: getattr(instrument, name) for name in history_fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0009_search_documents_with_class_and_compact_model"),
        ("members", "0005_unit_address_is_the_street"),
    ]

    operations = [migrations.RunPython(clean_streets, migrations.RunPython.noop, elidable=True)]
