"""Fixtures shared by every app's tests: the Bangkok tree (from the data migration), one user
per role at a known area, and clients logged in as each of them (second factor passed)."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import Client

from chumchon.accounts.models import Role, RoleAssignment, User
from chumchon.organizations.models import Area, AreaKind

OWN_DISTRICT = "1001"  # Phra Nakhon, zone BKK-01 (กรุงเทพกลาง)
OTHER_DISTRICT = "1004"  # Bang Rak, zone BKK-02 (กรุงเทพใต้)
OWN_COMMUNITY = "T-1001-01"
OTHER_COMMUNITY = "T-1004-01"

# role code -> area code of the test user's assignment
ROLE_AREAS = {
    "central_officer": "BKK",
    "zone_officer": "BKK-01",
    "district_head": OWN_DISTRICT,
    "district_officer": OWN_DISTRICT,
    "committee_member": OWN_COMMUNITY,
    "auditor": "BKK",
}
ACTORS = ["anonymous", "superuser", *ROLE_AREAS]


def pytest_collection_modifyitems(config, items):
    """`postgres` tests run only in the PostgreSQL pass (they mean nothing on SQLite)."""
    on_postgres = "postgres" in os.environ.get("DATABASE_URL", "")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(
                pytest.mark.skip(reason="PostgreSQL behaviour: runs in the PostgreSQL pass")
            )


@pytest.fixture
def communities(db):
    kind = AreaKind.objects.get(code="community")
    made = {}
    for code, district in ((OWN_COMMUNITY, OWN_DISTRICT), (OTHER_COMMUNITY, OTHER_DISTRICT)):
        parent = Area.objects.get(code=district)
        made[code] = Area.objects.create(
            code=code,
            name_th=f"ชุมชนทดสอบ {district}",
            kind=kind,
            parent=parent,
            path=Area.build_path(parent, code),
            depth=3,
        )
    return made


def make_user(
    username: str, role_code: str | None = None, area_code: str | None = None, **extra
) -> User:
    user = User.objects.create_user(username=username, password="pw-test-123", **extra)
    if role_code:
        RoleAssignment.objects.create(
            user=user, role=Role.objects.get(code=role_code), area=Area.objects.get(code=area_code)
        )
    return user


@pytest.fixture
def role_users(db, communities) -> dict[str, User | None]:
    users: dict[str, User | None] = {"anonymous": None}
    users["superuser"] = make_user("root", is_superuser=True, is_staff=True)
    for role_code, area_code in ROLE_AREAS.items():
        users[role_code] = make_user(role_code, role_code, area_code)
    return users


def verified_client(user: User | None) -> Client:
    """A client logged in as `user`, with the second factor passed (as after OTP login)."""
    client = Client()
    if user is None:
        return client
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def clients(role_users) -> dict[str, Client]:
    return {name: verified_client(user) for name, user in role_users.items()}


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _migration_data_survives(request):
    """Transactional tests flush every table afterwards; they must restore the data migrations
    (areas, roles) for the tests after them: mark them serialized_rollback=True."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
        pytest.fail("transactional tests need serialized_rollback=True (data migrations)")
