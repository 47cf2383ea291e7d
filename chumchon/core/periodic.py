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
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

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


def run_due(today: date | None = None, *, only: str | None = None) -> list[tuple[str, str]]:
    """Run every job not yet run for its current period. Returns [(name, outcome)]."""
    autodiscover()
    today = today or timezone.localdate()
    outcomes = []
    for job in sorted(REGISTRY.values(), key=lambda j: j.name):
        if only and job.name != only:
            continue
        period = period_key(job.every, today)
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(name=job.name, period=period)
        except IntegrityError:
            run = PeriodicRun.objects.get(name=job.name, period=period)
            stale = run.finished_at is None and timezone.now() - run.started_at > STALE_AFTER
            if run.ok or not (stale or run.finished_at is not None):
                outcomes.append((job.name, "skipped"))
                continue
            run.started_at = timezone.now()
            run.finished_at = None
            run.save()
        try:
            output = job.func(today) or ""
            run.ok = True
            outcome = "ok"
        except Exception:  # a job's failure is recorded, the others still run
            output = traceback.format_exc()
            run.ok = False
            outcome = "failed"
            logger.exception("periodic job %s failed", job.name)
        run.output = output[-10000:]
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
