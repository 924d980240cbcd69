"""No two holds of one instrument may overlap: a PostgreSQL exclusion constraint (btree_gist).

PostgreSQL only. The constraint is not declared on the model, because SQLite cannot create it and
would fail whenever it rebuilds the table; on SQLite the booking service's IMMEDIATE transaction
keeps the check and the insert together instead. Both operations are no-ops on SQLite.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "slothold_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE bookings_slothold ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(instrument_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE bookings_slothold DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint),
    ]
