"""Files attached to records: size and type limits, stored under var/media, never served
directly (the download view checks the owning record's scope)."""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .audit import area_path_of, record_event
from .models import Attachment

logger = logging.getLogger(__name__)

# Leading bytes of the allowed types: a renamed executable is refused.
MAGIC = {
    ".pdf": [b"%PDF-"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".xlsx": [b"PK\x03\x04"],
    ".docx": [b"PK\x03\x04"],
}


def validate_upload(uploaded: Any) -> tuple[str, str]:
    """(extension, mime type) of an acceptable upload, or a ValidationError naming the problem."""
    name = PurePath(uploaded.name or "").name
    ext = PurePath(name).suffix.lower()
    allowed = settings.ATTACHMENT_ALLOWED_TYPES
    if ext not in allowed:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s: files of type %(ext)s are not accepted (accepted: %(allowed)s)."
                )
                % {"name": name, "ext": ext or "?", "allowed": ", ".join(sorted(allowed))}
            },
            code="file_type",
        )
    if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size).1f MB; the limit is %(limit).1f MB.")
                % {
                    "name": name,
                    "size": uploaded.size / 1048576,
                    "limit": settings.ATTACHMENT_MAX_BYTES / 1048576,
                }
            },
            code="file_size",
        )
    if uploaded.size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}}, code="empty")
    head = uploaded.read(16)
    uploaded.seek(0)
    signatures = MAGIC.get(ext)
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {"file": _("%(name)s is not really a %(ext)s file.") % {"name": name, "ext": ext}},
            code="file_content",
        )
    return ext, allowed[ext]


@transaction.atomic
def attachment_add(
    *, actor: Any, owner: models.Model, uploaded: Any, description: str = ""
) -> Attachment:
    """Store `uploaded` as an attachment of `owner`, audited.

    The record is validated before the file is written, so a refused upload leaves no file.
    If anything fails after the file is written (the row, the audit event), the file is
    deleted before the error propagates. A transaction around this call that rolls back after
    it returned still leaves the file behind: the monthly periodic job
    `core.prune_orphan_attachments` deletes such files.
    """
    _ext, mime = validate_upload(uploaded)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(owner),
        object_id=str(owner.pk),
        original_name=PurePath(uploaded.name).name[:255],
        mime_type=mime,
        size=uploaded.size,
        description=description[:255],
        uploaded_by=actor,
    )
    attachment.full_clean(exclude=["file"])
    attachment.file.save(uploaded.name, uploaded, save=False)
    try:
        attachment.full_clean()
        attachment.save()
        record_event(
            actor=actor,
            action="attachment.add",
            obj=owner,
            area_path=area_path_of(owner),
            changes={"file": attachment.original_name, "size": attachment.size},
        )
    except BaseException:
        try:
            attachment.file.delete(save=False)
        except Exception:  # the original error matters more; the prune job retries
            logger.warning("could not delete the file of a failed attachment", exc_info=True)
        raise
    return attachment


def attachments_of(owner: models.Model):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(owner), object_id=str(owner.pk)
    ).select_related("uploaded_by")
