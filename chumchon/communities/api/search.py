"""Search of the registry: GET /search?q= (names, house numbers, community codes; needs
`people.view` somewhere) and POST /search/national-id (exact, audited; the ID travels in the
body, never in a URL; needs `records.view`, which committee members do not hold). Results are
scoped to the caller's reach and masked as in the lists.
A valid ID that is unknown or outside the caller's reach answers 200 with no people: the two
cannot be told apart."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from ..models import Community, Household, Person
from ..permissions import can_view_national_ids
from ..search import COUNT_CAP, MAX_QUERY_LENGTH, SearchResults, search_registry
from .common import ERRORS, needs, router


class TextSearchIn(Schema):
    q: str = Field(
        "",
        description=f"part of a name (2 words: first and last name), a house number or a "
        f"community code; at most {MAX_QUERY_LENGTH} characters; Thai digits are accepted",
    )


class NationalIdSearchIn(Schema):
    national_id: str = Field("", description="13 digits (dashes, spaces, Thai digits accepted)")


class CommunityHit(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    district_code: str | None
    status: str = Field(description="active or dissolved")


class HouseholdHit(Schema):
    id: int
    house_no: str
    house_code: str
    community_id: int
    community_code: str
    community_name_th: str
    is_active: bool


class PersonHit(Schema):
    id: int
    prefix: str
    first_name: str
    last_name: str
    full_name: str
    national_id_masked: str | None = Field(
        description="masked (1-1017-xxxxx-xx-8); empty if none; null for users who may not "
        "see national IDs (committee members)"
    )
    status: str = Field(description="alive, deceased or moved_out")
    area_code: str = Field(description="the community (or district) the person belongs to")
    household_id: int | None
    house_no: str | None
    community_id: int | None
    community_name_th: str | None


class Hits(Schema):
    count: int = Field(description=f"matches in reach, counted up to {COUNT_CAP}")
    more: bool = Field(description=f"true when there are more than {COUNT_CAP} matches")


class CommunityHits(Hits):
    items: list[CommunityHit]


class HouseholdHits(Hits):
    items: list[HouseholdHit]


class PersonHits(Hits):
    items: list[PersonHit]


class SearchOut(Schema):
    q: str | None = Field(description="the text as searched (normalised); null for an ID search")
    communities: CommunityHits
    households: HouseholdHits
    people: PersonHits


def _community(community: Community) -> dict[str, Any]:
    area = community.area
    return {
        "id": community.pk,
        "code": area.code,
        "name_th": area.name_th,
        "name_en": area.name_en,
        "district_code": area.parent.code if area.parent_id else None,
        "status": community.status,
    }


def _household(household: Household) -> dict[str, Any]:
    area = household.community.area
    return {
        "id": household.pk,
        "house_no": household.house_no,
        "house_code": household.house_code,
        "community_id": household.community_id,
        "community_code": area.code,
        "community_name_th": area.name_th,
        "is_active": household.is_active,
    }


def _person(user: Any, person: Person) -> dict[str, Any]:
    household = person.household if person.household_id else None
    return {
        "id": person.pk,
        "prefix": person.prefix,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "national_id_masked": person.masked_national_id
        if can_view_national_ids(user, person)
        else None,
        "status": person.status,
        "area_code": person.area.code,
        "household_id": person.household_id,
        "house_no": household.house_no if household else None,
        "community_id": household.community_id if household else None,
        "community_name_th": household.community.area.name_th if household else None,
    }


def _out(user: Any, results: SearchResults) -> dict[str, Any]:
    return {
        "q": None if results.by_national_id else results.text,
        "communities": {
            "items": [_community(c) for c in results.communities],
            "count": results.community_count,
            "more": results.communities_more,
        },
        "households": {
            "items": [_household(h) for h in results.households],
            "count": results.household_count,
            "more": results.households_more,
        },
        "people": {
            "items": [_person(user, p) for p in results.people],
            "count": results.person_count,
            "more": results.people_more,
        },
    }


@router.get(
    "/search",
    response={200: SearchOut, **ERRORS},
    auth=needs("people.view"),
    url_name="search_registry",
    tags=["search"],
)
def search_text(request: HttpRequest, response: HttpResponse, params: Query[TextSearchIn]):
    """Communities, households and people in the caller's reach whose name, house number or
    code matches `q`: closest first (exact, starts with, a word starts with, contains), the
    first 20 of each kind, counts up to 1,000 (`more` beyond). A fragment of fewer than 3
    characters matches only the start of names. Empty or over 100 characters: 422."""
    add_never_cache_headers(response)
    return _out(request.auth, search_registry(request.auth, text=params.q))


@router.post(
    "/search/national-id",
    response={200: SearchOut, **ERRORS},
    auth=needs("records.view"),
    url_name="search_national_id",
    tags=["search"],
)
def search_national_id(request: HttpRequest, response: HttpResponse, payload: NationalIdSearchIn):
    """The person with this national ID, if in the caller's reach (exact match through the
    keyed hash; the search is audited with the ID masked). Needs `records.view` (who may see
    masked IDs; not committee members). Not a national ID: 422 naming `national_id`. Unknown,
    or outside the caller's reach: 200 with no people."""
    add_never_cache_headers(response)
    if not payload.national_id.strip():
        raise ValidationError({"national_id": _("Enter the 13-digit national ID number.")})
    return _out(request.auth, search_registry(request.auth, national_id=payload.national_id))
