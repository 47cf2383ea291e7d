"""Access rules of registry imports and exports (see accounts/testing/access.py)."""

from __future__ import annotations

from chumchon.accounts.testing.access import LOGIN, OWNER, Rule, anywhere
from chumchon.core.jobs import job_fail
from chumchon.core.models import Job


def import_job(objects, actor, which) -> Job:
    """A finished import job with an error sheet: the actor's own ("own") or a stranger's."""
    from django.core.files.base import ContentFile

    owner = objects.users.get(actor) if which == "own" else objects.stranger
    job = Job.objects.create(
        created_by=owner,
        kind="registry.import",
        area_path=objects.area(which).path,
        params={"kind": "people", "ok": False, "error_total": 1, "errors": ["file: x / x"]},
    )
    job.result_file.save("errors.xlsx", ContentFile(b"x"), save=False)
    return job_fail(job, message="x")


def import_pk(objects, actor, which):
    return {"pk": import_job(objects, actor, which).pk}


def api_import_id(objects, actor, which):
    return {"job_id": import_job(objects, actor, which).pk}


def template_kind(objects, actor, which):
    return {"kind": "people"}


ACCESS = {
    "registry-import": Rule({"GET": anywhere("records.edit"), "POST": anywhere("records.edit")}),
    "registry-import-job": Rule({"GET": OWNER}, import_pk),
    "registry-import-progress": Rule({"GET": OWNER}, import_pk),
    "registry-import-errors": Rule({"GET": OWNER}, import_pk),
    "registry-template": Rule({"GET": LOGIN}, template_kind),
    "community-list-export": Rule({"GET": LOGIN}),
    "household-list-export": Rule({"GET": anywhere("people.view")}),
    "person-list-export": Rule({"GET": anywhere("personal.export")}),
    "api:start_import": Rule(
        {"POST": anywhere("records.edit")}, api=True, extra={"invalid_ok": True}
    ),
    "api:get_import": Rule({"GET": OWNER}, api_import_id, api=True),
}
