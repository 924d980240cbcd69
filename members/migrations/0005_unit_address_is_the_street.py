"""A unit's address is its street: "包头市昆都仑区阿尔丁大街7号" under district 昆都仑区 becomes
"阿尔丁大街7号", and the profile shows the district from its field, once.

Only a leading district name (with the province and city typed before it) is taken off; an
address that is nothing but those names, or that names another district, is left as it is.
Each change leaves a history row. Backwards is a no-op: the taken-off names are the unit's
district (and the platform's city), which the pages show anyway, so nothing needs restoring.
"""

from django.db import migrations, models
from django.utils import timezone

from core.addresses import strip_area_prefix

REASON = "address: the district and city repeated before the street taken off"


def street_only(address: str, district: str) -> str:
    return strip_area_prefix(address, [district], district=district) or address


def clean_addresses(apps, schema_editor):
    Unit = apps.get_model("members", "Unit")
    Historical = apps.get_model("members", "HistoricalUnit")
    history_fields = [f.attname for f in Historical._meta.fields if not f.name.startswith("history_")]
    now = timezone.now()
    for unit in Unit.objects.select_related("district").iterator(chunk_size=500):
        street = street_only(unit.address, unit.district.name)
        if street == unit.address:
            continue
        Unit.objects.filter(pk=unit.pk).update(address=street)
        unit.address = street
        Historical.objects.create(
            **{name: getattr(unit, name) for name in history_fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_unit_groups"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalunit",
            name="address",
            field=models.CharField(
                help_text="Street and number only; the district is a field of its own.",
                max_length=200,
                verbose_name="address",
            ),
        ),
        migrations.AlterField(
            model_name="unit",
            name="address",
            field=models.CharField(
                help_text="Street and number only; the district is a field of its own.",
                max_length=200,
                verbose_name="address",
            ),
        ),
        migrations.RunPython(clean_addresses, migrations.RunPython.noop, elidable=True),
    ]
