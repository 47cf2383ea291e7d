"""The budget module's permission: communities (their committee, or the district officer on
their behalf) submit applications with `budgets.apply`. Programmes are managed with the
existing `programmes.manage` (central officer); review, approval and payments use
`records.edit` / `records.approve`."""

from django.db import migrations

PERMISSIONS = {
    "budgets.apply": ("ยื่นคำขอรับงบประมาณของชุมชน", "Submit community budget applications"),
}
GRANTS = {
    "system_admin": ["budgets.apply"],
    "district_head": ["budgets.apply"],
    "district_officer": ["budgets.apply"],
    "committee_member": ["budgets.apply"],
}


def load(apps, schema_editor):
    from chumchon.accounts.roles import ensure_permissions, grant

    ensure_permissions(apps, PERMISSIONS)
    for role, codes in GRANTS.items():
        grant(apps, role, codes)


def unload(apps, schema_editor):
    apps.get_model("accounts", "Permission").objects.filter(code__in=list(PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0001_initial"),
        ("committees", "0002_policy_and_permissions"),
    ]

    operations = [migrations.RunPython(load, unload)]
