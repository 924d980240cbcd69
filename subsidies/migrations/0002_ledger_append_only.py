"""On PostgreSQL, a trigger refuses UPDATE and DELETE of ledger entries: the ledger is append-only
even for raw SQL. (On SQLite the model and its QuerySet refuse them.)"""

from django.db import migrations

CREATE = """
CREATE FUNCTION subsidies_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'subsidy ledger entries are never updated or deleted; write a correcting entry'
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidies_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON subsidies_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION subsidies_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS subsidies_ledgerentry_append_only ON subsidies_ledgerentry;
DROP FUNCTION IF EXISTS subsidies_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
