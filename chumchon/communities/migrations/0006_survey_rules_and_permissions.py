"""The household survey's data: its permissions, the dated parameters its measures and rules read,
and the default classification rules (poor; TPMAP's five dimensions). All of it is data: central
staff start new parameter periods on the parameters page; rules change by ending one and adding
another from a date (Django admin, system administrators)."""

from datetime import date

from django.db import migrations

PERMISSIONS = {
    "surveys.record": ("บันทึกแบบสำรวจข้อมูลครัวเรือน", "Record household surveys"),
    "surveys.manage": ("เปิดและปิดรอบการสำรวจข้อมูลครัวเรือน", "Open and close survey rounds"),
}
GRANTS = {
    "system_admin": ["surveys.record", "surveys.manage"],
    "district_head": ["surveys.record", "surveys.manage"],
    "district_officer": ["surveys.record", "surveys.manage"],
    "committee_member": ["surveys.record"],
}

START = date(2016, 10, 1)  # fiscal year 2560, the first year of the จปฐ. 2560-2564 criteria

# key: (value, Thai name, note)
PARAMETERS = {
    "survey.poverty_line": (
        "38000",
        "เส้นความยากจน (บาทต่อคนต่อปี)",
        "เกณฑ์รายได้เฉลี่ยต่อคนต่อปีของ จปฐ. 2560-2564 (38,000 บาท); เริ่มช่วงใหม่เมื่อมีประกาศเกณฑ์ใหม่",
    ),
    "survey.school_age_from": ("6", "อายุเริ่มการศึกษาภาคบังคับ (ปี)", ""),
    "survey.school_age_to": ("14", "อายุสิ้นสุดการศึกษาภาคบังคับ (ปี)", ""),
    "survey.working_age_from": ("15", "อายุเริ่มวัยทำงาน (ปี)", ""),
    "survey.working_age_to": ("59", "อายุสิ้นสุดวัยทำงาน (ปี)", ""),
    "survey.elderly_age": ("60", "อายุผู้สูงอายุ (ปี)", ""),
}

POVERTY_TH = "รายได้เฉลี่ย %(value)s บาทต่อคนต่อปี ต่ำกว่าเส้นความยากจน %(threshold)s บาท"
POVERTY_EN = (
    "Income of %(value)s baht per person per year is below the poverty line of %(threshold)s baht"
)
# code: (target, measure, operator, parameter key, value, Thai reason, English reason)
RULES = {
    "poor_income": (
        "poor",
        "income_per_person_year",
        "lt",
        "survey.poverty_line",
        "",
        POVERTY_TH,
        POVERTY_EN,
    ),
    "health_insurance": (
        "health",
        "members_without_health_insurance",
        "gt",
        "",
        "0",
        "สมาชิก %(value)s คนไม่มีหลักประกันสุขภาพ",
        "%(value)s member(s) without health insurance",
    ),
    "living_dilapidated": (
        "living",
        "housing_condition",
        "eq",
        "",
        "poor",
        "บ้านมีสภาพทรุดโทรม",
        "The house is dilapidated",
    ),
    "living_insecure_tenure": (
        "living",
        "tenure",
        "eq",
        "",
        "encroach",
        "อยู่อาศัยโดยไม่มีสิทธิ์ในที่ดิน (ที่อยู่อาศัยไม่มั่นคง)",
        "Occupies the land without permission (insecure housing)",
    ),
    "living_drinking_water": (
        "living",
        "drinking_water_enough",
        "is_false",
        "",
        "",
        "มีน้ำสะอาดสำหรับดื่มไม่เพียงพอตลอดปี",
        "Not enough clean drinking water all year",
    ),
    "living_no_electricity": (
        "living",
        "electricity",
        "eq",
        "",
        "none",
        "ไม่มีไฟฟ้าใช้",
        "No electricity",
    ),
    "education_out_of_school": (
        "education",
        "children_out_of_school",
        "gt",
        "",
        "0",
        "เด็กวัยการศึกษาภาคบังคับ %(value)s คนไม่ได้เรียนหนังสือ",
        "%(value)s child(ren) of compulsory school age not in school",
    ),
    "education_literacy": (
        "education",
        "working_age_illiterate",
        "gt",
        "",
        "0",
        "คนวัยทำงาน %(value)s คนอ่านเขียนภาษาไทยไม่ได้",
        "%(value)s working-age member(s) cannot read and write Thai",
    ),
    "income_below_line": (
        "income",
        "income_per_person_year",
        "lt",
        "survey.poverty_line",
        "",
        POVERTY_TH,
        POVERTY_EN,
    ),
    "income_no_work": (
        "income",
        "working_age_without_income",
        "gt",
        "",
        "0",
        "คนวัยทำงาน %(value)s คนไม่มีอาชีพและรายได้",
        "%(value)s working-age member(s) without occupation or income",
    ),
    "services_elderly_allowance": (
        "services",
        "elderly_without_allowance",
        "gt",
        "",
        "0",
        "ผู้สูงอายุ %(value)s คนยังไม่ได้รับเบี้ยยังชีพผู้สูงอายุ",
        "%(value)s elderly member(s) not receiving the elderly allowance",
    ),
    "services_disability_allowance": (
        "services",
        "disabled_without_allowance",
        "gt",
        "",
        "0",
        "ผู้พิการ %(value)s คนยังไม่ได้รับเบี้ยความพิการ",
        "%(value)s member(s) with a disability not receiving the disability allowance",
    ),
    "services_waste": (
        "services",
        "waste",
        "in",
        "",
        "burned,dumped",
        "ขยะไม่ได้รับการจัดเก็บจากเขต (เผาหรือทิ้ง)",
        "Waste not collected by the district (burned or dumped)",
    ),
    "services_tap_water": (
        "services",
        "water_source",
        "in",
        "",
        "bought,well,other",
        "ไม่มีน้ำประปาใช้",
        "No tap water",
    ),
}


def load(apps, schema_editor):
    from chumchon.accounts import roles

    roles.ensure_permissions(apps, PERMISSIONS)
    for role_code, perms in GRANTS.items():
        roles.grant(apps, role_code, perms)
    DatedParameter = apps.get_model("core", "DatedParameter")
    for key, (value, name, note) in PARAMETERS.items():
        if not DatedParameter.objects.filter(key=key).exists():
            DatedParameter.objects.create(
                key=key, value=value, name=name, note=note, valid_from=START
            )
    SurveyRule = apps.get_model("communities", "SurveyRule")
    for order, (code, spec) in enumerate(RULES.items()):
        target, measure, operator, parameter_key, value, reason_th, reason_en = spec
        SurveyRule.objects.update_or_create(
            code=code,
            valid_from=START,
            defaults={
                "target": target,
                "measure": measure,
                "operator": operator,
                "parameter_key": parameter_key,
                "value": value,
                "reason_th": reason_th,
                "reason_en": reason_en,
                "sort_order": (order + 1) * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0005_surveys"),
        ("core", "0002_alter_datedparameter_value"),
        ("accounts", "0003_default_roles"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
