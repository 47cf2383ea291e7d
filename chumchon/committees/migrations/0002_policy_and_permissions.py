"""The committees module's data: its permissions, and the only seat policy shipped, the BMA
regulation on community committees B.E. 2534 (families; 7 seats, one more for every complete 20
families above 140, at most 25; no remainder rule) valid from 1991. Later regulations are added
as new policies by a system administrator (no code change)."""

from datetime import date

from django.db import migrations

PERMISSIONS = {
    "committees.manage": (
        "จัดการการเลือกตั้งและคณะกรรมการชุมชน",
        "Run committee elections and manage committees",
    ),
    "committees.policy": (
        "กำหนดหลักเกณฑ์จำนวนกรรมการชุมชน",
        "Define committee seat policies",
    ),
}
GRANTS = {
    "system_admin": ["committees.manage", "committees.policy"],
    "district_head": ["committees.manage"],
    "district_officer": ["committees.manage"],
}

BE2534 = {
    "name_th": "ระเบียบกรุงเทพมหานครว่าด้วยกรรมการชุมชน พ.ศ. 2534",
    "name_en": "BMA regulation on community committees B.E. 2534",
    "valid_from": date(1991, 1, 1),
    "counted": "families",
    "minimum": 7,
    "threshold": 140,
    "step": 20,
    "maximum": 25,
    "remainder_over": None,
    "thai_only": True,
    "voter_min_age": 18,
    "candidate_min_age": 18,
    "voter_days": 90,
    "candidate_days": 180,
    "term_years": 2,
    "note": "กรรมการอย่างน้อย 7 คน ชุมชนที่มีราษฎรเกิน 140 ครอบครัว เพิ่มกรรมการ 1 คน "
    "ต่อทุก 20 ครอบครัว แต่ไม่เกิน 25 คน",
}


def load(apps, schema_editor):
    from chumchon.accounts.roles import ensure_permissions, grant

    ensure_permissions(apps, PERMISSIONS)
    for role, codes in GRANTS.items():
        grant(apps, role, codes)
    SeatPolicy = apps.get_model("committees", "SeatPolicy")
    if not SeatPolicy.objects.filter(valid_from=BE2534["valid_from"]).exists():
        SeatPolicy.objects.create(**BE2534)


def unload(apps, schema_editor):
    apps.get_model("committees", "SeatPolicy").objects.filter(
        valid_from=BE2534["valid_from"], name_en=BE2534["name_en"]
    ).delete()
    apps.get_model("accounts", "Permission").objects.filter(code__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0001_initial"),
        ("accounts", "0003_default_roles"),
    ]

    operations = [migrations.RunPython(load, unload)]
