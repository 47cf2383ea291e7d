"""The default access matrix as it was first shipped: permissions and the seven roles.

The data is frozen here (a migration must do the same thing forever). Later changes to the
matrix ship as new migrations calling chumchon.accounts.roles.ensure_permissions /
ensure_roles / grant; tests/test_roles.py checks the database against accounts/roles.py, so a
change to roles.py without its migration fails the build.
"""

from django.db import migrations

from chumchon.accounts.roles import ensure_permissions, ensure_roles

PERMISSIONS = {
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
    "programmes.manage": ("จัดการโครงการและงบประมาณ", "Manage programmes and budgets"),
    "parameters.manage": ("จัดการค่าพารามิเตอร์ตามช่วงเวลา", "Manage dated parameters"),
    "reports.view": ("ดูรายงาน", "View reports"),
    "audit.view": ("ดูบันทึกการตรวจสอบและการเปิดดูข้อมูลส่วนบุคคล", "View audit and reveal logs"),
    "jobs.run": ("สั่งงานเบื้องหลัง", "Run background jobs"),
    "users.manage": ("จัดการผู้ใช้และสิทธิ์", "Manage users and roles"),
}

ROLES = {
    "system_admin": (
        "ผู้ดูแลระบบ",
        "System administrator",
        [
            "areas.view",
            "records.view",
            "records.edit",
            "records.approve",
            "records.dissolve",
            "personal.view_flags",
            "personal.reveal",
            "community.view_own",
            "programmes.manage",
            "parameters.manage",
            "reports.view",
            "audit.view",
            "jobs.run",
            "users.manage",
        ],
        [],
        True,
    ),
    "central_officer": (
        "เจ้าหน้าที่สำนักพัฒนาสังคม",
        "Central department officer",
        [
            "areas.view",
            "records.view",
            "reports.view",
            "jobs.run",
            "programmes.manage",
            "parameters.manage",
        ],
        ["city"],
        True,
    ),
    "zone_officer": (
        "เจ้าหน้าที่กลุ่มเขต",
        "Zone officer",
        ["areas.view", "records.view", "reports.view", "jobs.run"],
        ["zone"],
        True,
    ),
    "district_head": (
        "หัวหน้าฝ่ายพัฒนาชุมชนและสวัสดิการสังคม",
        "District division head",
        [
            "areas.view",
            "records.view",
            "reports.view",
            "jobs.run",
            "records.edit",
            "personal.view_flags",
            "records.approve",
            "records.dissolve",
            "personal.reveal",
        ],
        ["district"],
        True,
    ),
    "district_officer": (
        "เจ้าหน้าที่ฝ่ายพัฒนาชุมชนฯ สำนักงานเขต",
        "District officer",
        [
            "areas.view",
            "records.view",
            "reports.view",
            "jobs.run",
            "records.edit",
            "personal.view_flags",
        ],
        ["district"],
        True,
    ),
    "committee_member": (
        "กรรมการชุมชน",
        "Community committee member",
        ["areas.view", "community.view_own"],
        ["community"],
        False,
    ),
    "auditor": (
        "ผู้ตรวจสอบ",
        "Auditor",
        ["areas.view", "records.view", "reports.view", "jobs.run", "audit.view"],
        [],
        True,
    ),
}


def load(apps, schema_editor):
    ensure_permissions(apps, PERMISSIONS)
    ensure_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("organizations", "0002_bangkok"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
