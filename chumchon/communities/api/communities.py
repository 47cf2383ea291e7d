"""Communities: list, create, read, edit, dissolve."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from chumchon.accounts.scoping import require_perm
from chumchon.core.api import Page, PageParams, paginate
from chumchon.organizations.models import Area

from .. import services
from ..models import Community
from ..permissions import can_create_community_in, community_get_for, community_scope
from ..schemas import CommunityIn, CommunityOut, CommunityPatch, DissolveIn
from ..selectors import community_filter, with_registry_counts
from .common import (
    ERRORS,
    community_type,
    fields_named,
    forbidden_field,
    given,
    invalid,
    needs,
    router,
)

#: service field -> API field
FIELDS = {
    "declared_families": "families",
    "declared_households": "households",
    "declared_population": "population",
    "district": "district_code",
    "parent": "district_code",
}


def _with_counts(pk: int) -> Community:
    return with_registry_counts(
        Community.objects.select_related("area__parent", "type").filter(pk=pk)
    ).get()


class CommunityFilters(PageParams):
    district_code: str | None = Field(None, description="district code, e.g. 1001")
    zone_code: str | None = Field(None, description="zone code, e.g. BKK-01")
    type: str | None = Field(None, description="type code (slum, ...) or Thai label")
    status: Literal["active", "dissolved"] | None = None
    q: str | None = Field(None, description="part of the name, or the exact code")
    on: date | None = Field(
        None,
        description="ISO date: only the communities that existed that day (announced by then, "
        "not dissolved on or before it), with the registry counts as they were then",
    )


@router.get("/communities/", response={200: Page[CommunityOut], **ERRORS})
def list_communities(request: HttpRequest, filters: Query[CommunityFilters]):
    """Communities in the caller's reach (city, zone, district or the committee's own
    community), ordered by district and code. `families`, `households` and `population` are
    the counts declared by the district; `registry_households` and `registry_population` are
    counted from the registry. With `on`, the communities that existed that day and the
    registry counts as they were then."""
    if filters.type:
        community_type(filters.type)
    queryset = community_filter(
        community_scope(request.auth),
        zone=(filters.zone_code or "").strip(),
        district=(filters.district_code or "").strip(),
        type=(filters.type or "").strip(),
        status=filters.status or "",
        q=(filters.q or "").strip(),
    )
    if filters.on is not None:
        queryset = queryset.existing_on(filters.on)
    return paginate(with_registry_counts(queryset, on=filters.on), filters)


@router.post("/communities/", response={201: CommunityOut, **ERRORS}, auth=needs("records.edit"))
def create_community(request: HttpRequest, payload: CommunityIn):
    """Create a community under a district where the caller may edit records (a district
    outside that reach: 403; an unknown district: 422)."""
    user = request.auth
    code = payload.district_code.strip()
    # Area codes are public reference data: a district outside the caller's editing reach
    # is named in a 403 (below); the service checks that it is a district.
    district = Area.objects.select_related("kind").filter(code=code).first()
    if district is None:
        raise invalid("district_code", _("Unknown district “%(code)s”.") % {"code": code})
    if not can_create_community_in(user, district):
        return Status(
            *forbidden_field(
                "district_code",
                _("You cannot add communities in %(district)s.")
                % {"district": district.display_name},
            )
        )
    kind = community_type(payload.type)
    with fields_named(FIELDS, default="code"):
        community = services.community_create(
            actor=user,
            parent=district,
            code=payload.code,
            name_th=payload.name_th,
            name_en=payload.name_en,
            type=kind,
            declared_families=payload.families,
            declared_households=payload.households,
            declared_population=payload.population,
            announcement_no=payload.announcement_no.strip(),
            announced_on=payload.announced_on,
            address=payload.address.strip(),
            lat=services.to_coordinate(payload.lat),
            lng=services.to_coordinate(payload.lng),
        )
    return Status(201, _with_counts(community.pk))


@router.get("/communities/{community_id}", response={200: CommunityOut, **ERRORS})
def get_community(request: HttpRequest, community_id: int):
    """One community with its declared and registry counts."""
    community = community_get_for(request.auth, community_id)
    require_perm(request.auth, "areas.view", community)
    return _with_counts(community.pk)


@router.patch("/communities/{community_id}", response={200: CommunityOut, **ERRORS})
def update_community(
    request: HttpRequest, community_id: int, payload: CommunityPatch | None = None
):
    """Change the profile: only the fields sent. A `status` or `dissolved_on` is refused (422):
    dissolving is POST /api/v1/communities/{id}/dissolve."""
    payload = payload or CommunityPatch()
    user = request.auth
    community = community_get_for(user, community_id)
    require_perm(user, "records.edit", community)
    values = given(payload)
    for field in ("status", "dissolved_on"):
        if field in values:
            raise invalid(
                field,
                _(
                    "The status cannot be edited: dissolve the community with POST "
                    "/api/v1/communities/%(id)s/dissolve."
                )
                % {"id": community.pk},
            )
    changes = {}
    for api_name, value in values.items():
        if api_name == "type":
            if value is None:
                raise invalid("type", _("Choose the community type."))
            changes["type"] = community_type(value)
        elif api_name == "families":
            if value is None:
                raise invalid("families", _("Enter the number of families (0 or more)."))
            changes["declared_families"] = value
        elif api_name in ("households", "population"):
            changes[f"declared_{api_name}"] = value
        elif api_name in ("lat", "lng"):
            changes[api_name] = services.to_coordinate(value)
        elif api_name == "announced_on":
            changes[api_name] = value
        else:  # text fields: null clears
            changes[api_name] = (value or "").strip()
    with fields_named(FIELDS):
        services.community_update(actor=user, community=community, **changes)
    return _with_counts(community.pk)


@router.post("/communities/{community_id}/dissolve", response={200: CommunityOut, **ERRORS})
def dissolve_community(request: HttpRequest, community_id: int, payload: DissolveIn | None = None):
    """Dissolve a community (ยุบชุมชน): date, announcement and reason are required. The record,
    its households and its history stay. Needs `records.dissolve` (district head)."""
    payload = payload or DissolveIn()
    user = request.auth
    community = community_get_for(user, community_id)
    require_perm(user, "records.dissolve", community)
    with fields_named(FIELDS, default="status"):
        services.community_dissolve(
            actor=user,
            community=community,
            dissolved_on=payload.dissolved_on,
            announcement_no=payload.announcement_no,
            reason=payload.reason,
        )
    return _with_counts(community.pk)
