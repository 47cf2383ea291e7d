"""Periodic jobs of the registry (run by `manage.py run_periodic`).

An import's error sheet is the uploaded sheet itself (national IDs, names, birth dates) with
an errors column: it must not become a long-lived copy of personal data. Every day, the error
sheets of registry imports older than IMPORT_FILE_RETENTION_DAYS are deleted (the job page
then says so), and so is any stored upload that no worker picked up in that time (a worker
deletes the upload as soon as it has read it).

Every day too, the stored registry counts of every community are recomputed
(`refresh_registry_counts`): the writes keep them exact, this repairs any drift.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from chumchon.core.periodic import DAILY, delete_files_older_than, periodic

from .imports.start import JOB_KIND, UPLOAD_DIR

#: Days an import's error sheet (and an unread upload) is kept.
IMPORT_FILE_RETENTION_DAYS = 30


@periodic("communities.prune_import_files", every=DAILY)
def prune_import_files(today: date) -> str:
    from chumchon.core.models import Job

    cutoff = timezone.now() - timedelta(days=IMPORT_FILE_RETENTION_DAYS)
    sheets = 0
    old = (
        Job.objects.filter(kind=JOB_KIND)
        .exclude(result_file="")
        .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff))
    )
    for job in old.iterator():
        job.result_file.delete(save=False)
        job.result_file = ""
        job.save(update_fields=["result_file"])
        sheets += 1
    uploads = delete_files_older_than(default_storage, f"{UPLOAD_DIR}/", cutoff)
    return (
        f"deleted {sheets} import error sheets and {uploads} unread uploads "
        f"older than {cutoff:%Y-%m-%d}"
    )


@periodic("communities.refresh_registry_counts", every=DAILY)
def refresh_registry_counts(today: date) -> str:
    from django.db import transaction

    from .services import registry_counts_refresh

    with transaction.atomic():
        count = registry_counts_refresh(None)
    return f"refreshed the registry counts of {count} communities"
