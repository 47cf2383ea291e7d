"""Login, lockout after repeated failures, the second factor (TOTP, backup codes) and its reset."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chumchon.accounts.models import User
from chumchon.conftest import OWN_COMMUNITY, OWN_DISTRICT, make_user
from chumchon.core.models import AuditEvent

PASSWORD = "pw-test-123"
LOGIN_URL = "/accounts/login/"
VERIFY_URL = "/accounts/otp/verify/"
ENROL_URL = "/accounts/otp/enrol/"


def log_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def confirmed_totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


@pytest.fixture
def officer(db) -> User:
    return make_user("officer", "district_officer", OWN_DISTRICT)


@pytest.fixture
def committee_member(communities) -> User:
    return make_user("member", "committee_member", OWN_COMMUNITY)


# --- the login page ------------------------------------------------------------------------


def test_login_page_renders_in_thai_by_default(db):
    response = Client().get(LOGIN_URL)
    assert response.status_code == 200
    assert '<html lang="th">' in response.content.decode()
    assert 'name="username"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_good_login_redirects_home_and_logs_in(officer):
    client = Client()
    response = log_in(client, "officer")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == str(officer.pk)


def test_good_login_redirects_to_a_safe_next(officer):
    client = Client()
    response = log_in(client, "officer", next="/areas/")
    assert response.status_code == 302
    assert response["Location"] == "/areas/"


def test_login_ignores_a_next_on_another_host(officer):
    client = Client()
    response = log_in(client, "officer", next="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_shows_an_error_and_does_not_log_in(officer):
    client = Client()
    response = log_in(client, "officer", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'role="alert"' in response.content.decode()
    assert logged_in_user_id(client) is None


def test_five_failures_lock_the_account_even_for_the_right_password(officer, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _attempt in range(4):
        response = log_in(client, "officer", "wrong-password")
        assert response.status_code == 200
    response = log_in(client, "officer", "wrong-password")
    # django-axes answers its lockout page (429 Too Many Requests unless configured to 403)
    assert response.status_code in (403, 429)
    assert "accounts/locked_out.html" in [t.name for t in response.templates]

    response = log_in(client, "officer", PASSWORD)
    assert response.status_code in (403, 429)
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert logged_in_user_id(client) is None
    # also from a fresh client (same IP, same username)
    fresh = Client()
    response = log_in(fresh, "officer", PASSWORD)
    assert response.status_code in (403, 429)
    assert logged_in_user_id(fresh) is None


def test_four_failures_do_not_lock_the_account(officer):
    client = Client()
    for _attempt in range(4):
        log_in(client, "officer", "wrong-password")
    response = log_in(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(officer.pk)


# --- who needs the second factor -----------------------------------------------------------


def test_officer_without_second_factor_is_sent_to_verify_then_enrolment(officer):
    client = Client()
    log_in(client, "officer")
    response = client.get("/areas/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY_URL}?next=/areas/"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL_URL}?next=/areas/"


def test_officer_with_a_device_but_unverified_session_is_sent_to_verify(officer):
    confirmed_totp_device(officer)
    client = Client()
    log_in(client, "officer")
    for path in ("/areas/", "/profile/", "/", f"/areas/{OWN_DISTRICT}/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY_URL), path
    response = client.get(VERIFY_URL)
    assert response.status_code == 200


def test_officer_enrol_page_redirects_to_verify_when_a_device_exists(officer):
    """An unverified session must not replace an existing second factor."""
    device = confirmed_totp_device(officer)
    client = Client()
    log_in(client, "officer")
    response = client.get(ENROL_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    response = client.post(ENROL_URL, {"token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=officer).get() == device


def test_superuser_without_second_factor_is_sent_to_verify(db):
    User.objects.create_superuser("admin", "admin@example.th", PASSWORD)
    client = Client()
    log_in(client, "admin")
    response = client.get("/users/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)


def test_committee_member_is_not_asked_for_a_second_factor(committee_member):
    client = Client()
    log_in(client, "member")
    response = client.get("/areas/")
    assert response.status_code == 200
    response = client.get("/profile/")
    assert response.status_code == 200


def test_officer_gets_in_without_second_factor_when_otp_is_not_required(officer, settings):
    settings.CHUMCHON_REQUIRE_OTP = False
    client = Client()
    log_in(client, "officer")
    response = client.get("/areas/")
    assert response.status_code == 200
    assert OWN_DISTRICT in response.content.decode()


def test_user_without_any_role_must_pass_a_second_factor(db):
    """A user with no current role is treated as staff: second factor required."""
    make_user("nobody")
    client = Client()
    log_in(client, "nobody")
    response = client.get("/areas/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)


# --- enrolment, backup codes, verification -------------------------------------------------


def test_full_totp_enrolment_then_backup_code_verification(officer):
    client = Client()
    log_in(client, "officer")

    response = client.get(f"{ENROL_URL}?next=/areas/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<img[^>]+src="data:image/svg\+xml', html)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert response.context["secret"] in html

    response = client.post(ENROL_URL, {"token": current_code(device), "next": "/areas/"})
    assert response.status_code == 200
    assert "accounts/backup_codes.html" in [t.name for t in response.templates]
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    html = response.content.decode()
    for code in codes:
        assert code in html
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    assert AuditEvent.objects.filter(action="otp.enrol", object_id=str(officer.pk)).exists()
    # the enrolling session is verified now
    assert client.get("/areas/").status_code == 200

    # a new session passes the second factor with a backup code
    second = Client()
    log_in(second, "officer")
    assert second.get("/areas/")["Location"].startswith(VERIFY_URL)
    response = second.post(VERIFY_URL, {"token": codes[0], "next": "/areas/"})
    assert response.status_code == 302
    assert response["Location"] == "/areas/"
    assert second.get("/areas/").status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9

    # the same backup code does not work twice
    third = Client()
    log_in(third, "officer")
    response = third.post(VERIFY_URL, {"token": codes[0], "next": "/areas/"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert 'id="id_token_error"' in response.content.decode()
    assert third.get("/areas/").status_code == 302


def test_verification_with_the_authenticator_code(officer):
    device = confirmed_totp_device(officer)
    client = Client()
    log_in(client, "officer")
    response = client.post(VERIFY_URL, {"token": current_code(device), "next": "/areas/"})
    assert response.status_code == 302
    assert response["Location"] == "/areas/"
    assert client.get("/areas/").status_code == 200
    assert AuditEvent.objects.filter(action="otp.verify", object_id=str(officer.pk)).exists()


def test_verification_next_cannot_leave_the_site(officer):
    device = confirmed_totp_device(officer)
    client = Client()
    log_in(client, "officer")
    response = client.post(
        VERIFY_URL, {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_code_at_enrolment_shows_an_error_next_to_the_field(officer):
    client = Client()
    log_in(client, "officer")
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(ENROL_URL, {"token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    html = response.content.decode()
    assert 'id="id_token_error"' in html
    assert 'aria-invalid="true"' in html
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=officer).exists()
    assert client.get("/areas/").status_code == 302


def test_wrong_code_at_verification_shows_an_error_next_to_the_field(officer):
    device = confirmed_totp_device(officer)
    client = Client()
    log_in(client, "officer")
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(VERIFY_URL, {"token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert 'id="id_token_error"' in response.content.decode()
    assert client.get("/areas/").status_code == 302


# --- administrator reset -------------------------------------------------------------------


@pytest.fixture
def enrolled_officer(role_users) -> User:
    user = role_users["district_officer"]
    confirmed_totp_device(user)
    StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    return user


def test_administrator_reset_removes_devices_and_is_audited(clients, enrolled_officer):
    response = clients["superuser"].post(
        f"/users/{enrolled_officer.pk}/otp-reset/", {"reason": "lost phone, ticket 42"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/users/"
    assert not TOTPDevice.objects.filter(user=enrolled_officer).exists()
    assert not StaticDevice.objects.filter(user=enrolled_officer).exists()
    event = AuditEvent.objects.get(action="otp.reset")
    assert event.reason == "lost phone, ticket 42"
    assert event.object_id == str(enrolled_officer.pk)
    assert event.actor.username == "root"


def test_administrator_reset_needs_a_reason(clients, enrolled_officer):
    response = clients["superuser"].post(
        f"/users/{enrolled_officer.pk}/otp-reset/", {"reason": "   "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert TOTPDevice.objects.filter(user=enrolled_officer).exists()
    assert not AuditEvent.objects.filter(action="otp.reset").exists()


def test_reset_page_shows_the_user(clients, enrolled_officer):
    response = clients["superuser"].get(f"/users/{enrolled_officer.pk}/otp-reset/")
    assert response.status_code == 200
    assert response.context["target"] == enrolled_officer


def test_non_administrator_cannot_reset_a_second_factor(clients, enrolled_officer, role_users):
    target = f"/users/{enrolled_officer.pk}/otp-reset/"
    for actor in ("district_head", "district_officer", "zone_officer", "committee_member"):
        response = clients[actor].post(target, {"reason": "because"})
        assert response.status_code == 403, actor
    assert TOTPDevice.objects.filter(user=enrolled_officer).exists()
    assert not AuditEvent.objects.filter(action="otp.reset").exists()


def test_reset_user_must_enrol_again(clients, enrolled_officer):
    clients["superuser"].post(f"/users/{enrolled_officer.pk}/otp-reset/", {"reason": "lost"})
    client = Client()
    log_in(client, enrolled_officer.username)
    response = client.get(VERIFY_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL_URL)


def test_officer_returns_to_the_full_address_after_the_second_factor(officer):
    device = confirmed_totp_device(officer)
    client = Client()
    log_in(client, "officer")
    response = client.get("/areas/", {"kind": "district", "page": "2"})
    assert response.status_code == 302
    verify_page = client.get(response["Location"])
    assert verify_page.status_code == 200
    assert verify_page.context["request"].GET["next"] == "/areas/?kind=district&page=2"
    response = client.post(
        VERIFY_URL,
        {"token": current_code(device), "next": verify_page.context["request"].GET["next"]},
    )
    assert response["Location"] == "/areas/?kind=district&page=2"


def test_officer_without_device_keeps_the_full_address_through_enrolment(officer):
    client = Client()
    log_in(client, "officer")
    response = client.get("/areas/", {"kind": "district", "page": "2"})
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL_URL)
    enrol_page = client.get(response["Location"])
    assert enrol_page.status_code == 200
    assert enrol_page.context["request"].GET["next"] == "/areas/?kind=district&page=2"
