"""Audit, dated parameters, periodic jobs, background jobs and attachments."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from chumchon.core import periodic
from chumchon.core.attachments import attachment_add
from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.core.logging import mask_ids
from chumchon.core.models import AuditEvent, DatedParameter, Job, PeriodicRun
from chumchon.core.params import (
    ParameterMissing,
    parameter_decimal,
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
        actor=None, key="example.meals_per_kg", value="4.2", valid_from=date(2000, 1, 1)
    )
    parameter_start_period(
        actor=None,
        key="example.meals_per_kg",
        value="4.5",
        valid_from=date(2025, 1, 1),
        retroactive_reason="Board resolution 3/2568 applies from 1 January 2568",
    )
    assert parameter_value("example.meals_per_kg", date(2024, 12, 31)) == "4.2"
    assert parameter_value("example.meals_per_kg", date(2025, 1, 1)) == "4.5"
    with pytest.raises(ParameterMissing):
        parameter_value("example.meals_per_kg", date(1999, 12, 31))
    assert AuditEvent.objects.filter(action="parameter.define").count() == 2


def test_dated_parameter_refuses_overlaps_and_gaps():
    reason = "correcting the 2568 figures"
    parameter_define(
        actor=None, key="k", value=1, valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31)
    )
    with pytest.raises(ValidationError, match="overlaps"):
        parameter_define(actor=None, key="k", value=2, valid_from=date(2024, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        parameter_start_period(
            actor=None, key="k", value=3, valid_from=date(2025, 2, 1), retroactive_reason=reason
        )
    # The gap is refused (not the past date: a reason is given), naming the day the new period
    # must start, in BE.
    assert excinfo.value.message_dict["valid_from"] == [
        "The previous period of k ends on 31 December 2567 BE: "
        "the new one must start on 1 January 2568 BE."
    ]
    parameter_start_period(
        actor=None, key="k", value=3, valid_from=date(2025, 1, 1), retroactive_reason=reason
    )
    assert parameter_value("k", date(2025, 6, 1)) == 3


def test_a_new_period_starts_today_or_later():
    today = timezone.localdate()
    parameter_define(actor=None, key="k", value="1", valid_from=today - timedelta(days=100))
    with pytest.raises(ValidationError) as excinfo:
        parameter_start_period(actor=None, key="k", value="2", valid_from=today - timedelta(days=1))
    assert excinfo.value.error_dict["valid_from"][0].code == "in_the_past"
    message = excinfo.value.message_dict["valid_from"][0]
    assert format_date(today - timedelta(days=1)) in message  # the date, in BE
    assert format_date(today) in message
    assert " BE" in message and str(today.year + 543) in message
    with pytest.raises(ValidationError, match="in the past"):  # a blank reason is no reason
        parameter_start_period(
            actor=None,
            key="k",
            value="2",
            valid_from=today - timedelta(days=1),
            retroactive_reason="   ",
        )
    # Nothing changed: the open period still runs.
    assert parameter_value("k", today) == "1"
    assert not AuditEvent.objects.filter(action="parameter.close").exists()

    parameter_start_period(actor=None, key="k", value="2", valid_from=today)
    assert parameter_value("k", today - timedelta(days=1)) == "1"
    assert parameter_value("k", today) == "2"
    future = today + timedelta(days=30)
    parameter_start_period(actor=None, key="k", value="3", valid_from=future)
    assert parameter_value("k", future - timedelta(days=1)) == "2"
    assert parameter_value("k", future) == "3"


def test_today_is_the_bangkok_day(monkeypatch):
    # 31 Dec 2024 17:30 UTC is 1 Jan 2025 00:30 in Bangkok: 31 Dec is already the past.
    parameter_define(actor=None, key="k", value="1", valid_from=date(2024, 1, 1))
    monkeypatch.setattr(timezone, "now", lambda: datetime(2024, 12, 31, 17, 30, tzinfo=UTC))
    with pytest.raises(ValidationError, match="31 December 2567 BE is in the past"):
        parameter_start_period(actor=None, key="k", value="2", valid_from=date(2024, 12, 31))
    parameter_start_period(actor=None, key="k", value="2", valid_from=date(2025, 1, 1))
    assert parameter_value("k", date(2024, 12, 31)) == "1"


def test_a_retroactive_period_needs_a_reason_and_audits_it(role_users):
    actor = role_users["central_officer"]
    today = timezone.localdate()
    first = parameter_define(
        actor=actor, key="k", value="1", valid_from=today - timedelta(days=100)
    )
    start = today - timedelta(days=10)
    new = parameter_start_period(
        actor=actor,
        key="k",
        value="2",
        valid_from=start,
        retroactive_reason="  The factor was wrong since the audit of last month.  ",
    )
    first.refresh_from_db()
    assert first.valid_to == start - timedelta(days=1)
    assert parameter_value("k", start - timedelta(days=1)) == "1"
    assert parameter_value("k", start) == "2"

    close = AuditEvent.objects.get(action="parameter.close")
    assert close.object_id == str(first.pk) and close.actor == actor
    assert close.changes == {"valid_to": [None, (start - timedelta(days=1)).isoformat()]}
    assert close.reason == "The factor was wrong since the audit of last month."
    define = AuditEvent.objects.get(action="parameter.define", object_id=str(new.pk))
    assert define.reason == close.reason


def test_closing_the_open_period_is_audited_without_reason_when_not_retroactive():
    today = timezone.localdate()
    first = parameter_define(actor=None, key="k", value="1", valid_from=today)
    parameter_start_period(actor=None, key="k", value="2", valid_from=today + timedelta(days=1))
    close = AuditEvent.objects.get(action="parameter.close")
    assert close.object_id == str(first.pk) and close.reason == ""
    assert close.changes == {"valid_to": [None, today.isoformat()]}


def test_closing_the_open_period_is_validated(monkeypatch):
    """The closed period goes through full_clean: a broken row is not saved half-closed."""
    today = timezone.localdate()
    parameter_define(actor=None, key="k", value="1", valid_from=today)
    calls = []
    real_full_clean = DatedParameter.full_clean

    def spy(self, *args, **kwargs):
        calls.append((self.valid_from, self.valid_to))
        return real_full_clean(self, *args, **kwargs)

    monkeypatch.setattr(DatedParameter, "full_clean", spy)
    parameter_start_period(actor=None, key="k", value="2", valid_from=today + timedelta(days=5))
    assert (today, today + timedelta(days=4)) in calls


def test_dated_parameter_holds_money_exactly():
    day = date(2026, 1, 1)
    row = parameter_define(
        actor=None, key="welfare.monthly_allowance", value=Decimal("3000.50"), valid_from=day
    )
    row.refresh_from_db()
    assert row.value == "3000.50"  # stored as its string, never a float
    amount = parameter_decimal("welfare.monthly_allowance", day)
    assert amount == Decimal("3000.50") and str(amount) == "3000.50"
    event = AuditEvent.objects.get(action="parameter.define")
    assert event.changes["value"] == "3000.50"


def test_food_bank_factors_read_as_exact_decimals():
    """The food bank's migration loads both factors as text from 1 January 2000."""
    day = date(2026, 1, 1)
    meals = parameter_decimal("foodbank.meals_per_kg", day)
    co2e = parameter_decimal("foodbank.kgco2e_per_kg", day)
    assert (meals, co2e) == (Decimal("4.2"), Decimal("2.53"))
    assert str(meals) == "4.2" and str(co2e) == "2.53"
    assert Decimal("1000") * meals == Decimal("4200.0")
    assert Decimal("3") * co2e == Decimal("7.59")  # exact: no float drift (7.589999...)


def test_parameter_decimal_reads_a_json_number_through_its_text():
    day = date(2026, 1, 1)
    parameter_define(actor=None, key="f", value=2.53, valid_from=day)  # a JSON number
    parameter_define(actor=None, key="n", value=25, valid_from=day)
    parameter_define(actor=None, key="t", value="1,234.50", valid_from=day)
    assert parameter_decimal("f", day) == Decimal("2.53")  # not 2.529999999999999804...
    assert parameter_decimal("n", day) == Decimal(25)
    assert parameter_decimal("t", day) == Decimal("1234.50")


def test_parameter_decimal_refuses_values_that_are_not_numbers():
    day = date(2026, 1, 1)
    parameter_define(actor=None, key="word", value="four", valid_from=day)
    parameter_define(actor=None, key="flag", value=True, valid_from=day)
    parameter_define(actor=None, key="list", value=[1, 2], valid_from=day)
    with pytest.raises(ValidationError, match="is not a number"):
        parameter_decimal("word", day)
    with pytest.raises(TypeError, match="'flag'"):
        parameter_decimal("flag", day)
    with pytest.raises(TypeError, match="'list'"):
        parameter_decimal("list", day)
    with pytest.raises(ParameterMissing):
        parameter_decimal("missing", day)


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


def test_run_periodic_command_lists_outcomes(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path  # the prune jobs must not touch the shared test media
    out = io.StringIO()
    call_command("run_periodic", stdout=out)
    assert "core.prune_finished_jobs: ok" in out.getvalue()
    assert "core.prune_orphan_attachments: ok" in out.getvalue()
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


# --- periodic jobs: masking, takeover of failed and stale runs, orphan files ---------------


def test_periodic_output_is_masked():
    @periodic.periodic("test.leaky", every=periodic.DAILY)
    def leaky(today):
        raise ValueError("no person 1101700230708")

    try:
        assert ("test.leaky", "failed") in periodic.run_due(date(2026, 11, 22))
        run = PeriodicRun.objects.get(name="test.leaky")
        assert "1101700230708" not in run.output
        assert "ValueError: no person [national-id]" in run.output
    finally:
        del periodic.REGISTRY["test.leaky"]


@pytest.mark.parametrize(
    "age, finished, outcome",
    [
        (timedelta(hours=1), False, "skipped"),  # still running in another process
        (timedelta(hours=3), False, "ok"),  # its process died: taken over
        (timedelta(hours=1), True, "ok"),  # failed: retried
    ],
)
def test_a_run_is_taken_over_only_when_failed_or_stale(age, finished, outcome):
    calls = []

    @periodic.periodic("test.once", every=periodic.DAILY)
    def once(today):
        calls.append(today)

    try:
        started = timezone.now() - age
        PeriodicRun.objects.create(
            name="test.once",
            period="2026-11-22",
            started_at=started,
            finished_at=started + timedelta(minutes=1) if finished else None,
            ok=False,
        )
        assert ("test.once", outcome) in periodic.run_due(date(2026, 11, 22))
        assert len(calls) == (outcome == "ok")
    finally:
        del periodic.REGISTRY["test.once"]


def test_a_failed_run_is_taken_over_by_one_process_only(monkeypatch):
    """Another run_periodic takes the failed run between our read and our takeover: we skip.

    On PostgreSQL the row lock (SELECT ... FOR UPDATE) makes the rival wait; SQLite ignores
    the lock, and the conditional UPDATE of the row as read decides.
    """
    from django.db.models import query

    calls = []

    @periodic.periodic("test.contended", every=periodic.DAILY)
    def contended(today):
        calls.append(today)

    try:
        started = timezone.now() - timedelta(hours=1)
        PeriodicRun.objects.create(
            name="test.contended",
            period="2026-11-22",
            started_at=started,
            finished_at=started + timedelta(minutes=1),
            ok=False,
        )
        real_get = query.QuerySet.get
        seen_lock = []

        def get_then_rival_takes_it(self, *args, **kwargs):
            row = real_get(self, *args, **kwargs)
            if self.model is PeriodicRun and not seen_lock:
                seen_lock.append(self.query.select_for_update)
                PeriodicRun.objects.filter(pk=row.pk).update(
                    started_at=timezone.now(), finished_at=None
                )
            return row

        monkeypatch.setattr(query.QuerySet, "get", get_then_rival_takes_it)
        assert ("test.contended", "skipped") in periodic.run_due(date(2026, 11, 22))
        assert seen_lock == [True]  # the decision was read under SELECT ... FOR UPDATE
        assert calls == []
    finally:
        del periodic.REGISTRY["test.contended"]


def test_prune_orphan_attachments(role_users, tmp_path, settings):
    import os

    settings.MEDIA_ROOT = tmp_path
    assert periodic.REGISTRY["core.prune_orphan_attachments"].every == periodic.MONTHLY
    area = Area.objects.get(code="1001")
    kept = attachment_add(actor=role_users["district_officer"], owner=area, uploaded=pdf())
    old_orphan = tmp_path / "attachments" / "2026" / "01" / "orphan-old"
    new_orphan = tmp_path / "attachments" / "2026" / "11" / "orphan-new"
    outside = tmp_path / "jobs" / "2026" / "01" / "result.xlsx"
    for path in (old_orphan, new_orphan, outside):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    for path in (old_orphan, outside, tmp_path / kept.file.name):
        os.utime(path, (two_days_ago, two_days_ago))

    output = periodic.prune_orphan_attachments(date(2026, 11, 22))
    assert "deleted 1 orphan" in output
    assert not old_orphan.exists()
    assert new_orphan.exists()  # may belong to a transaction still open
    assert outside.exists()  # only attachments/ is pruned
    assert (tmp_path / kept.file.name).exists()


def test_prune_orphan_attachments_without_a_directory(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "nothing-yet"
    assert "deleted 0 orphan" in periodic.prune_orphan_attachments(date(2026, 11, 22))


# --- background jobs -----------------------------------------------------------------------


class _FakeTask:
    def __init__(self):
        self.enqueued = []

    def enqueue(self, job_id):
        self.enqueued.append(job_id)

        class Result:
            id = f"task-{job_id}"

        return Result()


def test_job_enqueue_validates_and_enqueues_after_commit(
    role_users, django_capture_on_commit_callbacks
):
    from chumchon.core.jobs import job_enqueue

    task = _FakeTask()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(
            actor=role_users["zone_officer"], task=task, kind="x.export", title="Export"
        )
    job.refresh_from_db()
    assert task.enqueued == [job.pk] and job.task_id == f"task-{job.pk}"
    assert AuditEvent.objects.filter(action="job.enqueue", object_id=str(job.pk)).exists()


def test_job_enqueue_refuses_an_invalid_job_and_writes_nothing(
    role_users, django_capture_on_commit_callbacks
):
    from chumchon.core.jobs import job_enqueue

    task = _FakeTask()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        job_enqueue(actor=role_users["zone_officer"], task=task, kind="x", title="t" * 300)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        job_enqueue(actor=role_users["zone_officer"], task=task, kind="")
    assert not Job.objects.exists() and task.enqueued == []
    assert not AuditEvent.objects.filter(action="job.enqueue").exists()


def test_job_enqueue_is_atomic(role_users, monkeypatch):
    from chumchon.core import jobs

    def broken_audit(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(jobs, "record_event", broken_audit)
    with pytest.raises(RuntimeError):
        jobs.job_enqueue(actor=role_users["zone_officer"], task=_FakeTask(), kind="x")
    assert not Job.objects.exists()


def test_job_fail_safely_shows_a_generic_message_and_logs_the_details(role_users):
    import logging

    from chumchon.core.jobs import job_fail_safely
    from chumchon.core.logging import MaskPersonalDataFilter

    job = Job.objects.create(created_by=role_users["zone_officer"], kind="x", status="running")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalDataFilter())
    logger = logging.getLogger("chumchon.core.jobs")
    logger.addHandler(handler)
    try:
        try:
            raise KeyError("person 1101700230708 not found")
        except KeyError as exc:
            job_fail_safely(job, exc)
    finally:
        logger.removeHandler(handler)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert job.messages == ["The job failed; the administrators have the details."]
    log = stream.getvalue()
    assert f"job {job.pk} (x) failed" in log and "KeyError" in log and "Traceback" in log
    assert "1101700230708" not in log


# --- attachments: no orphan files -----------------------------------------------------------


def _stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_refused_attachment_writes_no_file(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as excinfo:
        attachment_add(actor=None, owner=Area.objects.get(code="1001"), uploaded=pdf())
    assert "uploaded_by" in excinfo.value.message_dict
    assert _stored_files(tmp_path) == []


def test_an_attachment_that_fails_after_storing_deletes_its_file(
    role_users, tmp_path, settings, monkeypatch
):
    from chumchon.core import attachments
    from chumchon.core.models import Attachment

    settings.MEDIA_ROOT = tmp_path

    def broken_audit(**kwargs):
        assert _stored_files(tmp_path), "the file is stored before the audit event"
        raise RuntimeError("audit down")

    monkeypatch.setattr(attachments, "record_event", broken_audit)
    with pytest.raises(RuntimeError):
        attachment_add(
            actor=role_users["district_officer"],
            owner=Area.objects.get(code="1001"),
            uploaded=pdf(),
        )
    assert _stored_files(tmp_path) == []
    assert not Attachment.objects.exists()


def test_an_attachment_refused_by_validation_after_storing_deletes_its_file(
    role_users, tmp_path, settings, monkeypatch
):
    from chumchon.core.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    real_full_clean = Attachment.full_clean

    def refuse_once_the_file_is_named(self, *args, **kwargs):
        if self.file.name:
            raise ValidationError({"file": "refused"})
        return real_full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "full_clean", refuse_once_the_file_is_named)
    with pytest.raises(ValidationError, match="refused"):
        attachment_add(
            actor=role_users["district_officer"],
            owner=Area.objects.get(code="1001"),
            uploaded=pdf(),
        )
    assert _stored_files(tmp_path) == []
    assert not Attachment.objects.exists()


def test_typed_parameter_values_keep_the_shape_of_the_latest_value():
    from chumchon.core.params import parameter_value_from_text

    parameter_define(actor=None, key="n", value="4.2", valid_from=date(2000, 1, 1))
    parameter_define(actor=None, key="t", value="ชื่อเดิม", valid_from=date(2000, 1, 1))
    parameter_define(actor=None, key="s", value={"min": 7}, valid_from=date(2000, 1, 1))
    assert parameter_value_from_text("n", " 1,234.50 ") == "1234.50"
    with pytest.raises(ValidationError) as excinfo:
        parameter_value_from_text("n", "สี่")
    assert "value" in excinfo.value.error_dict
    assert parameter_value_from_text("t", " ชื่อใหม่ ") == "ชื่อใหม่"
    with pytest.raises(ValidationError):
        parameter_value_from_text("s", "8")
