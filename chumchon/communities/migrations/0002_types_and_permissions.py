"""Community types (data: regulations add types) and the registry's permissions."""

from django.db import migrations

# code: (Thai name, English name, order); frozen here: later types come in later migrations
TYPES = {
    "slum": ("ชุมชนแออัด", "Slum community", 10),
    "suburban": ("ชุมชนชานเมือง", "Suburban community", 20),
    "housing": ("เคหะชุมชน", "Housing-authority estate", 30),
    "estate": ("หมู่บ้านจัดสรร", "Housing-estate village", 40),
    "urban": ("ชุมชนเมือง", "Urban community", 50),
    "highrise": ("ชุมชนอาคารสูง", "High-rise community", 60),
    "special": ("ชุมชนรูปแบบพิเศษ", "Special-form community", 70),
}

PERMISSIONS = {
    "people.view": ("ดูครัวเรือนและบุคคลในชุมชน", "View households and people"),
    "personal.export": ("ส่งออกข้อมูลส่วนบุคคล", "Export personal data"),
}
GRANTS = {
    "system_admin": ["people.view", "personal.export"],
    "central_officer": ["people.view"],
    "zone_officer": ["people.view"],
    "district_head": ["people.view", "personal.export"],
    "district_officer": ["people.view", "personal.export"],
    "committee_member": ["people.view"],
    "auditor": ["people.view"],
}


def load(apps, schema_editor):
    from chumchon.accounts import roles

    CommunityType = apps.get_model("communities", "CommunityType")
    for code, (name_th, name_en, order) in TYPES.items():
        CommunityType.objects.update_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en, "sort_order": order}
        )
    roles.ensure_permissions(apps, PERMISSIONS)
    for role_code, perms in GRANTS.items():
        roles.grant(apps, role_code, perms)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
        ("accounts", "0003_default_roles"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
