"""Periodic jobs: registered functions that run once per day or once per month.

`python manage.py run_periodic` runs the jobs that are due, idempotently: a PeriodicRun row per
(job, period) records that it ran, so running the command twice in a day does the work once.
Apps register jobs in their `periodic.py`, imported by `autodiscover()`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .logging import mask_ids
from .models import PeriodicRun

logger = logging.getLogger(__name__)

DAILY = "daily"
MONTHLY = "monthly"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: str
    func: Callable[[date], str | None]


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: str) -> Callable:
    if every not in (DAILY, MONTHLY):
        raise ValueError(f"unknown period {every!r}")

    def decorator(func: Callable[[date], str | None]) -> Callable[[date], str | None]:
        REGISTRY[name] = PeriodicJob(name=name, every=every, func=func)
        return func

    return decorator


def period_key(every: str, today: date) -> str:
    return today.isoformat() if every == DAILY else today.strftime("%Y-%m")


def autodiscover() -> None:
    autodiscover_modules("periodic")


STALE_AFTER = timedelta(hours=2)


def _claim(job: PeriodicJob, period: str) -> PeriodicRun | None:
    """The run row this process is to execute for (job, period), or None to skip.

    A new period creates the row. An existing row is re-run only if it failed, or if it is
    still marked running after STALE_AFTER (its process died). That decision is taken on the
    row locked with SELECT ... FOR UPDATE, and the takeover is a conditional UPDATE of the
    row as it was read: two run_periodic processes never both re-run it (on SQLite, which
    ignores FOR UPDATE, the conditional UPDATE alone decides).
    """
    try:
        with transaction.atomic():
            return PeriodicRun.objects.create(name=job.name, period=period)
    except IntegrityError:
        pass
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update().get(name=job.name, period=period)
        now = timezone.now()
        stale = run.finished_at is None and now - run.started_at > STALE_AFTER
        if run.ok or not (stale or run.finished_at is not None):
            return None
        taken = PeriodicRun.objects.filter(
            pk=run.pk, ok=False, started_at=run.started_at, finished_at=run.finished_at
        ).update(started_at=now, finished_at=None, output="")
        if taken != 1:
            return None
        run.started_at, run.finished_at, run.output = now, None, ""
    return run


def run_due(today: date | None = None, *, only: str | None = None) -> list[tuple[str, str]]:
    """Run every job not yet run for its current period. Returns [(name, outcome)]."""
    autodiscover()
    today = today or timezone.localdate()
    outcomes = []
    for job in sorted(REGISTRY.values(), key=lambda j: j.name):
        if only and job.name != only:
            continue
        run = _claim(job, period_key(job.every, today))
        if run is None:
            outcomes.append((job.name, "skipped"))
            continue
        try:
            output = job.func(today) or ""
            run.ok = True
            outcome = "ok"
        except Exception:  # a job's failure is recorded, the others still run
            output = traceback.format_exc()
            run.ok = False
            outcome = "failed"
            logger.exception("periodic job %s failed", job.name)
        run.output = mask_ids(output)[-10000:]
        run.finished_at = timezone.now()
        run.save()
        outcomes.append((job.name, outcome))
    return outcomes


JOB_RETENTION_DAYS = 90


@periodic("core.prune_finished_jobs", every=DAILY)
def prune_finished_jobs(today: date) -> str:
    """Delete finished jobs (and their result files) older than JOB_RETENTION_DAYS."""
    from .models import Job

    cutoff = timezone.now() - timedelta(days=JOB_RETENTION_DAYS)
    old = Job.objects.filter(finished_at__lt=cutoff)
    count = 0
    for job in old.iterator():
        if job.result_file:
            job.result_file.delete(save=False)
        job.delete()
        count += 1
    return f"deleted {count} jobs finished before {cutoff:%Y-%m-%d}"


ORPHAN_MIN_AGE = timedelta(days=1)


def delete_files_older_than(
    storage: Any,
    directory: str,
    cutoff: datetime,
    keep: Callable[[str], set[str]] | None = None,
) -> int:
    """Delete the files below `directory` (recursively) last modified before `cutoff`, except
    those `keep(directory)` names for each folder; returns how many were deleted. A storage
    that cannot tell a file's age keeps it."""
    deleted = 0
    try:
        subdirs, files = storage.listdir(directory)
    except FileNotFoundError:
        return 0
    kept = keep(directory) if keep is not None else set()
    for name in files:
        path = f"{directory}{name}"
        if path in kept:
            continue
        try:
            modified = storage.get_modified_time(path)
        except (NotImplementedError, OSError):
            continue
        if modified < cutoff:
            storage.delete(path)
            deleted += 1
    for subdir in subdirs:
        deleted += delete_files_older_than(storage, f"{directory}{subdir}/", cutoff, keep)
    return deleted


@periodic("core.prune_orphan_attachments", every=MONTHLY)
def prune_orphan_attachments(today: date) -> str:
    """Delete files under attachments/ that no Attachment row names, older than ORPHAN_MIN_AGE.

    `attachment_add` deletes its file when it fails, but a transaction around it that rolls
    back later leaves the file behind. Files younger than a day are kept: their row may belong
    to a transaction that has not committed yet.
    """
    from .models import Attachment

    storage = Attachment._meta.get_field("file").storage
    cutoff = timezone.now() - ORPHAN_MIN_AGE

    def known(directory: str) -> set[str]:
        return set(
            Attachment.objects.filter(file__startswith=directory).values_list("file", flat=True)
        )

    deleted = delete_files_older_than(storage, "attachments/", cutoff, keep=known)
    return f"deleted {deleted} orphan attachment files older than {cutoff:%Y-%m-%d %H:%M}"
