"""Search: rebuild every search document in the title + rest layout; on PostgreSQL add the
pg_trgm index and the Han-gram expression index (see instruments/search.py for why); on every
database an index for the catalogue's default order (newest first), so its first page is read
from the index instead of sorting every row."""

from django.db import migrations

CREATE_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Every Han character and every pair of adjacent Han characters of a text; immutable, so it
    # can back an expression index. Runs are found by the regex engine, grams by substr.
    # The character class is instruments.search.HAN_CLASS, spelled for PostgreSQL's regex engine.
    r"""
    CREATE OR REPLACE FUNCTION instrument_han_grams(doc text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT substr(run, i, n)), '{}'::text[])
      FROM (
        SELECT m[1] AS run
        FROM regexp_matches(doc, '([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+)', 'g') AS m
      ) AS runs
      CROSS JOIN LATERAL generate_series(1, char_length(run)) AS i
      CROSS JOIN (VALUES (1), (2)) AS lengths(n)
      WHERE i + n - 1 <= char_length(run)
    $$
    """,
    "CREATE INDEX IF NOT EXISTS instrument_search_trgm "
    "ON instruments_instrument USING gin (search_document gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS instrument_search_han_grams "
    "ON instruments_instrument USING gin (instrument_han_grams(search_document))",
]

# Plain SQL that both databases understand; kept out of the model state on purpose (the model's
# Meta is not this migration's to change), so makemigrations stays quiet.
NEWEST_SQL = "CREATE INDEX IF NOT EXISTS instrument_newest ON instruments_instrument (created_at DESC, id DESC)"
NEWEST_DROP_SQL = "DROP INDEX IF EXISTS instrument_newest"

DROP_SQL = [
    "DROP INDEX IF EXISTS instrument_search_han_grams",
    "DROP INDEX IF EXISTS instrument_search_trgm",
    "DROP FUNCTION IF EXISTS instrument_han_grams(text)",
]


def create_indexes(apps, schema_editor):
    schema_editor.execute(NEWEST_SQL)
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE_SQL:
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    schema_editor.execute(NEWEST_DROP_SQL)
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP_SQL:
        schema_editor.execute(statement)


def rebuild_documents(apps, schema_editor):
    from instruments.search import search_document_for

    Instrument = apps.get_model("instruments", "Instrument")
    changed = []
    for instrument in Instrument.objects.select_related("unit").iterator(chunk_size=500):
        document = search_document_for(instrument)
        if document != instrument.search_document:
            instrument.search_document = document
            changed.append(instrument)
    Instrument.objects.bulk_update(changed, ["search_document"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("instruments", "0003_import_jobs")]

    operations = [
        migrations.RunPython(rebuild_documents, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
