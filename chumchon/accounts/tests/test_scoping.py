"""Reach: what each role sees (the subtrees of its current assignments) and what it may do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chumchon.accounts.models import Role, RoleAssignment, User
from chumchon.accounts.scoping import (
    has_perm,
    has_perm_anywhere,
    reach_of,
    scope_queryset,
)
from chumchon.accounts.services import role_assign, role_assignment_end
from chumchon.conftest import OTHER_COMMUNITY, OTHER_DISTRICT, OWN_COMMUNITY, OWN_DISTRICT
from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area, AreaKind

EXPECTED_PATHS = {
    "central_officer": ["/BKK/"],
    "zone_officer": ["/BKK/BKK-01/"],
    "district_head": [f"/BKK/BKK-01/{OWN_DISTRICT}/"],
    "district_officer": [f"/BKK/BKK-01/{OWN_DISTRICT}/"],
    "committee_member": [f"/BKK/BKK-01/{OWN_DISTRICT}/{OWN_COMMUNITY}/"],
    "auditor": ["/BKK/"],
}


def fresh(user: User) -> User:
    """The user without the per-object reach cache."""
    return User.objects.get(pk=user.pk)


def area_codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


@pytest.mark.parametrize("role_code", sorted(EXPECTED_PATHS))
def test_reach_of_each_role_is_its_assignment_subtree(role_users, role_code):
    reach = reach_of(role_users[role_code])
    assert not reach.everything
    assert reach.paths == EXPECTED_PATHS[role_code]
    assert reach.role_codes() == {role_code}


def test_superuser_reaches_everything(role_users):
    reach = reach_of(role_users["superuser"])
    assert reach.everything
    assert reach.covers(f"/BKK/BKK-02/{OTHER_DISTRICT}/")
    assert reach.allows("users.manage", "/BKK/")


def test_anonymous_and_inactive_users_reach_nothing(role_users):
    from django.contrib.auth.models import AnonymousUser

    assert reach_of(AnonymousUser()).paths == []
    assert reach_of(None).paths == []
    officer = role_users["district_officer"]
    officer.is_active = False
    officer.save()
    assert reach_of(fresh(officer)).paths == []


def test_scope_queryset_for_district_officer_is_exactly_the_district_subtree(role_users):
    district = Area.objects.get(code=OWN_DISTRICT)
    scoped = scope_queryset(Area.objects.all(), role_users["district_officer"], path_field="path")
    expected = Area.objects.filter(path__startswith=district.path)
    assert area_codes(scoped) == area_codes(expected)
    assert {OWN_DISTRICT, OWN_COMMUNITY} <= area_codes(scoped)
    assert not {"BKK", "BKK-01", OTHER_DISTRICT, OTHER_COMMUNITY} & area_codes(scoped)


def test_scope_queryset_for_zone_officer_covers_its_districts_only(role_users):
    scoped = area_codes(
        scope_queryset(Area.objects.all(), role_users["zone_officer"], path_field="path")
    )
    assert {"BKK-01", OWN_DISTRICT, OWN_COMMUNITY} <= scoped
    assert not {"BKK", "BKK-02", OTHER_DISTRICT, OTHER_COMMUNITY} & scoped


def test_scope_queryset_with_a_permission_keeps_only_areas_where_it_is_held(role_users):
    member = role_users["committee_member"]
    assert area_codes(scope_queryset(Area.objects.all(), member, path_field="path")) == {
        OWN_COMMUNITY
    }
    assert not scope_queryset(Area.objects.all(), member, perm="records.edit", path_field="path")


def test_scope_queryset_for_user_without_roles_is_empty(db):
    user = User.objects.create_user("nobody", password="x")
    assert not scope_queryset(Area.objects.all(), user, path_field="path").exists()


def test_ended_assignment_no_longer_gives_reach(role_users):
    officer = role_users["district_officer"]
    assignment = RoleAssignment.objects.get(user=officer)
    today = timezone.localdate()
    assignment.valid_from = today - timedelta(days=30)
    assignment.valid_to = today - timedelta(days=1)
    assignment.save()
    officer = fresh(officer)
    assert reach_of(officer).paths == []
    assert not has_perm(officer, "records.edit", Area.objects.get(code=OWN_DISTRICT))
    assert not scope_queryset(Area.objects.all(), officer, path_field="path").exists()
    # it still counts on a day inside its period
    assert (
        reach_of(officer, on=today - timedelta(days=2)).paths == EXPECTED_PATHS["district_officer"]
    )


def test_assignment_ending_today_still_gives_reach(role_users):
    officer = role_users["district_officer"]
    assignment = RoleAssignment.objects.get(user=officer)
    assignment.valid_from = timezone.localdate() - timedelta(days=3)
    assignment.valid_to = timezone.localdate()
    assignment.save()
    assert reach_of(fresh(officer)).paths == EXPECTED_PATHS["district_officer"]


def test_future_assignment_does_not_give_reach_yet(role_users):
    officer = role_users["district_officer"]
    assignment = RoleAssignment.objects.get(user=officer)
    assignment.valid_from = timezone.localdate() + timedelta(days=1)
    assignment.save()
    officer = fresh(officer)
    assert reach_of(officer).paths == []
    assert not scope_queryset(Area.objects.all(), officer, path_field="path").exists()


def test_ending_an_assignment_through_the_service_clears_the_cached_reach(role_users):
    officer = role_users["district_officer"]
    assert reach_of(officer).paths  # cached on the object
    assignment = RoleAssignment.objects.get(user=officer)
    assignment.valid_from = timezone.localdate() - timedelta(days=10)
    assignment.save()
    assignment.user = officer
    role_assignment_end(
        actor=role_users["superuser"],
        assignment=assignment,
        valid_to=timezone.localdate() - timedelta(days=1),
        reason="moved",
    )
    assert reach_of(officer).paths == []
    event = AuditEvent.objects.get(action="role.end")
    assert event.reason == "moved"


def test_has_perm_at_own_district_but_not_at_another(role_users):
    officer = role_users["district_officer"]
    own = Area.objects.get(code=OWN_DISTRICT)
    other = Area.objects.get(code=OTHER_DISTRICT)
    assert has_perm(officer, "records.edit", own)
    assert has_perm(officer, "records.edit", Area.objects.get(code=OWN_COMMUNITY))
    assert has_perm(officer, "records.edit", own.path)
    assert not has_perm(officer, "records.edit", other)
    assert not has_perm(officer, "records.edit", Area.objects.get(code="BKK-01"))
    # a permission the role does not hold, even at home
    assert not has_perm(officer, "records.approve", own)
    assert has_perm(role_users["district_head"], "records.approve", own)
    assert not has_perm(role_users["district_head"], "records.approve", other)


def test_path_prefix_does_not_leak_into_a_sibling_with_a_longer_code(role_users):
    """/BKK/BKK-01/1001/ must not cover a sibling coded 10011."""
    officer = role_users["district_officer"]
    own = Area.objects.get(code=OWN_DISTRICT)
    assert not has_perm(officer, "records.edit", f"{own.parent.path}{OWN_DISTRICT}1/")


def test_has_perm_anywhere(role_users):
    assert has_perm_anywhere(role_users["superuser"], "users.manage")
    assert not has_perm_anywhere(role_users["district_head"], "users.manage")
    assert has_perm_anywhere(role_users["auditor"], "audit.view")
    assert not has_perm_anywhere(role_users["district_officer"], "audit.view")


def test_system_admin_role_holds_every_permission_in_its_subtree_only(role_users):
    user = User.objects.create_user("cityadmin", password="x")
    RoleAssignment.objects.create(
        user=user,
        role=Role.objects.get(code="system_admin"),
        area=Area.objects.get(code="BKK-01"),
    )
    assert has_perm(user, "users.manage", Area.objects.get(code=OWN_DISTRICT))
    assert not has_perm(user, "users.manage", Area.objects.get(code=OTHER_DISTRICT))


# --- assigning roles -----------------------------------------------------------------------


def test_role_assign_refuses_a_district_role_at_a_zone(role_users):
    user = User.objects.create_user("newcomer", password="x")
    with pytest.raises(ValidationError) as error:
        role_assign(
            actor=role_users["superuser"],
            user=user,
            role=Role.objects.get(code="district_officer"),
            area=Area.objects.get(code="BKK-01"),
        )
    message = " ".join(error.value.message_dict["area"])
    district_kind = AreaKind.objects.get(code="district")
    assert district_kind.name in message  # names the level where the role belongs
    assert error.value.error_dict["area"][0].code == "wrong_level"
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="role.assign").exists()


def test_role_assign_at_the_right_level_gives_reach_and_is_audited(role_users):
    user = User.objects.create_user("newcomer", password="x")
    assert reach_of(user).paths == []  # cached empty reach is cleared by the service
    assignment = role_assign(
        actor=role_users["superuser"],
        user=user,
        role=Role.objects.get(code="district_officer"),
        area=Area.objects.get(code=OTHER_DISTRICT),
        note="transfer",
    )
    assert assignment.created_by == role_users["superuser"]
    assert reach_of(user).paths == [Area.objects.get(code=OTHER_DISTRICT).path]
    event = AuditEvent.objects.get(action="role.assign")
    assert event.object_id == str(assignment.pk)
    assert event.actor == role_users["superuser"]


def test_role_assign_of_a_role_without_levels_works_at_any_level(role_users):
    user = User.objects.create_user("checker", password="x")
    assignment = role_assign(
        actor=role_users["superuser"],
        user=user,
        role=Role.objects.get(code="auditor"),
        area=Area.objects.get(code=OWN_DISTRICT),
    )
    assert assignment.pk


def test_role_assign_refuses_an_end_before_the_start(role_users):
    user = User.objects.create_user("newcomer", password="x")
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        role_assign(
            actor=role_users["superuser"],
            user=user,
            role=Role.objects.get(code="district_officer"),
            area=Area.objects.get(code=OWN_DISTRICT),
            valid_from=today,
            valid_to=today - timedelta(days=1),
        )
    assert not RoleAssignment.objects.filter(user=user).exists()
