"""manage.py import_registry: exit 0 committed (or valid with --dry-run), 1 invalid or refused,
2 usage errors; the last line of a success is exactly "created N, updated N, unchanged N"."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.core.audit import AuditEvent

from ..models import Community, Person
from .factories import make_community
from .test_imports import people_file, person_row
from .test_imports_communities import communities_file, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(db):
    return make_community("HC001", district="1001")


def write(tmp_path: Path, data_name) -> Path:
    data, name = data_name
    path = tmp_path / name
    path.write_bytes(data)
    return path


def command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_registry", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_a_valid_people_file_exits_0_and_ends_with_the_counts(community, tmp_path):
    path = write(tmp_path, people_file([person_row(), person_row(house_no="2")]))
    code, out, err = command("--kind", "people", str(path))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[-1] == "created 2, updated 0, unchanged 0"
    assert lines[:-1] == [
        "households created 2, updated 0",
        "moved to another household 0 (from another community 0)",
    ]
    assert Person.objects.count() == 2
    assert AuditEvent.objects.filter(action="registry.import").count() == 1
    assert AuditEvent.objects.get(action="registry.import").actor_label == "system"
    code, out, _err = command("--kind", "people", str(path))
    assert out.splitlines()[-1] == "created 0, updated 0, unchanged 2"


def test_a_valid_communities_file_exits_0(tmp_path):
    path = write(tmp_path, communities_file([row(), row(code="HC002")]))
    code, out, _err = command("--kind", "communities", str(path))
    assert code == 0
    assert out.splitlines() == ["created 2, updated 0, unchanged 0"]
    assert Community.objects.count() == 2


def test_an_invalid_file_exits_1_with_one_error_per_line(community, tmp_path):
    rows = [person_row(), person_row(national_id="1101700230709"), person_row(sex="?")]
    path = write(tmp_path, people_file(rows))
    code, out, err = command("--kind", "people", str(path))
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("row 3, column เลขประจำตัวประชาชน: ")
    assert lines[1].startswith("row 4, column เพศ: ")
    assert "created" not in out
    assert Person.objects.count() == 0


def test_a_refused_file_exits_1(community, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a workbook")
    code, _out, err = command("--kind", "people", str(path))
    assert code == 1
    assert err.startswith("file: The file is not really an Excel (.xlsx) workbook.")


def test_dry_run_exits_0_and_saves_nothing(community, tmp_path):
    path = write(tmp_path, people_file([person_row()]))
    code, out, _err = command("--kind", "people", "--dry-run", str(path))
    assert code == 0
    assert out.splitlines()[0] == "dry run: the file is valid; nothing was saved"
    assert out.splitlines()[-1] == "created 1, updated 0, unchanged 0"
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action="registry.import").exists()


def test_dry_run_of_an_invalid_file_exits_1(community, tmp_path):
    path = write(tmp_path, people_file([person_row(community="NOPE")]))
    assert command("--kind", "people", "--dry-run", str(path))[0] == 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(community, tmp_path, monkeypatch):
    from ..imports import files

    path = write(tmp_path, people_file([person_row()]))
    monkeypatch.setattr(files, "MAX_UPLOAD_BYTES", 10)

    def never(self):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    monkeypatch.setattr(Path, "read_text", never)
    monkeypatch.setattr(Path, "open", never)
    code, out, err = command("--kind", "people", str(path))
    assert code == 1
    assert err.startswith("file: The file is larger than 0 MB: split it into smaller files. / ")
    assert len(err.splitlines()) == 1
    assert Person.objects.count() == 0


def test_a_missing_file_is_a_usage_error(tmp_path):
    code, _out, err = command("--kind", "people", str(tmp_path / "nope.csv"))
    assert code == 2
    assert "cannot read" in err


def test_an_unknown_actor_is_a_usage_error(community, tmp_path):
    path = write(tmp_path, people_file([person_row()]))
    assert command("--kind", "people", "--actor", "nobody", str(path))[0] == 2


def test_the_actor_limits_the_import_to_their_reach(community, tmp_path, role_users):
    make_community("HX001", district="1004")
    path = write(tmp_path, people_file([person_row(community="HX001")]))
    code, _out, err = command("--kind", "people", "--actor", "district_officer", str(path))
    assert code == 1
    assert "Unknown community" in err
    ok = write(tmp_path, people_file([person_row()]))
    assert command("--kind", "people", "--actor", "district_officer", str(ok))[0] == 0
    event = AuditEvent.objects.get(action="registry.import")
    assert event.actor == role_users["district_officer"]


def _manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "import_registry", *args, "--settings=config.settings.test"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_usage_errors_exit_2_from_the_command_line(tmp_path):
    assert _manage("--kind", "people").returncode == 2  # no FILE
    assert _manage("--kind", "houses", "x.csv").returncode == 2  # unknown kind
    missing = _manage("--kind", "people", str(tmp_path / "missing.csv"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_queries_are_batched_not_one_per_row(community):
    from ..imports import run_import

    def queries(n: int, house: str) -> int:
        rows = [person_row(house_no=f"{house}{i % 10}") for i in range(n)]
        data, name = people_file(rows)
        with CaptureQueriesContext(connection) as ctx:
            result = run_import(kind="people", data=data, filename=name, system=True)
        assert result.ok, result.error_lines[:3]
        return len(ctx.captured_queries)

    small, large = queries(20, "A"), queries(400, "B")
    # SQLite caps one INSERT at 999 parameters (about 30 people): batches, not rows
    assert large - small <= (400 - 20) / 10, (small, large)
