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
