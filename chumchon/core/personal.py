"""Personal data (PDPA): revealing a masked value is a logged act with a reason.

Callers check the permission (`personal.reveal`) through their app's permissions module first;
this records who saw which field of whose record, when and why, for the auditors.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .audit import area_path_of
from .models import RevealLog

MIN_REASON_LENGTH = 10


@transaction.atomic
def reveal_record(
    *, actor: Any, obj: models.Model, field: str, reason: str, subject_label: str | None = None
) -> RevealLog:
    """Log a reveal; refuses an empty or token reason (a reason is a sentence, not "x")."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {
                "reason": _(
                    "Say why you need to see this (at least %(n)d characters): the reason is "
                    "kept and read by auditors."
                )
                % {"n": MIN_REASON_LENGTH}
            },
            code="reason_required",
        )
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Only a logged-in user can reveal personal data."))
    return RevealLog.objects.create(
        actor=actor,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        subject_label=(subject_label if subject_label is not None else str(obj))[:255],
        field=field,
        reason=reason,
        area_path=area_path_of(obj),
    )
