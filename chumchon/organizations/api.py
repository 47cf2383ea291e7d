from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.accounts.scoping import require_perm
from chumchon.core.api import ErrorOut, Page, PageParams, paginate

from .permissions import area_get_for
from .selectors import public_areas
from .services import area_export_start

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name_th: str
    name_en: str
    kind: str
    parent_code: str | None

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class AreaFilters(PageParams):
    kind: str | None = Field(None, description="level code: city, zone, district, community")
    parent_code: str | None = None


@router.get("/areas/", response={200: Page[AreaOut], 422: ErrorOut}, auth=None)
def list_areas(request: HttpRequest, filters: Query[AreaFilters]):
    """The area tree: open reference data (no login needed)."""
    qs = public_areas(kind=filters.kind, parent_code=filters.parent_code)
    return paginate(qs, filters)


@router.get("/areas/{code}", response={200: AreaOut, 404: ErrorOut}, auth=None)
def get_area(request: HttpRequest, code: str):
    return get_object_or_404(public_areas(), code=code)


class ExportIn(Schema):
    format: Literal["xlsx"] = "xlsx"


class JobStartedOut(Schema):
    job_id: int
    status: str
    url: str


@router.post(
    "/areas/{code}/export",
    response={
        202: JobStartedOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
)
def export_area(request: HttpRequest, code: str, payload: ExportIn | None = None):
    """Start an Excel export of the area's subtree; follow it at /api/v1/jobs/{job_id}."""
    area = area_get_for(request.auth, code)
    require_perm(request.auth, "jobs.run", area)
    job = area_export_start(actor=request.auth, area=area)
    return Status(202, {"job_id": job.pk, "status": job.status, "url": f"/api/v1/jobs/{job.pk}"})
