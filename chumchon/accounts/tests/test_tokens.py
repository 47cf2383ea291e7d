"""Personal API tokens: created on the profile page after the second factor, stored hashed,
revoked by their owner; the API accepts a token (no second factor) or a verified session."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from chumchon.accounts.api_auth import token_or_session
from chumchon.accounts.models import ApiToken, User
from chumchon.accounts.services import api_token_create, api_token_revoke
from chumchon.conftest import OWN_COMMUNITY, OWN_DISTRICT, make_user
from chumchon.core.models import AuditEvent

TOKEN_NEW = "/profile/tokens/new/"
ME = "/api/v1/me"


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_error_body(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"field", "message"}
    return body


def database_dump() -> str:
    """Every row of every table, as text."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


# --- creating a token in the UI ------------------------------------------------------------


def test_token_creation_by_unverified_officer_is_sent_to_verify(role_users):
    officer = role_users["district_officer"]
    TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(officer)
    for response in (client.get(TOKEN_NEW), client.post(TOKEN_NEW, {"name": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/otp/verify/")
    assert not ApiToken.objects.exists()


def test_token_creation_needs_a_verified_session_even_without_otp_role(communities):
    """A committee member needs no second factor to use the site, but does to create a token."""
    member = make_user("member", "committee_member", OWN_COMMUNITY)
    TOTPDevice.objects.create(user=member, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(member)
    assert client.get("/profile/").status_code == 200
    for response in (client.get(TOKEN_NEW), client.post(TOKEN_NEW, {"name": "x"})):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/otp/verify/?next=/profile/tokens/new/"
    assert not ApiToken.objects.exists()


def test_token_creation_without_any_device_is_sent_to_enrolment(communities):
    member = make_user("member", "committee_member", OWN_COMMUNITY)
    client = Client()
    client.force_login(member)
    response = client.post(TOKEN_NEW, {"name": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/otp/enrol/?next=/profile/tokens/new/"
    assert not ApiToken.objects.exists()


def test_token_creation_needs_otp_even_when_otp_is_not_required_to_log_in(role_users, settings):
    settings.CHUMCHON_REQUIRE_OTP = False
    client = Client()
    client.force_login(role_users["district_officer"])
    assert client.get("/areas/").status_code == 200
    response = client.post(TOKEN_NEW, {"name": "x"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_verified_user_creates_a_token_shown_once_and_stored_only_hashed(clients, role_users):
    client = clients["district_officer"]
    assert client.get(TOKEN_NEW).status_code == 200
    response = client.post(TOKEN_NEW, {"name": "district dashboard"})
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("chc_")
    assert len(raw) > 40
    assert raw in response.content.decode()

    token = ApiToken.objects.get()
    assert token.user == role_users["district_officer"]
    assert token.name == "district dashboard"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix)
    assert raw not in database_dump()
    assert AuditEvent.objects.filter(action="token.create").exists()

    profile = client.get("/profile/")
    assert profile.status_code == 200
    html = profile.content.decode()
    assert token.prefix in html
    assert raw not in html

    # the new token works
    response = Client().get(ME, **bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "district_officer"


def test_token_needs_a_name(clients):
    response = clients["district_officer"].post(TOKEN_NEW, {"name": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()


# --- revoking ------------------------------------------------------------------------------


def test_owner_revokes_a_token_and_it_stops_working(clients, role_users):
    token, raw = api_token_create(actor=None, user=role_users["district_officer"], name="to revoke")
    response = clients["district_officer"].post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="token.revoke").exists()
    body = assert_error_body(Client().get(ME, **bearer(raw)), 401)
    assert body["errors"] == []


def test_another_users_token_cannot_be_revoked(clients, role_users):
    token, raw = api_token_create(actor=None, user=role_users["district_officer"], name="mine")
    for actor in ("district_head", "superuser"):
        response = clients[actor].post(f"/profile/tokens/{token.pk}/revoke/")
        assert response.status_code == 404, actor
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get(ME, **bearer(raw)).status_code == 200


# --- bearer authentication -----------------------------------------------------------------


def test_bearer_token_works_without_any_second_factor_device(db):
    officer = make_user("officer", "district_officer", OWN_DISTRICT)
    assert not TOTPDevice.objects.filter(user=officer).exists()
    _token, raw = api_token_create(actor=None, user=officer, name="script")
    response = Client().get(ME, **bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "officer"
    assert body["roles"][0]["role"] == "district_officer"
    assert body["roles"][0]["area_code"] == OWN_DISTRICT
    assert "records.edit" in body["permissions"]
    assert "records.approve" not in body["permissions"]


def test_bearer_token_records_last_use(db):
    officer = make_user("officer", "district_officer", OWN_DISTRICT)
    token, raw = api_token_create(actor=None, user=officer, name="script")
    assert token.last_used_at is None
    Client().get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_gets_401_with_the_error_body(db):
    officer = make_user("officer", "district_officer", OWN_DISTRICT)
    token, raw = api_token_create(actor=None, user=officer, name="script")
    api_token_revoke(actor=officer, token=token)
    assert_error_body(Client().get(ME, **bearer(raw)), 401)


def test_token_of_inactive_user_gets_401(db):
    officer = make_user("officer", "district_officer", OWN_DISTRICT)
    _token, raw = api_token_create(actor=None, user=officer, name="script")
    officer.is_active = False
    officer.save()
    assert_error_body(Client().get(ME, **bearer(raw)), 401)


def test_wrong_scheme_gets_401(db):
    officer = make_user("officer", "district_officer", OWN_DISTRICT)
    _token, raw = api_token_create(actor=None, user=officer, name="script")
    for header in (f"Token {raw}", f"Basic {raw}", raw):
        assert_error_body(Client().get(ME, HTTP_AUTHORIZATION=header), 401)


def test_unknown_token_gets_401(db):
    assert_error_body(Client().get(ME, **bearer("chc_not-a-real-token")), 401)
    assert_error_body(Client().get(ME, **bearer("")), 401)


def test_anonymous_api_call_gets_401_with_the_error_body(db):
    assert_error_body(Client().get(ME), 401)


# --- the command line ----------------------------------------------------------------------


def test_create_api_token_command_prints_a_working_token_on_the_last_line(db):
    make_user("officer", "district_officer", OWN_DISTRICT)
    out = io.StringIO()
    call_command("create_api_token", "officer", stdout=out)
    raw = out.getvalue().rstrip("\n").splitlines()[-1]
    assert raw.startswith("chc_")
    assert ApiToken.objects.get().key_hash == hashlib.sha256(raw.encode()).hexdigest()
    response = Client().get(ME, **bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "officer"


def test_create_api_token_command_fails_for_an_unknown_user(db):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("create_api_token", "nobody", stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert "nobody" in err.getvalue()
    assert out.getvalue() == ""
    assert not ApiToken.objects.exists()


def test_create_api_token_command_fails_for_an_inactive_user(db):
    make_user("gone", is_active=False)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("create_api_token", "gone", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().strip()
    assert not ApiToken.objects.exists()


def test_createsuperuser_needs_only_username_and_email(db):
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "u",
        "--email",
        "e@x.th",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="u")
    assert user.is_superuser
    assert user.is_staff
    assert user.email == "e@x.th"


# --- session authentication ----------------------------------------------------------------


def test_verified_session_reaches_the_api(clients):
    response = clients["district_officer"].get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "district_officer"


def test_unverified_officer_session_gets_401(role_users):
    client = Client()
    client.force_login(role_users["district_officer"])
    assert_error_body(client.get(ME), 401)


def test_committee_member_session_needs_no_second_factor_for_the_api(role_users):
    client = Client()
    client.force_login(role_users["committee_member"])
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["permissions"] == [
        "areas.view",
        "budgets.apply",
        "community.view_own",
        "people.view",
        "surveys.record",
    ]


def test_unverified_session_reaches_the_api_when_otp_is_not_required(role_users, settings):
    settings.CHUMCHON_REQUIRE_OTP = False
    client = Client()
    client.force_login(role_users["district_officer"])
    assert client.get(ME).status_code == 200


def _session_request(method: str, user: User, *, csrf: bool):
    factory = RequestFactory()
    request = getattr(factory, method)("/api/v1/me")
    request.user = user
    user.is_verified = lambda: True
    if csrf:
        token = get_token(request)
        request.COOKIES["csrftoken"] = request.META["CSRF_COOKIE"]
        request.META["HTTP_X_CSRFTOKEN"] = token
    return request


def test_unsafe_method_over_a_session_needs_the_csrf_token(role_users):
    user = role_users["district_officer"]
    assert token_or_session(_session_request("get", user, csrf=False)) == user
    assert token_or_session(_session_request("post", user, csrf=False)) is None
    assert token_or_session(_session_request("post", user, csrf=True)) == user


def test_unsafe_method_with_a_bearer_token_needs_no_csrf(role_users):
    user = role_users["district_officer"]
    _token, raw = api_token_create(actor=None, user=user, name="script")
    request = RequestFactory().post("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert token_or_session(request) == user


def test_api_json_keeps_thai_unescaped(db):
    response = Client().get("/api/v1/areas/", {"kind": "zone"})
    assert response.status_code == 200
    assert '"กรุงเทพ'.encode() in response.content
    assert b"\\u0e" not in response.content.lower()
    names = json.loads(response.content)["items"]
    assert names
