"""Catalogue at national scale (issue 12): on PostgreSQL an index for short Latin tokens (the
Latin-gram expression index, see instruments/search.py); on every database a covering index for
the catalogue's counts (class, district, owner of the instruments not retired) and one for similar
instruments (newest of a class and sharing mode)."""

from django.db import migrations

# Every character and every pair of adjacent characters of the runs of a text that are neither
# Han nor space (the document's only spaces are " " and the title separator "\n"): Latin letters,
# digits, signs. Immutable, so it can back an expression index. The character class is
# instruments.search.LATIN_RUN, spelled for PostgreSQL's regex engine.
LATIN_GRAMS_SQL = [
    r"""
    CREATE OR REPLACE FUNCTION instrument_latin_grams(doc text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT substr(run, i, n)), '{}'::text[])
      FROM (
        SELECT m[1] AS run
        FROM regexp_matches(doc, '([^ \n\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+)', 'g') AS m
      ) AS runs
      CROSS JOIN LATERAL generate_series(1, char_length(run)) AS i
      CROSS JOIN (VALUES (1), (2)) AS lengths(n)
      WHERE i + n - 1 <= char_length(run)
    $$
    """,
    "CREATE INDEX IF NOT EXISTS instrument_search_latin_grams "
    "ON instruments_instrument USING gin (instrument_latin_grams(search_document))",
]
LATIN_GRAMS_DROP_SQL = [
    "DROP INDEX IF EXISTS instrument_search_latin_grams",
    "DROP FUNCTION IF EXISTS instrument_latin_grams(text)",
]

# Plain SQL both databases understand, kept out of the model state like migration 0004's index.
# The counts read only these columns of the catalogue's rows (an index-only scan on PostgreSQL);
# similar instruments read the newest few of each (class, sharing mode).
PLAIN_SQL = [
    "CREATE INDEX IF NOT EXISTS instrument_counts "
    "ON instruments_instrument (category_id, district_id, unit_id) WHERE retired_at IS NULL",
    "CREATE INDEX IF NOT EXISTS instrument_similar "
    "ON instruments_instrument (category_id, sharing_mode, created_at DESC, id DESC)",
]
PLAIN_DROP_SQL = [
    "DROP INDEX IF EXISTS instrument_similar",
    "DROP INDEX IF EXISTS instrument_counts",
]


def create_indexes(apps, schema_editor):
    for statement in PLAIN_SQL:
        schema_editor.execute(statement)
    if schema_editor.connection.vendor == "postgresql":
        for statement in LATIN_GRAMS_SQL:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    for statement in PLAIN_DROP_SQL:
        schema_editor.execute(statement)
    if schema_editor.connection.vendor == "postgresql":
        for statement in LATIN_GRAMS_DROP_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("instruments", "0005_import_job_on_job_base")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
