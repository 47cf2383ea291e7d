"""Starting an import as a background job (the upload page and the API)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chumchon.core.models import Job

from ..permissions import can_import, import_areas
from .columns import KINDS, PEOPLE, SURVEYS
from .files import check_size, file_format
from .problems import FileRefused

JOB_KIND = "registry.import"
UPLOAD_DIR = "imports"


def kind_label(kind: str) -> str:
    if kind == SURVEYS:
        return _("household surveys")
    return _("households and people") if kind == PEOPLE else _("communities")


def check_upload(kind: str, uploaded: Any) -> None:
    """What can be refused before the job starts: kind, name, size."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _(
            "Choose what the file holds: communities, households and people, or household surveys."
        )
    if uploaded is None:
        errors["file"] = _("Choose a file to import.")
    else:
        # the same rules (and messages) as the import itself
        try:
            file_format(uploaded.name or "", b"")
            check_size(uploaded.size)
        except FileRefused as exc:
            errors["file"] = exc.problem.text(translation.get_language() or settings.LANGUAGE_CODE)
    if errors:
        raise ValidationError(errors)


def import_start(
    *,
    actor: Any,
    kind: str,
    uploaded: Any,
    dry_run: bool = False,
    draft: bool = False,
    replace_drafts: bool = False,
) -> Job:
    """Store the upload under the media root (the worker reads it there) and queue the job.
    `draft`, `replace_drafts`: options of a survey import (imports/surveys.py)."""
    from chumchon.core.jobs import job_enqueue

    from ..tasks import run_registry_import

    if not can_import(actor):
        raise PermissionDenied
    check_upload(kind, uploaded)
    extension = ".xlsx" if uploaded.name.lower().endswith(".xlsx") else ".csv"
    content = b"".join(uploaded.chunks())
    stored = default_storage.save(
        f"{UPLOAD_DIR}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}", ContentFile(content)
    )
    try:
        paths = import_areas(actor)
        area_path = paths[0] if paths and len(paths) == 1 else ""
        title = (
            _("Check %(what)s from %(name)s (dry run)")
            if dry_run
            else _("Import %(what)s from %(name)s")
        ) % {"what": kind_label(kind), "name": uploaded.name}
        return job_enqueue(
            actor=actor,
            task=run_registry_import,
            kind=JOB_KIND,
            title=title[:255],
            area_path=area_path,
            params={
                "kind": kind,
                "dry_run": bool(dry_run),
                "upload": stored,
                "filename": uploaded.name[:200],
                **(
                    {"options": {"draft": bool(draft), "replace_drafts": bool(replace_drafts)}}
                    if kind == SURVEYS
                    else {}
                ),
            },
        )
    except BaseException:
        # no job will ever read (and delete) the stored file: it holds personal data
        default_storage.delete(stored)
        raise
