"""Indexes for the registry search (communities/search.py).

PostgreSQL only: pg_trgm GIN indexes pre-filter substring matches on people's names and area
names (the query always rechecks with LIKE, since pg_trgm treats Thai vowel and tone marks as
word separators). SQLite has neither the extension nor GIN: it migrates with nothing to do.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_first_name_trgm ON communities_person "
    "USING gin (first_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_last_name_trgm ON communities_person "
    "USING gin (last_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS area_name_th_trgm ON organizations_area "
    "USING gin (name_th gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS area_name_th_trgm",
    "DROP INDEX IF EXISTS person_last_name_trgm",
    "DROP INDEX IF EXISTS person_first_name_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_household_sort_key"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD)),
    ]
