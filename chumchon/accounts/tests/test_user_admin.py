"""User management is scoped: a municipality's administrator does not see another city."""

import pytest

from chumchon.conftest import make_user, verified_client
from chumchon.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_district_system_admin_sees_and_resets_only_users_of_the_district(role_users):
    local_admin = make_user("local-admin", "system_admin", "1001")
    inside = role_users["district_officer"]  # assigned at 1001
    outside = make_user("bangrak", "district_officer", "1004")
    client = verified_client(local_admin)

    page = client.get("/users/").content.decode()
    assert inside.username in page
    assert outside.username not in page
    assert role_users["superuser"].username not in page

    assert client.get(f"/users/{outside.pk}/otp-reset/").status_code == 404
    assert client.get(f"/users/{role_users['superuser'].pk}/otp-reset/").status_code == 404
    response = client.post(f"/users/{inside.pk}/otp-reset/", {"reason": "ทำโทรศัพท์หาย ขอรีเซ็ต"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="otp.reset", object_id=str(inside.pk)).exists()


def test_a_superuser_sees_every_user(clients, role_users):
    page = clients["superuser"].get("/users/").content.decode()
    for user in role_users.values():
        if user is not None:
            assert user.username in page


def test_a_district_admin_cannot_reach_a_city_officer_through_an_old_district_role(role_users):
    from datetime import date

    from chumchon.accounts.models import Role, RoleAssignment
    from chumchon.organizations.models import Area

    local_admin = make_user("local-admin2", "system_admin", "1001")
    central = role_users["central_officer"]  # active role at the city
    RoleAssignment.objects.create(
        user=central,
        role=Role.objects.get(code="district_officer"),
        area=Area.objects.get(code="1001"),
        valid_from=date(2019, 1, 1),
        valid_to=date(2020, 12, 31),
    )
    client = verified_client(local_admin)
    assert client.get(f"/users/{central.pk}/otp-reset/").status_code == 404
    assert central.username not in client.get("/users/").content.decode()


def test_admin_ends_a_role_assignment_through_the_audited_service(clients, role_users):
    from chumchon.accounts.models import RoleAssignment

    assignment = RoleAssignment.objects.get(user=role_users["district_officer"])
    url = f"/admin/accounts/roleassignment/{assignment.pk}/change/"
    admin = clients["superuser"]
    assert admin.get(url).status_code == 200
    empty = admin.post(url, {"valid_to": ""})
    assert empty.status_code == 200  # required when ending: no crash, the form says so
    response = admin.post(url, {"valid_to": "2030-01-31"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert str(assignment.valid_to) == "2030-01-31"
    event = AuditEvent.objects.get(action="role.end")
    assert event.changes["valid_to"] == [None, "2030-01-31"]


def test_admin_changes_to_a_role_are_audited(clients):
    from chumchon.accounts.models import Permission, Role

    role = Role.objects.get(code="zone_officer")
    admin = clients["superuser"]
    perms = [str(p.pk) for p in role.permissions.all()] + [
        str(Permission.objects.get(code="records.edit").pk)
    ]
    response = admin.post(
        f"/admin/accounts/role/{role.pk}/change/",
        {
            "code": role.code,
            "name_th": role.name_th,
            "name_en": role.name_en,
            "description": "",
            "permissions": perms,
            "area_kinds": [str(k.pk) for k in role.area_kinds.all()],
            "requires_otp": "on",
            "sort_order": role.sort_order,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="role.update")
    assert "permissions" in event.changes
