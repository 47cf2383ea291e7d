"""Audit, dated parameters, periodic jobs, background jobs and attachments."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from chumchon.core import periodic
from chumchon.core.attachments import attachment_add
from chumchon.core.audit import record_event
from chumchon.core.logging import mask_ids
from chumchon.core.models import AuditEvent, Job, PeriodicRun
from chumchon.core.params import (
    ParameterMissing,
    parameter_define,
    parameter_start_period,
    parameter_value,
)
from chumchon.organizations.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; Thai ones are checked separately."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_audit_event_masks_personal_fields_and_is_append_only():
    area = Area.objects.get(code="1001")
    event = record_event(
        actor=None,
        action="person.update",
        obj=area,
        changes={"national_id": ["1101700230708", "3101700230701"], "name_th": ["ก", "ข"]},
    )
    assert event.changes["national_id"] == ["***", "***"]
    assert event.changes["name_th"] == ["ก", "ข"]
    assert event.area_path == "/BKK/BKK-01/1001/"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(action="x")


def test_log_filter_masks_national_ids():
    assert mask_ids("search 1-1017-00230-70-8 ok") == "search [national-id] ok"
    assert mask_ids("id=1101700230708") == "id=[national-id]"
    assert mask_ids("phone 0812345678") == "phone 0812345678"


def test_dated_parameter_keeps_each_day_its_value():
    parameter_define(
        actor=None, key="foodbank.meals_per_kg", value="4.2", valid_from=date(2000, 1, 1)
    )
    parameter_start_period(
        actor=None, key="foodbank.meals_per_kg", value="4.5", valid_from=date(2025, 1, 1)
    )
    assert parameter_value("foodbank.meals_per_kg", date(2024, 12, 31)) == "4.2"
    assert parameter_value("foodbank.meals_per_kg", date(2025, 1, 1)) == "4.5"
    with pytest.raises(ParameterMissing):
        parameter_value("foodbank.meals_per_kg", date(1999, 12, 31))
    assert AuditEvent.objects.filter(action="parameter.define").count() == 2


def test_dated_parameter_refuses_overlaps_and_gaps():
    parameter_define(
        actor=None, key="k", value=1, valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31)
    )
    with pytest.raises(ValidationError, match="overlaps"):
        parameter_define(actor=None, key="k", value=2, valid_from=date(2024, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        parameter_start_period(actor=None, key="k", value=3, valid_from=date(2025, 2, 1))
    assert "2568" in str(excinfo.value)  # the day the new period must start, in BE
    parameter_start_period(actor=None, key="k", value=3, valid_from=date(2025, 1, 1))
    assert parameter_value("k", date(2025, 6, 1)) == 3


def test_run_periodic_runs_each_job_once_per_period():
    calls = []

    @periodic.periodic("test.daily", every=periodic.DAILY)
    def daily(today):
        calls.append(today)
        return "done"

    try:
        day = date(2026, 11, 22)
        assert ("test.daily", "ok") in periodic.run_due(day)
        assert ("test.daily", "skipped") in periodic.run_due(day)
        periodic.run_due(day + timedelta(days=1))
        assert calls == [day, day + timedelta(days=1)]
        assert PeriodicRun.objects.filter(name="test.daily", ok=True).count() == 2
    finally:
        del periodic.REGISTRY["test.daily"]


def test_a_failed_periodic_job_is_recorded_and_retried_next_run():
    attempts = []

    @periodic.periodic("test.flaky", every=periodic.MONTHLY)
    def flaky(today):
        attempts.append(today)
        if len(attempts) == 1:
            raise RuntimeError("boom")

    try:
        day = date(2026, 11, 22)
        assert ("test.flaky", "failed") in periodic.run_due(day)
        run = PeriodicRun.objects.get(name="test.flaky")
        assert run.period == "2026-11" and not run.ok and "boom" in run.output
        assert ("test.flaky", "ok") in periodic.run_due(day)
        assert ("test.flaky", "skipped") in periodic.run_due(day + timedelta(days=3))
    finally:
        del periodic.REGISTRY["test.flaky"]


def test_run_periodic_command_lists_outcomes():
    out = io.StringIO()
    call_command("run_periodic", stdout=out)
    assert "core.prune_finished_jobs: ok" in out.getvalue()
    out = io.StringIO()
    call_command("run_periodic", stdout=out)
    assert "core.prune_finished_jobs: skipped" in out.getvalue()


def pdf(name="letter.pdf", content=b"%PDF-1.4 hello"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_attachment_is_stored_and_audited(role_users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    area = Area.objects.get(code="1001")
    attachment = attachment_add(actor=role_users["district_officer"], owner=area, uploaded=pdf())
    assert attachment.size == len(b"%PDF-1.4 hello") and attachment.mime_type == "application/pdf"
    assert (tmp_path / attachment.file.name).exists()
    assert AuditEvent.objects.filter(action="attachment.add", area_path=area.path).exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("virus.exe", b"MZ...."), "not accepted"),
        (SimpleUploadedFile("fake.pdf", b"MZ not a pdf"), "not really"),
        (SimpleUploadedFile("empty.pdf", b""), "empty"),
    ],
)
def test_attachment_refuses_bad_files(role_users, tmp_path, settings, upload, message):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match=message):
        attachment_add(
            actor=role_users["district_officer"],
            owner=Area.objects.get(code="1001"),
            uploaded=upload,
        )


def test_attachment_refuses_files_over_the_limit(role_users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="limit"):
        attachment_add(
            actor=role_users["district_officer"],
            owner=Area.objects.get(code="1001"),
            uploaded=pdf(),
        )


def test_attachment_download_checks_the_owner_scope(clients, role_users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    own = attachment_add(
        actor=role_users["district_officer"], owner=Area.objects.get(code="1001"), uploaded=pdf()
    )
    other = attachment_add(
        actor=role_users["superuser"], owner=Area.objects.get(code="1004"), uploaded=pdf()
    )
    officer = clients["district_officer"]
    response = officer.get(f"/attachments/{own.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 hello"
    assert officer.get(f"/attachments/{other.pk}/").status_code == 404


def test_area_upload_from_the_page(clients, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    response = clients["district_officer"].post(
        "/areas/1001/attachments/", {"file": pdf(), "description": "ประกาศ"}
    )
    assert response.status_code == 302
    page = clients["district_officer"].get("/areas/1001/?tab=files")
    assert "letter.pdf" in page.content.decode()


def test_export_job_runs_and_reports_progress(
    clients, role_users, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = clients["zone_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/areas/BKK-01/export/")
    assert response.status_code == 302
    job = Job.objects.get(created_by=role_users["zone_officer"])
    assert job.status == Job.Status.SUCCEEDED  # the test settings run tasks immediately
    assert job.total == job.done == 1 + 9 + 1  # the zone, its 9 districts, 1 test community
    assert response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<progress" in page and 'value="100"' in page
    fragment = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "hx-get" not in fragment  # finished: the page stops polling
    download = client.get(f"/jobs/{job.pk}/download/")
    from chumchon.core.excel import read_xlsx_rows

    rows = read_xlsx_rows(b"".join(download.streaming_content))
    assert rows[0] == ["code", "name_th", "name_en", "kind", "parent_code"]
    assert ["1001", "พระนคร", "Phra Nakhon", "district", "BKK-01"] in rows
    api = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert api["status"] == "succeeded" and api["percent"] == 100
    assert api["download_url"] == f"/jobs/{job.pk}/download/"


def test_running_job_page_polls_with_htmx(clients, role_users):
    job = Job.objects.create(
        created_by=role_users["zone_officer"], kind="x", status="running", total=10, done=4
    )
    fragment = clients["zone_officer"].get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-get="/jobs/' in fragment and 'value="40"' in fragment


def test_reveal_is_logged_with_reason_and_area(role_users):
    from chumchon.core.models import RevealLog
    from chumchon.core.personal import reveal_record

    area = Area.objects.get(code="1001")
    with pytest.raises(ValidationError):
        reveal_record(actor=role_users["district_head"], obj=area, field="national_id", reason="x")
    log = reveal_record(
        actor=role_users["district_head"],
        obj=area,
        field="national_id",
        reason="ตรวจสอบสิทธิ์เบี้ยยังชีพผู้สูงอายุ",
        subject_label="นาย ก.",
    )
    assert log.area_path == area.path and log.field == "national_id"
    with pytest.raises(TypeError):
        log.delete()
    assert RevealLog.objects.count() == 1


def test_auditor_reads_reveals_in_reach(clients, role_users):
    from chumchon.core.personal import reveal_record

    reveal_record(
        actor=role_users["district_head"],
        obj=Area.objects.get(code="1001"),
        field="national_id",
        reason="ตรวจสอบสิทธิ์เบี้ยยังชีพ",
        subject_label="นาง ข.",
    )
    page = clients["auditor"].get("/audit/reveals/").content.decode()
    assert "นาง ข." in page and "ตรวจสอบสิทธิ์เบี้ยยังชีพ" in page
    assert clients["district_officer"].get("/audit/reveals/").status_code == 403


def test_a_job_disappears_when_its_area_leaves_the_users_reach(clients, role_users):
    job = Job.objects.create(
        created_by=role_users["district_officer"], kind="x", area_path="/BKK/BKK-02/1004/"
    )
    assert clients["district_officer"].get(f"/jobs/{job.pk}/").status_code == 404
    mine = Job.objects.create(
        created_by=role_users["district_officer"], kind="x", area_path="/BKK/BKK-01/1001/"
    )
    assert clients["district_officer"].get(f"/jobs/{mine.pk}/").status_code == 200
