"""REST endpoints for registry imports: start one (multipart upload), follow it.

`POST /api/v1/imports/` (kind, file, dry_run) answers 202 with the job; the import runs in the
background. `GET /api/v1/imports/{id}` gives its status, progress, counts and errors (the
first 1,000 lines and the total); only its owner (or an administrator) sees it.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from chumchon.core.api import ErrorOut, error_body
from chumchon.portal.selectors import jobs_for

from .imports.start import JOB_KIND, import_start
from .permissions import can_import

router = Router(tags=["imports"])


class Progress(Schema):
    done: int
    total: int
    percent: int


class ImportOut(Schema):
    id: int
    kind: str
    dry_run: bool
    status: str
    filename: str
    progress: Progress
    counts: dict[str, int]
    error_total: int
    errors: list[str]
    summary: list[str]
    error_sheet_url: str | None
    created_at: datetime
    finished_at: datetime | None
    url: str


def _out(job) -> dict:
    p = job.params or {}
    return {
        "id": job.pk,
        "kind": p.get("kind", ""),
        "dry_run": bool(p.get("dry_run")),
        "status": job.status,
        "filename": p.get("filename", ""),
        "progress": {"done": job.done, "total": job.total, "percent": job.percent},
        "counts": p.get("counts", {}),
        "error_total": p.get("error_total", 0),
        "errors": p.get("errors", []),
        "summary": p.get("summary", []),
        "error_sheet_url": reverse("registry-import-errors", args=[job.pk])
        if job.result_file
        else None,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "url": f"/api/v1/imports/{job.pk}",
    }


@router.post(
    "/imports/",
    response={202: ImportOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def start_import(
    request: HttpRequest,
    kind: Form[str] = "",
    dry_run: Form[bool] = False,
    file: File[UploadedFile] = None,
    draft: Form[bool] = False,
    replace_drafts: Form[bool] = False,
):
    """Upload a file (`kind`: `people`, `communities` or `surveys`; `file`: .xlsx or .csv;
    `dry_run`: check only; surveys only: `draft` saves them as drafts, `replace_drafts`
    overwrites a house's draft of the round) and start the import; follow it at the returned
    `url`."""
    if not can_import(request.auth):
        raise PermissionDenied
    try:
        job = import_start(
            actor=request.auth,
            kind=kind,
            uploaded=file,
            dry_run=dry_run,
            draft=draft,
            replace_drafts=replace_drafts,
        )
    except ValidationError as exc:
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        return Status(422, error_body(_("The request is not valid."), errors))
    job.refresh_from_db()
    return Status(202, _out(job))


@router.get("/imports/{job_id}", response={200: ImportOut, 401: ErrorOut, 404: ErrorOut})
def get_import(request: HttpRequest, job_id: int):
    """An import's status, progress (done of total lines), counts, and errors (the first
    1,000 lines and the total)."""
    job = get_object_or_404(jobs_for(request.auth).filter(kind=JOB_KIND), pk=job_id)
    return _out(job)
