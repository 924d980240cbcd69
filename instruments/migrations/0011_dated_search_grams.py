"""A search's newest matches without reading them all (issue 12), on PostgreSQL: an expression
index over the document's grams, each tagged with the month the instrument was registered
(``质谱|24322``). ``search_limit`` reads a word's matches month by month, newest first, from it,
and stops once it has found enough; the plain gram indexes of migrations 0004 and 0006 stay for
every other use."""

from django.db import migrations

# The month of a time in UTC as one integer (year × 12 + month − 1): immutable, whatever the
# session's time zone.
DATED_GRAMS_SQL = [
    """
    CREATE OR REPLACE FUNCTION instrument_month(at timestamptz) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT (extract(year FROM at AT TIME ZONE 'UTC') * 12 + extract(month FROM at AT TIME ZONE 'UTC') - 1)::integer
    $$
    """,
    # Every Han and Latin gram of the document (instrument_han_grams, instrument_latin_grams),
    # followed by "|" and the registration month; the month is what follows the last "|", so no
    # two (gram, month) pairs share a key.
    """
    CREATE OR REPLACE FUNCTION instrument_dated_grams(doc text, at timestamptz) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(g || '|' || instrument_month(at)), '{}'::text[])
      FROM unnest(instrument_han_grams(doc) || instrument_latin_grams(doc)) AS g
    $$
    """,
    "CREATE INDEX IF NOT EXISTS instrument_search_dated_grams "
    "ON instruments_instrument USING gin (instrument_dated_grams(search_document, created_at))",
]
DATED_GRAMS_DROP_SQL = [
    "DROP INDEX IF EXISTS instrument_search_dated_grams",
    "DROP FUNCTION IF EXISTS instrument_dated_grams(text, timestamptz)",
    "DROP FUNCTION IF EXISTS instrument_month(timestamptz)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DATED_GRAMS_SQL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DATED_GRAMS_DROP_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("instruments", "0010_street_address_once")]

    operations = [migrations.RunPython(create, drop)]
