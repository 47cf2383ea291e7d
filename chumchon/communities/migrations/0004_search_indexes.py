"""Indexes for the registry search (`communities/search.py`). PostgreSQL only; SQLite migrates
with nothing to do (no pg_trgm, no expression opclasses), and the model state is unchanged.

- `person_name_trgm`: pg_trgm GIN on translate(first_name || last_name, marks, letters).
  pg_trgm cuts words at characters that are not letters, and Thai tone marks (่ ้ ๊ ๋), ็ and ์
  are not letters to it; mapping every Thai combining mark to a Greek letter keeps trigrams
  running across them, so "ก้อ" is one selective trigram instead of two one-letter words. The
  search always rechecks with LIKE on the real names: the index only pre-filters.
- `person_first_name_upper`, `person_last_name_upper`, `household_house_no_upper`: btree on
  `upper(x COLLATE "C")` for exact and prefix matches (`= 'X'`, `LIKE 'X%'`). Collation C
  because a btree under the cluster's ICU th-TH collation cannot serve LIKE 'x%', and because
  upper() under ICU costs several microseconds a row where C folds ASCII only (Thai has no
  case): the search compares `UPPER(x COLLATE "C")` too.
- `area_name_th_trgm`: pg_trgm GIN on the area's Thai name (the community list's and the
  search's community names; the area table is small, so the planner may prefer a scan).

THAI_MARKS and MARK_LETTERS are copied (frozen) from search.py; a test checks they agree.
"""

from django.db import migrations

THAI_MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a" + "".join(
    chr(c) for c in range(0x0E47, 0x0E4F)
)
MARK_LETTERS = "".join(chr(0x03B1 + i) for i in range(len(THAI_MARKS)))

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_name_trgm ON communities_person USING gin "
    f"(translate(first_name || last_name, '{THAI_MARKS}', '{MARK_LETTERS}') gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_first_name_upper ON communities_person "
    '(upper(first_name COLLATE "C"))',
    "CREATE INDEX IF NOT EXISTS person_last_name_upper ON communities_person "
    '(upper(last_name COLLATE "C"))',
    "CREATE INDEX IF NOT EXISTS household_house_no_upper ON communities_household "
    '(upper(house_no COLLATE "C"))',
    "CREATE INDEX IF NOT EXISTS area_name_th_trgm ON organizations_area "
    "USING gin (name_th gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS area_name_th_trgm",
    "DROP INDEX IF EXISTS household_house_no_upper",
    "DROP INDEX IF EXISTS person_last_name_upper",
    "DROP INDEX IF EXISTS person_first_name_upper",
    "DROP INDEX IF EXISTS person_name_trgm",
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
