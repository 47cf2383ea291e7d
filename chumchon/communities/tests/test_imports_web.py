"""The import pages and API: upload, background job with progress, result, errors, templates."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from chumchon.core.models import Job

from ..imports.columns import COMMUNITY_COLUMNS, PEOPLE_COLUMNS
from ..models import Person
from .factories import make_community
from .test_imports import people_file, person_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(communities):
    return make_community("HC001", district="1001")


def upload(data_name, kind="people", dry_run=False):
    data, name = data_name
    payload = {"kind": kind, "file": SimpleUploadedFile(name, data)}
    if dry_run:
        payload["dry_run"] = "on"
    return payload


def sheet_rows(content: bytes, index: int = 0):
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(book.sheet_names[index]).to_python()


# --- pages -----------------------------------------------------------------------------------


def test_the_import_page_shows_the_form_templates_and_columns(clients, community):
    response = clients["district_officer"].get(reverse("registry-import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert reverse("registry-template", args=["people"]) in html
    assert reverse("registry-template", args=["communities"]) in html
    assert "เลขประจำตัวประชาชน" in html and "national_id" in html


def test_the_import_page_is_refused_without_records_edit(clients):
    assert clients["central_officer"].get(reverse("registry-import")).status_code == 403
    assert clients["committee_member"].post(reverse("registry-import")).status_code == 403
    payload = upload(people_file([person_row()]))
    assert clients["committee_member"].post(reverse("registry-import"), payload).status_code == 403
    assert not Job.objects.exists() and not Person.objects.exists()


def test_uploading_starts_a_job_and_shows_the_result(
    clients, community, django_capture_on_commit_callbacks
):
    client = clients["district_officer"]
    data = people_file([person_row(), person_row(house_no="2")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry-import"), upload(data))
    job = Job.objects.get(kind="registry.import")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry-import-job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.params["counts"]["created"] == 2
    assert job.messages[-1] == "created 2, updated 0, unchanged 0"
    assert Person.objects.count() == 2
    assert not default_storage.exists(job.params["upload"])  # the upload is not kept
    page = client.get(response["Location"]).content.decode()
    assert "hx-get" not in page  # finished: no more polling
    assert "alert-success" in page
    fragment = client.get(reverse("registry-import-progress", args=[job.pk]))
    assert fragment.status_code == 200 and "alert-success" in fragment.content.decode()


def test_a_dry_run_from_the_page_saves_nothing(
    clients, community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clients["district_officer"].post(
            reverse("registry-import"), upload(people_file([person_row()]), dry_run=True)
        )
    job = Job.objects.get(kind="registry.import")
    assert job.status == Job.Status.SUCCEEDED and job.params["dry_run"] is True
    assert job.params["summary"][0] == "dry run: the file is valid; nothing was saved"
    assert Person.objects.count() == 0


def test_a_running_job_page_polls_for_progress(clients, role_users):
    job = Job.objects.create(
        created_by=role_users["district_officer"],
        kind="registry.import",
        status=Job.Status.RUNNING,
        done=500,
        total=2000,
        params={"kind": "people"},
    )
    html = clients["district_officer"].get(reverse("registry-import-job", args=[job.pk]))
    html = html.content.decode()
    assert f'hx-get="{reverse("registry-import-progress", args=[job.pk])}"' in html
    assert '<progress id="import-bar-' in html and 'value="25"' in html


def test_errors_show_the_first_ones_the_total_and_the_error_sheet(
    clients, community, django_capture_on_commit_callbacks, monkeypatch
):
    from .. import tasks

    monkeypatch.setattr(tasks, "ERRORS_SHOWN", 3)
    rows = [person_row(national_id="1") for _ in range(5)] + [person_row()]
    client = clients["district_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry-import"), upload(people_file(rows, fmt="xlsx")))
    job = Job.objects.get(kind="registry.import")
    assert job.status == Job.Status.FAILED
    assert job.params["error_total"] == 5
    assert len(job.params["errors"]) == 3
    assert job.params["errors"][0].startswith("row 2, column เลขประจำตัวประชาชน: ")
    assert Person.objects.count() == 0
    html = client.get(reverse("registry-import-job", args=[job.pk])).content.decode()
    assert job.params["errors"][2] in html
    assert "row 5, column" not in html  # only the first three on screen
    assert reverse("registry-import-errors", args=[job.pk]) in html
    sheet = client.get(reverse("registry-import-errors", args=[job.pk]))
    assert sheet.status_code == 200
    rows_back = sheet_rows(b"".join(sheet.streaming_content))
    assert rows_back[0][-1] == "ข้อผิดพลาด (errors)"
    assert rows_back[5][-1].startswith("row 6, column เลขประจำตัวประชาชน: ")
    assert rows_back[6][-1] == ""


def test_a_refused_file_is_reported_on_the_page(
    clients, community, django_capture_on_commit_callbacks
):
    fake = (b"not a workbook", "people.xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        clients["district_officer"].post(reverse("registry-import"), upload(fake))
    job = Job.objects.get(kind="registry.import")
    assert job.status == Job.Status.FAILED
    assert job.params["errors"][0].startswith("file: The file is not really an Excel")


def test_the_form_refuses_other_file_types_before_starting_a_job(clients, community):
    response = clients["district_officer"].post(
        reverse("registry-import"), upload((b"x", "people.xls"))
    )
    assert response.status_code == 200
    # the import's own message: an .xls gets the hint to save it as .xlsx
    assert "นำเข้าได้เฉพาะไฟล์ .xlsx และ .csv: เปิดไฟล์ใน Excel" in response.content.decode()
    assert not Job.objects.exists()


def test_another_users_import_is_not_found(clients, role_users, community):
    job = Job.objects.create(created_by=role_users["district_head"], kind="registry.import")
    for name in ("registry-import-job", "registry-import-progress", "registry-import-errors"):
        url = reverse(name, args=[job.pk])
        assert clients["district_officer"].get(url).status_code == 404
    assert (
        clients["superuser"].get(reverse("registry-import-job", args=[job.pk])).status_code == 200
    )


def test_other_kinds_of_job_are_not_import_pages(clients, role_users):
    job = Job.objects.create(created_by=role_users["district_officer"], kind="areas.export")
    url = reverse("registry-import-job", args=[job.pk])
    assert clients["district_officer"].get(url).status_code == 404


@pytest.mark.parametrize(
    ("kind", "columns"), [("people", PEOPLE_COLUMNS), ("communities", COMMUNITY_COLUMNS)]
)
def test_templates_have_thai_headers_and_text_columns(clients, kind, columns):
    response = clients["committee_member"].get(reverse("registry-template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="template-{kind}.xlsx"'
    rows = sheet_rows(response.content)
    assert rows[0] == [c.thai for c in columns]
    assert len(rows) == 1  # no example line that could be imported by mistake
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert 'numFmtId="49"' in styles  # the "@" text format for IDs and codes


def test_an_unknown_template_kind_is_not_found(clients):
    assert clients["district_officer"].get("/imports/template/houses/").status_code == 404


def test_a_filled_template_imports(clients, community):
    from ..imports import run_import

    template = clients["district_officer"].get(reverse("registry-template", args=["people"]))
    header = sheet_rows(template.content)[0]
    from ..imports.columns import PEOPLE_COLUMNS as cols
    from .test_imports import xlsx_bytes

    row = person_row()
    data = xlsx_bytes(header, [[row[c.key] for c in cols]])
    assert run_import(kind="people", data=data, filename="t.xlsx", system=True).ok


# --- API ------------------------------------------------------------------------------------


def test_api_post_answers_202_with_the_job_and_get_gives_status_counts_and_errors(
    clients, community, django_capture_on_commit_callbacks
):
    client = clients["district_officer"]
    data = people_file([person_row(), person_row(house_no="2")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/imports/", upload(data))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["kind"] == "people"
    assert body["url"] == f"/api/v1/imports/{body['id']}"
    status = client.get(body["url"]).json()
    assert status["status"] == "succeeded"
    assert status["progress"]["done"] == 2 and status["progress"]["total"] == 2
    assert status["counts"]["created"] == 2
    assert status["summary"][-1] == "created 2, updated 0, unchanged 0"
    assert status["errors"] == [] and status["error_total"] == 0


def test_api_reports_errors_and_the_error_sheet(
    clients, community, django_capture_on_commit_callbacks
):
    client = clients["district_officer"]
    data = people_file([person_row(sex="?")])
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post("/api/v1/imports/", upload(data)).json()
    status = client.get(body["url"]).json()
    assert status["status"] == "failed"
    assert status["error_total"] == 1
    assert status["errors"][0].startswith("row 2, column เพศ: ")
    assert status["error_sheet_url"] == reverse("registry-import-errors", args=[body["id"]])


def test_api_dry_run(clients, community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = (
            clients["district_officer"]
            .post("/api/v1/imports/", {**upload(people_file([person_row()])), "dry_run": "true"})
            .json()
        )
    assert body["dry_run"] is True
    assert Person.objects.count() == 0


def test_api_refuses_bad_input_with_422(clients, community):
    client = clients["district_officer"]
    response = client.post("/api/v1/imports/", {})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"kind", "file"}
    response = client.post("/api/v1/imports/", upload((b"x", "a.xls")))
    assert response.status_code == 422
    assert not Job.objects.exists()


def test_api_needs_records_edit(clients, community):
    response = clients["committee_member"].post("/api/v1/imports/", upload(people_file([])))
    assert response.status_code == 403
    assert clients["anonymous"].post("/api/v1/imports/", {}).status_code == 401
    assert not Job.objects.exists()


def test_api_imports_are_seen_by_their_owner_only(clients, role_users):
    job = Job.objects.create(created_by=role_users["district_head"], kind="registry.import")
    assert clients["district_officer"].get(f"/api/v1/imports/{job.pk}").status_code == 404
    response = clients["district_head"].get(f"/api/v1/imports/{job.pk}")
    assert response.status_code == 200 and response.json()["id"] == job.pk
    assert clients["superuser"].get(f"/api/v1/imports/{job.pk}").status_code == 200


# --- personal data in results: no typed IDs, error sheets kept 30 days -----------------------


def test_a_typed_national_id_is_kept_nowhere_in_the_job_or_the_api(
    clients, community, django_capture_on_commit_callbacks
):
    typed = "1101700230709"  # wrong check digit
    client = clients["district_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post("/api/v1/imports/", upload(people_file([person_row(national_id=typed)])))
    job = Job.objects.get(kind="registry.import")
    assert job.params["error_total"] == 1
    assert "check digit" in job.params["errors"][0]
    assert typed not in str(job.params) and typed not in str(job.messages)
    assert typed not in client.get(body.json()["url"]).content.decode()
    assert typed not in client.get(reverse("registry-import-job", args=[job.pk])).content.decode()


def test_the_job_page_says_the_error_sheet_is_kept_30_days(
    clients, community, django_capture_on_commit_callbacks
):
    client = clients["district_officer"]
    client.cookies["chumchon_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry-import"), upload(people_file([person_row(sex="?")])))
    job = Job.objects.get(kind="registry.import")
    html = client.get(reverse("registry-import-job", args=[job.pk])).content.decode()
    assert "it is kept for 30 days, then deleted." in html


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _age(path, days: int) -> None:
    import time

    stamp = time.time() - days * 86400
    os.utime(path, (stamp, stamp))


def test_error_sheets_and_unread_uploads_are_deleted_after_30_days(media, role_users):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from .. import periodic

    assert periodic.IMPORT_FILE_RETENTION_DAYS == 30
    officer = role_users["district_officer"]
    jobs = {}
    for days in (31, 29):
        job = Job.objects.create(
            created_by=officer,
            kind="registry.import",
            status=Job.Status.FAILED,
            finished_at=timezone.now() - timedelta(days=days),
            params={"kind": "people", "error_total": 1, "errors": ["file: x / x"]},
        )
        job.result_file.save(f"errors-{days}.xlsx", ContentFile(b"sheet"), save=True)
        job.result_name = f"errors-{days}.xlsx"
        job.save()
        jobs[days] = job
    other = Job.objects.create(
        created_by=officer, kind="areas.export", finished_at=timezone.now() - timedelta(days=60)
    )
    other.result_file.save("areas.xlsx", ContentFile(b"x"), save=True)
    old_upload = default_storage.save("imports/2024/01/old.csv", ContentFile(b"id"))
    new_upload = default_storage.save("imports/2024/01/new.csv", ContentFile(b"id"))
    _age(default_storage.path(old_upload), 31)
    old_sheet_path = jobs[31].result_file.path

    output = periodic.prune_import_files(timezone.localdate())

    assert "deleted 1 import error sheets and 1 unread uploads" in output
    jobs[31].refresh_from_db()
    jobs[29].refresh_from_db()
    assert not jobs[31].result_file and jobs[31].result_name  # the page says it was deleted
    assert not os.path.exists(old_sheet_path)
    assert jobs[29].result_file and default_storage.exists(jobs[29].result_file.name)
    assert default_storage.exists(other.result_file.name)  # other kinds of job: not ours
    assert not default_storage.exists(old_upload)
    assert default_storage.exists(new_upload)


def test_the_prune_runs_daily_with_run_periodic(media):
    from chumchon.core import periodic as core_periodic

    core_periodic.autodiscover()
    job = core_periodic.REGISTRY["communities.prune_import_files"]
    assert job.every == core_periodic.DAILY


def test_the_job_page_says_when_the_error_sheet_was_deleted(clients, role_users):
    job = Job.objects.create(
        created_by=role_users["district_officer"],
        kind="registry.import",
        status=Job.Status.FAILED,
        result_name="errors-people.xlsx",
        params={"kind": "people", "ok": False, "error_total": 1, "errors": ["file: x / x"]},
    )
    client = clients["district_officer"]
    client.cookies["chumchon_language"] = "en"
    html = client.get(reverse("registry-import-job", args=[job.pk])).content.decode()
    assert "The error sheet was deleted: error sheets are kept for 30 days." in html
    assert reverse("registry-import-errors", args=[job.pk]) not in html


def test_a_failed_queueing_deletes_the_stored_upload(media, community, role_users, monkeypatch):
    from chumchon.core import jobs

    from ..imports.start import import_start

    def broken(**kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(jobs, "job_enqueue", broken)
    uploaded = SimpleUploadedFile("people.csv", people_file([person_row()])[0])
    with pytest.raises(RuntimeError):
        import_start(actor=role_users["district_officer"], kind="people", uploaded=uploaded)
    assert [p for p in media.rglob("*") if p.is_file()] == []
