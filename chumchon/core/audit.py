"""The one way services write the audit trail.

`record_event(actor=..., action=..., obj=..., changes=...)` appends an AuditEvent. Personal
fields in `changes` are masked: a model lists them in `PERSONAL_FIELDS`; a few names are
always personal. Services call `model_changes(before, after)` to build the diff.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEvent

ALWAYS_PERSONAL = frozenset(
    {"national_id", "national_id_hash", "password", "phone", "income", "birth_date", "token"}
)
MASK = "***"

_local = threading.local()


def set_request_ip(ip: str | None) -> None:
    _local.ip = ip


def current_ip() -> str | None:
    return getattr(_local, "ip", None)


def area_path_of(obj: Any) -> str:
    """The area path a record belongs to (the record's own path if it is an area)."""
    if obj is None:
        return ""
    if hasattr(obj, "path") and hasattr(obj, "kind_id"):
        return obj.path
    area = getattr(obj, "area", None)
    if area is not None and hasattr(area, "path"):
        return area.path
    return getattr(obj, "area_path", "") or ""


def personal_fields(obj_or_model: Any) -> frozenset[str]:
    declared = getattr(obj_or_model, "PERSONAL_FIELDS", ())
    return ALWAYS_PERSONAL | frozenset(declared)


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a record, for a before/after diff."""
    result: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        result[field.name] = _jsonable(getattr(obj, field.attname))
    return result


def model_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that differ."""
    before = before or {}
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value and name not in ("updated_at",)
    }


def mask_changes(changes: Mapping[str, Any], personal: frozenset[str]) -> dict[str, Any]:
    masked: dict[str, Any] = {}
    for name, value in changes.items():
        if name in personal:
            if isinstance(value, list | tuple):
                masked[name] = [MASK if v not in (None, "") else v for v in value]
            else:
                masked[name] = MASK
        else:
            masked[name] = _jsonable(value)
    return masked


def record_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    area_path: str | None = None,
    object_label: str | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=(user.get_username() if user else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_label=(object_label if object_label is not None else str(obj or ""))[:255],
        area_path=area_path if area_path is not None else area_path_of(obj),
        changes=mask_changes(changes or {}, personal_fields(obj)),
        reason=reason,
        ip_address=current_ip(),
    )
