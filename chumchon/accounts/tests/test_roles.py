"""The data migration and `chumchon.accounts.roles` stay in step."""

from __future__ import annotations

from chumchon.accounts.models import Permission, Role
from chumchon.accounts.roles import (
    COMMITTEE_MEMBER,
    COMMUNITY_ROLES,
    PERMISSIONS,
    ROLES,
    SYSTEM_ADMIN,
)


def test_database_permissions_equal_the_code(db):
    in_db = {p.code: (p.name_th, p.name_en) for p in Permission.objects.all()}
    assert in_db == PERMISSIONS


def test_database_roles_equal_the_code(db):
    in_db = {
        role.code: (
            role.name_th,
            role.name_en,
            sorted(role.permissions.values_list("code", flat=True)),
            sorted(role.area_kinds.values_list("code", flat=True)),
            role.requires_otp,
        )
        for role in Role.objects.prefetch_related("permissions", "area_kinds")
    }
    in_code = {
        code: (name_th, name_en, sorted(perms), sorted(kinds), requires_otp)
        for code, (name_th, name_en, perms, kinds, requires_otp) in ROLES.items()
    }
    assert in_db == in_code


def test_every_role_permission_is_a_known_permission():
    for code, (_th, _en, perms, _kinds, _otp) in ROLES.items():
        assert set(perms) <= set(PERMISSIONS), code


def test_role_area_levels_exist(db):
    from chumchon.organizations.models import AreaKind

    kinds = set(AreaKind.objects.values_list("code", flat=True))
    for code, (_th, _en, _perms, role_kinds, _otp) in ROLES.items():
        assert set(role_kinds) <= kinds, code


def test_only_the_system_administrator_is_a_system_role(db):
    assert set(Role.objects.filter(is_system=True).values_list("code", flat=True)) == {SYSTEM_ADMIN}


def test_only_community_volunteer_roles_need_no_second_factor(db):
    # the community committee member and the fund committee's roles (maker-checker guards the
    # money they record); every staff role needs the second factor
    assert COMMITTEE_MEMBER in COMMUNITY_ROLES
    assert set(Role.objects.filter(requires_otp=False).values_list("code", flat=True)) == set(
        COMMUNITY_ROLES
    )
