from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from chumchon.core.api import ErrorOut, Page, PageParams, paginate

from .selectors import public_areas

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
