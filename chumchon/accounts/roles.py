"""The default access matrix, loaded by data migration; later modules extend it the same way.

Permission codes are `<module>.<verb>`. A role is a named set of them. Keep this file and the
migrations that load it in step: `tests/test_roles.py` checks the database against it.
"""

from __future__ import annotations

# code: (Thai name, English name)
PERMISSIONS: dict[str, tuple[str, str]] = {
    "areas.view": ("ดูข้อมูลพื้นที่", "View areas"),
    "records.view": ("ดูข้อมูลในพื้นที่รับผิดชอบ", "View records in reach"),
    "records.edit": ("สร้างและแก้ไขข้อมูล", "Create and edit records"),
    "records.approve": ("อนุมัติและรับรอง", "Approve and certify"),
    "records.dissolve": ("ยุบ ปิด หรือยกเลิกข้อมูลทางราชการ", "Dissolve or close official records"),
    "personal.view_flags": ("ดูข้อมูลสวัสดิการรายบุคคล", "View personal welfare flags"),
    "personal.reveal": ("เปิดดูเลขประจำตัวประชาชน", "Reveal national ID numbers"),
    "community.view_own": (
        "ดูข้อมูลคณะกรรมการ กองทุน และคำขอของชุมชนตนเอง",
        "View own community's committee, funds and applications",
    ),
    "people.view": ("ดูครัวเรือนและบุคคลในชุมชน", "View households and people"),
    "personal.export": ("ส่งออกข้อมูลส่วนบุคคล", "Export personal data"),
    "surveys.record": ("บันทึกแบบสำรวจข้อมูลครัวเรือน", "Record household surveys"),
    "surveys.manage": ("เปิดและปิดรอบการสำรวจข้อมูลครัวเรือน", "Open and close survey rounds"),
    "committees.manage": (
        "จัดการการเลือกตั้งและคณะกรรมการชุมชน",
        "Run committee elections and manage committees",
    ),
    "committees.policy": ("กำหนดหลักเกณฑ์จำนวนกรรมการชุมชน", "Define committee seat policies"),
    "programmes.manage": ("จัดการโครงการและงบประมาณ", "Manage programmes and budgets"),
    "budgets.apply": ("ยื่นคำขอรับงบประมาณของชุมชน", "Submit community budget applications"),
    "funds.view": ("ดูบัญชีกองทุนชุมชน", "View community fund books"),
    "funds.manage": (
        "จัดตั้งกองทุนชุมชน กำหนดระเบียบ และแต่งตั้งกรรมการกองทุน",
        "Set up community funds, their rules and committees",
    ),
    "funds.record": ("บันทึกรายการบัญชีกองทุน", "Record fund transactions"),
    "funds.confirm": ("ตรวจยืนยันรายการบัญชีกองทุน", "Confirm fund transactions"),
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
    "parameters.manage": ("จัดการค่าพารามิเตอร์ตามช่วงเวลา", "Manage dated parameters"),
    "reports.view": ("ดูรายงาน", "View reports"),
    "audit.view": ("ดูบันทึกการตรวจสอบและการเปิดดูข้อมูลส่วนบุคคล", "View audit and reveal logs"),
    "jobs.run": ("สั่งงานเบื้องหลัง", "Run background jobs"),
    "users.manage": ("จัดการผู้ใช้และสิทธิ์", "Manage users and roles"),
}

SYSTEM_ADMIN = "system_admin"
CENTRAL_OFFICER = "central_officer"
ZONE_OFFICER = "zone_officer"
DISTRICT_HEAD = "district_head"
DISTRICT_OFFICER = "district_officer"
COMMITTEE_MEMBER = "committee_member"
AUDITOR = "auditor"
FUND_TREASURER = "fund_treasurer"
FUND_CLERK = "fund_clerk"
FUND_COMMITTEE = "fund_committee"
FOODBANK_CLERK = "foodbank_clerk"
#: roles held by community volunteers (no second factor: maker-checker guards the money)
COMMUNITY_ROLES = (COMMITTEE_MEMBER, FUND_TREASURER, FUND_CLERK, FUND_COMMITTEE)

_STAFF_READ = [
    "areas.view",
    "records.view",
    "people.view",
    "reports.view",
    "jobs.run",
    "funds.view",
    "foodbank.view",
]
_OFFICER = [
    *_STAFF_READ,
    "records.edit",
    "personal.view_flags",
    "personal.export",
    "surveys.record",
    "surveys.manage",
    "committees.manage",
    "budgets.apply",
    "funds.manage",
    "funds.record",
    "foodbank.donors",
    "foodbank.record",
    "foodbank.assess",
    "foodbank.redeem",
]

# code: (Thai name, English name, permissions, area kinds it may be assigned at, requires OTP)
ROLES: dict[str, tuple[str, str, list[str], list[str], bool]] = {
    SYSTEM_ADMIN: ("ผู้ดูแลระบบ", "System administrator", list(PERMISSIONS), [], True),
    CENTRAL_OFFICER: (
        "เจ้าหน้าที่สำนักพัฒนาสังคม",
        "Central department officer",
        [*_STAFF_READ, "programmes.manage", "parameters.manage", "foodbank.donors"],
        ["city"],
        True,
    ),
    ZONE_OFFICER: ("เจ้าหน้าที่กลุ่มเขต", "Zone officer", list(_STAFF_READ), ["zone"], True),
    DISTRICT_HEAD: (
        "หัวหน้าฝ่ายพัฒนาชุมชนและสวัสดิการสังคม",
        "District division head",
        [*_OFFICER, "records.approve", "records.dissolve", "personal.reveal", "funds.confirm"],
        ["district"],
        True,
    ),
    DISTRICT_OFFICER: (
        "เจ้าหน้าที่ฝ่ายพัฒนาชุมชนฯ สำนักงานเขต",
        "District officer",
        list(_OFFICER),
        ["district"],
        True,
    ),
    COMMITTEE_MEMBER: (
        "กรรมการชุมชน",
        "Community committee member",
        ["areas.view", "community.view_own", "people.view", "surveys.record", "budgets.apply"],
        ["community"],
        False,
    ),
    AUDITOR: ("ผู้ตรวจสอบ", "Auditor", [*_STAFF_READ, "audit.view"], [], True),
    # granted for a seat on a fund's own committee (funds/services_setup.officer_grant_role);
    # they act only on that fund (funds/permissions.py)
    FUND_TREASURER: (
        "เหรัญญิกกองทุน",
        "Fund treasurer",
        ["areas.view", "funds.view", "funds.record", "funds.confirm"],
        ["community", "district"],
        False,
    ),
    FUND_CLERK: (
        "ผู้บันทึกบัญชีกองทุน",
        "Fund bookkeeper",
        ["areas.view", "funds.view", "funds.record"],
        ["community", "district"],
        False,
    ),
    FUND_COMMITTEE: (
        "กรรมการกองทุน",
        "Fund committee member",
        ["areas.view", "funds.view", "funds.confirm"],
        ["community", "district"],
        False,
    ),
    # the food bank's counter at a district office (foodbank migration 0002): finds a
    # beneficiary, redeems points for goods, prints the receipt; reads the food bank (no registry)
    FOODBANK_CLERK: (
        "เจ้าหน้าที่จุดบริการ BKK Food Bank",
        "Food bank counter clerk",
        ["areas.view", "foodbank.view", "foodbank.redeem"],
        ["district"],
        True,
    ),
}


def ensure_permissions(apps, permissions: dict[str, tuple[str, str]]) -> None:
    """Create or rename permissions (for data migrations of any module)."""
    Permission = apps.get_model("accounts", "Permission")
    for code, (name_th, name_en) in permissions.items():
        Permission.objects.update_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en}
        )


def ensure_roles(apps, roles: dict[str, tuple[str, str, list[str], list[str], bool]]) -> None:
    """Create or update roles with exactly the given permissions and area levels."""
    Permission = apps.get_model("accounts", "Permission")
    Role = apps.get_model("accounts", "Role")
    AreaKind = apps.get_model("organizations", "AreaKind")
    for code, (name_th, name_en, perms, kinds, requires_otp) in roles.items():
        values = {
            "name_th": name_th,
            "name_en": name_en,
            "requires_otp": requires_otp,
            "is_system": code == SYSTEM_ADMIN,
        }
        role = Role.objects.filter(code=code).first()
        if role is None:
            # a new role goes after the existing ones; an existing role keeps its place
            last = Role.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
            role = Role.objects.create(code=code, sort_order=(last or 0) + 10, **values)
        else:
            Role.objects.filter(pk=role.pk).update(**values)
        role.permissions.set(Permission.objects.filter(code__in=perms))
        role.area_kinds.set(AreaKind.objects.filter(code__in=kinds))


def grant(apps, role_code: str, permission_codes: list[str]) -> None:
    """Add permissions to an existing role (a later module extending the matrix)."""
    Permission = apps.get_model("accounts", "Permission")
    Role = apps.get_model("accounts", "Role")
    Role.objects.get(code=role_code).permissions.add(
        *Permission.objects.filter(code__in=permission_codes)
    )
