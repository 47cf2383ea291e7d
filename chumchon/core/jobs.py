"""Background jobs as users see them.

A service calls `job_enqueue(...)`, which creates a Job row and enqueues a django-tasks task
that receives the job id. The task reports progress with `job_progress` and finishes with
`job_succeed` or `job_fail`; the job page polls the row with htmx. A task that catches an
unexpected exception calls `job_fail_safely(job, exc)`: the user sees a generic message, the
details (which may hold personal data) go to the log only.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .audit import record_event
from .models import Job

logger = logging.getLogger(__name__)


@transaction.atomic
def job_enqueue(
    *,
    actor: Any,
    task: Any,
    kind: str,
    title: str = "",
    area_path: str = "",
    params: dict | None = None,
) -> Job:
    """Create the Job record (validated) and enqueue `task(job_id)` once the transaction
    commits."""
    job = Job(
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        title=title,
        area_path=area_path,
        params=params or {},
    )
    job.full_clean()
    job.save()
    record_event(actor=actor, action="job.enqueue", obj=job, area_path=area_path)

    def _enqueue() -> None:
        result = task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(_enqueue)
    return job


def job_running(job_id: int, *, total: int = 0) -> Job:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), total=total, done=0
    )
    return Job.objects.get(pk=job_id)


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    job.done = done
    fields = ["done"]
    if total is not None:
        job.total = total
        fields.append("total")
    if message:
        job.messages = [*job.messages, message][-200:]
        fields.append("messages")
    job.save(update_fields=fields)


def job_succeed(
    job: Job, *, content: bytes | None = None, filename: str = "", message: str = ""
) -> Job:
    if content is not None:
        job.result_file.save(filename or f"job-{job.pk}", ContentFile(content), save=False)
        job.result_name = filename
    job.status = Job.Status.SUCCEEDED
    job.done = job.total or job.done
    job.finished_at = timezone.now()
    if message:
        job.messages = [*job.messages, message]
    job.save()
    return job


def job_fail(job: Job, *, message: str) -> Job:
    job.status = Job.Status.FAILED
    job.finished_at = timezone.now()
    job.messages = [*job.messages, message]
    job.save()
    return job


def job_fail_safely(job: Job, exc: BaseException) -> Job:
    """Fail `job` with a generic message for its user; log `exc` with its traceback.

    An exception's text may carry personal data or internals, so it is never shown on the job
    page; the log (national IDs masked) has the details.
    """
    logger.exception("job %s (%s) failed", job.pk, job.kind, exc_info=exc)
    return job_fail(job, message=gettext("The job failed; the administrators have the details."))
