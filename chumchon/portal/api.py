from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from chumchon.core.api import ErrorOut, Page, PageParams, paginate

from .permissions import can_view_audit
from .selectors import audit_events_for, jobs_for

router = Router(tags=["jobs and audit"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    done: int
    total: int
    percent: int
    messages: list[str]
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None

    @staticmethod
    def resolve_download_url(obj) -> str | None:
        return f"/jobs/{obj.pk}/download/" if obj.result_file else None


@router.get("/jobs/{job_id}", response={200: JobOut, 401: ErrorOut, 404: ErrorOut})
def get_job(request: HttpRequest, job_id: int):
    return get_object_or_404(jobs_for(request.auth), pk=job_id)


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    area_path: str
    changes: dict
    reason: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label


class AuditFilters(PageParams):
    action: str = ""
    area: str = ""


@router.get(
    "/audit-events/",
    response={200: Page[AuditEventOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def list_audit_events(request: HttpRequest, filters: Query[AuditFilters]):
    """Audit events in the caller's reach (auditors and administrators)."""
    if not can_view_audit(request.auth):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return paginate(
        audit_events_for(request.auth, action=filters.action, area=filters.area), filters
    )
