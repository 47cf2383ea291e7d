"""Production settings: three environment variables, `check --deploy` clean, security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.models.functions import Collate

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args, env_extra=None):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHAINLP_DATA_DIR": "/tmp/pythainlp-data",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_only_the_three_variables(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "chumchon.example.go.th",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage(
        "check",
        env_extra={"ALLOWED_HOSTS": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_scripts(client, clients):
    import re

    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "default-src 'self'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert '"includeIndicatorStyles": false' in response.content.decode()  # htmx: no <style>
    pages = [
        (client, "/accounts/login/"),
        (client, "/"),
        (clients["district_officer"], "/"),
        (clients["district_officer"], "/areas/1001/"),
        (clients["district_officer"], "/profile/"),
        (clients["auditor"], "/audit/"),
    ]
    for who, url in pages:
        html = who.get(url).content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html, flags=re.I)
        assert scripts, url
        for tag in scripts:
            assert re.search(r'\bsrc="/static/', tag), f"{url}: inline or foreign script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), f"{url}: inline event handler"
        assert not re.search(r"\sstyle\s*=", html, flags=re.I), f"{url}: inline style attribute"
        assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_thai_is_the_default_language_and_english_is_a_switch_away(client):
    thai = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="th">' in thai.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    english = client.get("/accounts/login/")
    assert '<html lang="en">' in english.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_sorts_thai_in_dictionary_order():
    from chumchon.organizations.models import Area, AreaKind

    kind = AreaKind.objects.get(code="community")
    parent = Area.objects.get(code="1001")
    words = ["ฮา", "ไก่", "กา", "โต๊ะ", "เกม", "ขวด", "แก้ว"]
    for i, word in enumerate(words):
        Area.objects.create(
            code=f"S{i}", name_th=word, kind=kind, parent=parent, path=f"{parent.path}S{i}/"
        )
    ordered = list(
        Area.objects.filter(code__startswith="S")
        .order_by("name_th")
        .values_list("name_th", flat=True)
    )
    assert ordered == ["กา", "เกม", "แก้ว", "ไก่", "ขวด", "โต๊ะ", "ฮา"]
    explicit = list(
        Area.objects.filter(code__startswith="S")
        .order_by(Collate("name_th", "th-TH-x-icu"))
        .values_list("name_th", flat=True)
    )
    assert explicit == ordered
    assert connection.vendor == "postgresql"
