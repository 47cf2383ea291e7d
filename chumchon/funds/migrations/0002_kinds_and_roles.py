"""Fund kinds (data), the fund permissions and the fund committee's roles.

- Staff read funds (`funds.view`); district officers and heads set them up (`funds.manage`)
  and record on their behalf (`funds.record`); the head confirms (`funds.confirm`).
- `fund_treasurer`, `fund_clerk` and `fund_committee` are granted for a seat on one fund's
  committee (community or district level, no second factor, as the community committee role).
"""

from django.db import migrations

PERMISSIONS = {
    "funds.view": ("ดูบัญชีกองทุนชุมชน", "View community fund books"),
    "funds.manage": (
        "จัดตั้งกองทุนชุมชน กำหนดระเบียบ และแต่งตั้งกรรมการกองทุน",
        "Set up community funds, their rules and committees",
    ),
    "funds.record": ("บันทึกรายการบัญชีกองทุน", "Record fund transactions"),
    "funds.confirm": ("ตรวจยืนยันรายการบัญชีกองทุน", "Confirm fund transactions"),
}
GRANTS = {
    "system_admin": list(PERMISSIONS),
    "central_officer": ["funds.view"],
    "zone_officer": ["funds.view"],
    "auditor": ["funds.view"],
    "district_officer": ["funds.view", "funds.manage", "funds.record"],
    "district_head": ["funds.view", "funds.manage", "funds.record", "funds.confirm"],
}
LEVELS = ["community", "district"]
ROLES = {
    "fund_treasurer": (
        "เหรัญญิกกองทุน",
        "Fund treasurer",
        ["areas.view", "funds.view", "funds.record", "funds.confirm"],
        LEVELS,
        False,
    ),
    "fund_clerk": (
        "ผู้บันทึกบัญชีกองทุน",
        "Fund bookkeeper",
        ["areas.view", "funds.view", "funds.record"],
        LEVELS,
        False,
    ),
    "fund_committee": (
        "กรรมการกองทุน",
        "Fund committee member",
        ["areas.view", "funds.view", "funds.confirm"],
        LEVELS,
        False,
    ),
}
KINDS = [
    # code, Thai, English, standard grant, order
    ("community_development", "กองทุนพัฒนาชุมชน", "Community development fund", None, 10),
    (
        "village_urban",
        "กองทุนหมู่บ้านและชุมชนเมือง",
        "Village and urban community fund",
        "1000000.00",
        20,
    ),
    ("mother_of_land", "กองทุนแม่ของแผ่นดิน", "Mother of the Land fund", None, 30),
    ("savings_group", "กลุ่มออมทรัพย์", "Savings group", None, 40),
    ("welfare", "กองทุนสวัสดิการชุมชน", "Community welfare fund", None, 50),
]


def load(apps, schema_editor):
    from chumchon.accounts.roles import ensure_permissions, ensure_roles, grant

    ensure_permissions(apps, PERMISSIONS)
    for role, codes in GRANTS.items():
        grant(apps, role, codes)
    ensure_roles(apps, ROLES)
    FundKind = apps.get_model("funds", "FundKind")
    for code, name_th, name_en, grant_amount, order in KINDS:
        FundKind.objects.update_or_create(
            code=code,
            defaults={
                "name_th": name_th,
                "name_en": name_en,
                "standard_grant": grant_amount,
                "sort_order": order,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=list(ROLES)).delete()
    apps.get_model("accounts", "Permission").objects.filter(code__in=list(PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0001_initial"),
        ("budgets", "0002_permissions"),
    ]

    operations = [migrations.RunPython(load, unload)]
