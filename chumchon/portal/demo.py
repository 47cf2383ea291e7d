"""Demo users, one per role. Later modules append loaders to LOADERS in their own demo.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from chumchon.accounts.models import Role, RoleAssignment, User
from chumchon.organizations.models import Area, AreaKind

DEMO_PASSWORD = "chumchon-demo"
# The committee member's community: the first community of district 1001 in the registry's demo
# sample (communities/demo.py gives this area its registry record).
DEMO_COMMUNITY = ("1001-001", "ชุมชนท่าวัง", "Tha Wang Community", "1001")

# username, display name, role code, area code
DEMO_USERS = [
    ("admin", "ผู้ดูแลระบบ", None, None),
    ("central", "สมชาย ใจดี (สำนักพัฒนาสังคม)", "central_officer", "BKK"),
    ("zone", "สมหญิง รักษ์เมือง (กลุ่มเขตกรุงเทพกลาง)", "zone_officer", "BKK-01"),
    ("head", "ประเสริฐ มั่นคง (หัวหน้าฝ่าย เขตพระนคร)", "district_head", "1001"),
    ("officer", "วิภา ขยันงาน (เขตพระนคร)", "district_officer", "1001"),
    ("committee", "บุญมี ชุมชนดี (กรรมการชุมชน)", "committee_member", DEMO_COMMUNITY[0]),
    ("auditor", "อรุณ ตรวจสอบ (ผู้ตรวจสอบ)", "auditor", "BKK"),
]

LOADERS: list[Callable] = []


def demo_community() -> Area:
    code, name_th, name_en, district = DEMO_COMMUNITY
    area = Area.objects.filter(code=code).first()
    if area is None:
        from chumchon.organizations.services import area_create

        area = area_create(
            actor=None,
            code=code,
            name_th=name_th,
            name_en=name_en,
            kind=AreaKind.objects.get(code="community"),
            parent=Area.objects.get(code=district),
        )
    return area


def load_users() -> list[tuple[str, str, str]]:
    demo_community()
    printed = []
    for username, name, role_code, area_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=name, email=f"{username}@example.invalid")
            user.set_password(DEMO_PASSWORD)
            if role_code is None:
                user.is_superuser = user.is_staff = True
            user.save()
        if role_code is None:
            printed.append((username, "system administrator", "(all)"))
            continue
        role = Role.objects.get(code=role_code)
        area = Area.objects.get(code=area_code)
        if not RoleAssignment.objects.filter(user=user, role=role, area=area).exists():
            from chumchon.accounts.services import role_assign

            role_assign(actor=None, user=user, role=role, area=area, valid_from=date(2024, 10, 1))
        printed.append((username, role.name_en, f"{area.code} {area.name_th}"))
    return printed
