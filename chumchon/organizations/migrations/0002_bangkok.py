"""Load the area levels and Bangkok: the city, its 6 zones and 50 districts.

The data is the repository's copy (organizations/data/bangkok_areas.csv) of the shared
reference lists; no migration ever loads communities.
"""

import csv
from pathlib import Path

from django.db import migrations

KINDS = [
    ("city", "เมือง", "City", 0),
    ("zone", "กลุ่มเขต", "Zone", 1),
    ("district", "เขต", "District", 2),
    ("community", "ชุมชน", "Community", 3),
]
DATA = Path(__file__).resolve().parent.parent / "data" / "bangkok_areas.csv"


def load(apps, schema_editor):
    AreaKind = apps.get_model("organizations", "AreaKind")
    Area = apps.get_model("organizations", "Area")
    kinds = {}
    for code, name_th, name_en, rank in KINDS:
        kinds[code], _ = AreaKind.objects.update_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en, "rank": rank}
        )
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pending = {row["code"]: row for row in rows}
    created = {}
    while pending:
        progressed = False
        for code, row in list(pending.items()):
            parent = created.get(row["parent_code"]) if row["parent_code"] else None
            if row["parent_code"] and parent is None:
                continue
            path = f"{parent.path if parent else '/'}{code}/"
            area, _ = Area.objects.update_or_create(
                code=code,
                defaults={
                    "name_th": row["name_th"],
                    "name_en": row["name_en"],
                    "kind": kinds[row["kind"]],
                    "parent": parent,
                    "path": path,
                    "depth": path.count("/") - 2,
                },
            )
            created[code] = area
            del pending[code]
            progressed = True
        if not progressed:
            raise RuntimeError(f"unresolved parents: {sorted(pending)}")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
