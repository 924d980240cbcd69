"""On PostgreSQL, a service record is never both drawn on a voucher and claimed in a live
reimbursement line. Each trigger first locks the service record's row, so two transactions that
claim it in the two ways queue on that row and the second sees the first (no race)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION subsidies_one_subsidy_per_service() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM bookings_servicerecord WHERE id = NEW.service_record_id FOR UPDATE;
    IF TG_TABLE_NAME = 'subsidies_voucherdraw' THEN
        IF EXISTS (SELECT 1 FROM subsidies_applicationline
                   WHERE service_record_id = NEW.service_record_id AND live) THEN
            RAISE EXCEPTION 'service record % is claimed in a reimbursement application', NEW.service_record_id
                USING ERRCODE = 'unique_violation';
        END IF;
    ELSIF NEW.live THEN
        IF EXISTS (SELECT 1 FROM subsidies_voucherdraw WHERE service_record_id = NEW.service_record_id) THEN
            RAISE EXCEPTION 'service record % is paid in part by a voucher', NEW.service_record_id
                USING ERRCODE = 'unique_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidies_voucherdraw_one_subsidy
    BEFORE INSERT OR UPDATE OF service_record_id ON subsidies_voucherdraw
    FOR EACH ROW EXECUTE FUNCTION subsidies_one_subsidy_per_service();
CREATE TRIGGER subsidies_applicationline_one_subsidy
    BEFORE INSERT OR UPDATE OF service_record_id, live ON subsidies_applicationline
    FOR EACH ROW EXECUTE FUNCTION subsidies_one_subsidy_per_service();
"""

DROP = """
DROP TRIGGER IF EXISTS subsidies_voucherdraw_one_subsidy ON subsidies_voucherdraw;
DROP TRIGGER IF EXISTS subsidies_applicationline_one_subsidy ON subsidies_applicationline;
DROP FUNCTION IF EXISTS subsidies_one_subsidy_per_service();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)  # no parameters: the % of RAISE stays as it is


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0003_vouchers")]

    operations = [migrations.RunPython(forwards, backwards)]
