"""The food bank's permissions, the counter clerk role, the assessment criteria and the impact
factors (dated parameters: 4.2 meals and 2.53 kgCO2e per kg, from 2000-01-01, open-ended; the
figures of source 001). Central staff start new periods on the parameters page."""

from datetime import date

from django.db import migrations

PERMISSIONS = {
    "foodbank.view": ("ดูข้อมูล BKK Food Bank", "View the food bank"),
    "foodbank.donors": ("จัดการทะเบียนผู้บริจาค BKK Food Bank", "Keep the food bank's donor list"),
    "foodbank.record": (
        "บันทึกการรับและส่งต่ออาหารส่วนเกิน รายการสิ่งของ และคลังสิ่งของ",
        "Record surplus food, the catalogue and stock",
    ),
    "foodbank.assess": (
        "ประเมินกลุ่มเป้าหมายและให้แต้มคะแนน",
        "Assess beneficiaries and award points",
    ),
    "foodbank.redeem": ("แลกแต้มรับสิ่งของที่จุดบริการ", "Redeem points for goods at the counter"),
}
_DISTRICT = [
    "foodbank.view",
    "foodbank.donors",
    "foodbank.record",
    "foodbank.assess",
    "foodbank.redeem",
]
GRANTS = {
    "system_admin": list(PERMISSIONS),
    "central_officer": ["foodbank.view", "foodbank.donors"],
    "zone_officer": ["foodbank.view"],
    "auditor": ["foodbank.view"],
    "district_officer": _DISTRICT,
    "district_head": _DISTRICT,
}
ROLES = {
    "foodbank_clerk": (
        "เจ้าหน้าที่จุดบริการ BKK Food Bank",
        "Food bank counter clerk",
        ["areas.view", "foodbank.view", "foodbank.redeem"],
        ["district"],
        True,
    ),
}
CRITERIA = [
    # code, Thai, English, highest score
    ("income", "รายได้ไม่เพียงพอต่อการดำรงชีพ", "Income too low to live on", 5),
    ("dependants", "มีผู้พึ่งพิง (เด็ก ผู้สูงอายุ ผู้ป่วย) ในความดูแล", "Dependants in care", 5),
    ("health", "ปัญหาสุขภาพ ความพิการ หรือติดเตียง", "Health, disability or bedridden", 5),
    ("housing", "สภาพที่อยู่อาศัยไม่มั่นคง", "Insecure housing", 5),
    ("food", "ขาดแคลนอาหารในชีวิตประจำวัน", "Not enough food day to day", 5),
    ("crisis", "ประสบภัยหรือวิกฤตเฉพาะหน้า", "Disaster or sudden crisis", 5),
]
PARAMETERS = {
    "foodbank.meals_per_kg": ("4.2", "จำนวนมื้ออาหารต่ออาหาร 1 กิโลกรัม"),
    "foodbank.kgco2e_per_kg": ("2.53", "ปริมาณคาร์บอนที่ลดได้ (kgCO2e) ต่ออาหาร 1 กิโลกรัม"),
}
START = date(2000, 1, 1)


def load(apps, schema_editor):
    from chumchon.accounts.roles import ensure_permissions, ensure_roles, grant

    ensure_permissions(apps, PERMISSIONS)
    for role, codes in GRANTS.items():
        grant(apps, role, codes)
    ensure_roles(apps, ROLES)
    Criterion = apps.get_model("foodbank", "Criterion")
    for order, (code, name_th, name_en, max_score) in enumerate(CRITERIA):
        Criterion.objects.update_or_create(
            code=code,
            defaults={
                "name_th": name_th,
                "name_en": name_en,
                "max_score": max_score,
                "sort_order": (order + 1) * 10,
            },
        )
    DatedParameter = apps.get_model("core", "DatedParameter")
    for key, (value, name) in PARAMETERS.items():
        if not DatedParameter.objects.filter(key=key).exists():
            DatedParameter.objects.create(
                key=key,
                value=value,
                name=name,
                valid_from=START,
                note="สำนักพัฒนาสังคม รายงานการประชุม 3 ธ.ค. 2567 (BKK Food Bank รูปแบบที่ 1)",
            )


class Migration(migrations.Migration):
    dependencies = [
        ("foodbank", "0001_initial"),
        ("accounts", "0003_default_roles"),
        ("core", "0002_alter_datedparameter_value"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
