"""The default access matrix: permissions and the seven roles of chumchon.accounts.roles."""

from django.db import migrations

from chumchon.accounts.roles import PERMISSIONS, ROLES, ensure_permissions, ensure_roles


def load(apps, schema_editor):
    ensure_permissions(apps, PERMISSIONS)
    ensure_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("organizations", "0002_bangkok"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
