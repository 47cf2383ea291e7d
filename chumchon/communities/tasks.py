"""Background work of the registry: imports from Excel/CSV."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import ngettext
from django_tasks import task

from chumchon.core.jobs import (
    job_fail,
    job_fail_safely,
    job_progress,
    job_running,
    job_succeed,
)

#: Error lines kept on the job (the page and the API show these; the sheet has them all).
ERRORS_SHOWN = 1000


@task()
def run_registry_import(job_id: int) -> None:
    """Run an import queued by `imports.start.import_start`; results go on the job:
    params["counts"], params["errors"] (the first 1,000 lines), params["error_total"],
    params["summary"], and the error workbook as the result file when the file is refused."""
    from chumchon.core.models import Job

    from .imports import error_workbook, run_import

    job = Job.objects.select_related("created_by").get(pk=job_id)
    params = dict(job.params)
    upload = params.get("upload", "")
    try:
        job = job_running(job_id)

        def progress(done: int, total: int | None) -> None:
            job_progress(job, done=done, total=max(total or 0, done))

        with default_storage.open(upload, "rb") as stream:
            data = stream.read()
        result = run_import(
            kind=params["kind"],
            data=data,
            filename=params.get("filename", upload),
            actor=job.created_by,
            dry_run=params.get("dry_run", False),
            progress=progress,
            options=params.get("options"),
        )
        params.update(
            sha256=result.sha256,
            rows=result.rows,
            counts=result.counts,
            ok=result.ok,
            committed=result.committed,
            error_total=len(result.problems),
            errors=result.error_lines[:ERRORS_SHOWN],
            summary=result.summary_lines() if result.ok else [],
        )
        job.params = params
        if result.ok:
            job_succeed(job, message=result.summary_lines()[-1])
        else:
            name = f"errors-{params.get('filename', 'import')}".rsplit(".", 1)[0] + ".xlsx"
            content = error_workbook(data, params.get("filename", upload), result)
            job.result_file.save(name, ContentFile(content), save=False)
            job.result_name = name
            job_fail(
                job,
                message=ngettext(
                    "The file has %(count)s error: nothing was saved.",
                    "The file has %(count)s errors: nothing was saved.",
                    len(result.problems),
                )
                % {"count": f"{len(result.problems):,}"},
            )
    except Exception as exc:
        job.params = params
        job_fail_safely(job, exc)
        raise
    finally:
        if upload and default_storage.exists(upload):
            default_storage.delete(upload)
