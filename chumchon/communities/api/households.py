"""Households: a community's list, the scoped list, create, read (with members), edit, move."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from chumchon.accounts.scoping import require_perm
from chumchon.core.api import Page, PageParams, paginate

from .. import domain, services
from ..models import Community, Household
from ..permissions import (
    can_view_people,
    community_find_for,
    community_get_for,
    household_get_for,
    household_scope,
)
from ..schemas import (
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdMoveIn,
    HouseholdMoveOut,
    HouseholdOut,
    HouseholdPatch,
)
from ..selectors import community_households, household_members, with_head_and_members
from ..services import household_move_guarded as move_household_checked
from .common import ERRORS, fields_named, given, invalid, needs, router

FIELDS = {"community": "community_id"}
MOVE_FIELDS = {"to_community": "to_community_id", "community": "to_community_id"}


def _detail(household: Household) -> Household:
    household = (
        with_head_and_members(Household.objects.select_related("community__area"))
        .filter(pk=household.pk)
        .get()
    )
    household.members = list(household_members(household).select_related("person__area"))
    return household


@router.get("/communities/{community_id}/households/", response={200: Page[HouseholdOut], **ERRORS})
def list_community_households(request: HttpRequest, community_id: int, page: Query[PageParams]):
    """The households of one community, by house number, with head and member count."""
    community = community_get_for(request.auth, community_id)
    require_perm(request.auth, "people.view", community)
    return paginate(community_households(community).select_related("community__area"), page)


class HouseholdFilters(PageParams):
    community_id: int | None = None
    house_no: str | None = Field(None, description="exact house number")
    house_code: str | None = Field(None, description="house registration code (11 digits)")
    is_active: bool | None = None


@router.get("/households/", response={200: Page[HouseholdOut], **ERRORS})
def list_households(request: HttpRequest, filters: Query[HouseholdFilters]):
    """Households in the caller's reach (`people.view`)."""
    queryset = household_scope(request.auth).order_by("community__area__path", "house_no_key", "pk")
    if filters.community_id is not None:
        queryset = queryset.filter(community_id=filters.community_id)
    if filters.house_no:
        queryset = queryset.filter(
            house_no=domain.thai_digits_to_ascii(domain.clean_text(filters.house_no))
        )
    if filters.house_code:
        try:
            code = domain.normalize_house_code(filters.house_code)
        except ValueError:
            raise invalid("house_code", _("A house registration code has 11 digits.")) from None
        queryset = queryset.filter(house_code=code)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return paginate(with_head_and_members(queryset), filters)


@router.post(
    "/households/", response={201: HouseholdDetailOut, **ERRORS}, auth=needs("records.edit")
)
def create_household(request: HttpRequest, payload: HouseholdIn):
    """A household in a community where the caller may edit records (a community outside the
    caller's reach is unknown: 422)."""
    user = request.auth
    community = community_find_for(user, payload.community_id)
    if community is None:
        raise invalid(
            "community_id", _("No community with id %(id)s.") % {"id": payload.community_id}
        )
    require_perm(user, "records.edit", community)
    with fields_named(FIELDS):
        household = services.household_create(
            actor=user,
            community=community,
            house_no=payload.house_no,
            house_code=payload.house_code,
            address=payload.address.strip(),
            tenure=payload.tenure.strip(),
            condition=payload.condition.strip(),
        )
    return Status(201, _detail(household))


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, **ERRORS})
def get_household(request: HttpRequest, household_id: int):
    """One household with its current members (head first)."""
    household = household_get_for(request.auth, household_id)
    require_perm(request.auth, "people.view", household)
    return _detail(household)


@router.patch("/households/{household_id}", response={200: HouseholdDetailOut, **ERRORS})
def update_household(
    request: HttpRequest, household_id: int, payload: HouseholdPatch | None = None
):
    """Change a household: only the fields sent. `poor_override` (true/false, or null to clear)
    overrides the survey's poverty status and needs `poor_override_reason`; being welfare data,
    it also needs `personal.view_flags`."""
    payload = payload or HouseholdPatch()
    user = request.auth
    household = household_get_for(user, household_id)
    require_perm(user, "records.edit", household)
    values = given(payload)
    override = "poor_override" in values
    poor = values.pop("poor_override", None)
    reason = values.pop("poor_override_reason", None)
    if reason is not None and not override:
        raise invalid(
            "poor_override",
            _("Give poor_override (true, false or null) with poor_override_reason."),
        )
    if override:  # welfare data: written only by those who may read it
        require_perm(user, "personal.view_flags", household)
    changes = {name: (value or "").strip() for name, value in values.items()}
    with fields_named(FIELDS), transaction.atomic():
        if changes:
            services.household_update(actor=user, household=household, **changes)
        if override:
            services.household_set_poverty_override(
                actor=user, household=household, poor=poor, reason=reason or ""
            )
    return _detail(household)


@router.post("/households/{household_id}/move", response={200: HouseholdMoveOut, **ERRORS})
def move_household(request: HttpRequest, household_id: int, payload: HouseholdMoveIn | None = None):
    """Move a whole household (and its current members) to any community of the city. It then
    belongs to that community and district; the old district keeps a history line without
    names and no longer sees the household (404). Needs `records.edit` on the household."""
    payload = payload or HouseholdMoveIn()
    user = request.auth
    household = household_get_for(user, household_id)
    require_perm(user, "records.edit", household)
    if payload.to_community_id is None:
        raise invalid("to_community_id", _("Choose the community to move the household to."))
    # Deliberately city-wide: a household may move to any community; outside the caller's
    # reach the move is neutral (nothing about the target is answered).
    community = Community.objects.select_related("area").filter(pk=payload.to_community_id).first()
    if community is None:
        raise invalid(
            "to_community_id",
            _("No community with id %(id)s.") % {"id": payload.to_community_id},
        )
    with fields_named(MOVE_FIELDS):
        move_household_checked(
            actor=user,
            household=household,
            to_community=community,
            on=payload.moved_on,
            reason=payload.reason.strip(),
            neutral=not can_view_people(user, community),
        )
    move = (
        household.moves.filter(person__isnull=True)
        .select_related("from_area", "to_area")
        .order_by("-id")
        .first()
    )
    return {
        "household_id": household.pk,
        "masked_label": move.masked_label,
        "from_area_code": move.from_area.code,
        "to_area_code": move.to_area.code,
        "moved_on": move.moved_on,
    }
