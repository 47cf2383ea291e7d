"""API shapes of the registry (django-ninja schemas): what goes in and what comes out.

Personal data in answers follows `permissions.py`, per record: `national_id_masked` is null
for users without `records.view` there (committee members) and `flags` null without
`personal.view_flags`. The full national ID never appears, except from the logged reveal.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from chumchon.core.api import decimal_str

from . import permissions
from .models import Person
from .selectors import person_memberships

# --- communities -------------------------------------------------------------------------


class CommunityOut(Schema):
    id: int
    code: str = Field(description="unique across the installation, e.g. 1001-001 or HC001")
    district_code: str = Field(description="code of the parent area (the district)")
    district_name_th: str
    name_th: str
    name_en: str
    type: str = Field(description="type code: slum, suburban, housing, estate, urban, ...")
    type_name_th: str = Field(description="the type's Thai label, e.g. ชุมชนแออัด")
    families: int = Field(description="declared number of families (as reported by the district)")
    households: int | None = Field(
        description="declared number of households (as reported by the district); null if "
        "not declared. Compare `registry_households`."
    )
    population: int | None = Field(
        description="declared population (as reported by the district); null if not "
        "declared. Compare `registry_population`."
    )
    registry_households: int = Field(description="active households in the registry")
    registry_population: int = Field(
        description="living people currently in a household of the community, in the registry"
    )
    status: str = Field(description="active or dissolved")
    announcement_no: str = Field(description="number of the BMA announcement establishing it")
    announced_on: date | None
    address: str
    lat: str | None = Field(description="latitude, a string with 6 decimals")
    lng: str | None = Field(description="longitude, a string with 6 decimals")
    dissolved_on: date | None
    dissolution_announcement_no: str
    dissolution_reason: str

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.area.code

    @staticmethod
    def resolve_district_code(obj) -> str:
        return obj.area.parent.code if obj.area.parent_id else ""

    @staticmethod
    def resolve_district_name_th(obj) -> str:
        return obj.area.parent.name_th if obj.area.parent_id else ""

    @staticmethod
    def resolve_name_th(obj) -> str:
        return obj.area.name_th

    @staticmethod
    def resolve_name_en(obj) -> str:
        return obj.area.name_en

    @staticmethod
    def resolve_type(obj) -> str:
        return obj.type.code

    @staticmethod
    def resolve_type_name_th(obj) -> str:
        return obj.type.name_th

    @staticmethod
    def resolve_families(obj) -> int:
        return obj.declared_families

    @staticmethod
    def resolve_households(obj) -> int | None:
        return obj.declared_households

    @staticmethod
    def resolve_population(obj) -> int | None:
        return obj.declared_population

    @staticmethod
    def resolve_registry_households(obj) -> int:
        return getattr(obj, "registry_households", 0) or 0

    @staticmethod
    def resolve_registry_population(obj) -> int:
        return getattr(obj, "registry_population", 0) or 0

    @staticmethod
    def resolve_lat(obj) -> str | None:
        return decimal_str(obj.lat, 6)

    @staticmethod
    def resolve_lng(obj) -> str | None:
        return decimal_str(obj.lng, 6)


class CommunityIn(Schema):
    district_code: str = Field(description="the district (parent area) code, e.g. 1001")
    code: str = Field(description="a new code, unique across the installation")
    name_th: str
    name_en: str = ""
    type: str = Field(description="type code (slum, ...) or Thai label (ชุมชนแออัด, ...)")
    families: int = Field(ge=0, description="declared number of families")
    households: int | None = Field(None, ge=0, description="declared number of households")
    population: int | None = Field(None, ge=0, description="declared population")
    announcement_no: str = ""
    announced_on: date | None = Field(None, description="ISO date (Christian era)")
    address: str = ""
    lat: Decimal | None = Field(None, ge=-90, le=90)
    lng: Decimal | None = Field(None, ge=-180, le=180)


class CommunityPatch(Schema):
    """Only the fields sent are changed. `status` and `dissolved_on` are refused (422): use
    POST /api/v1/communities/{id}/dissolve."""

    name_th: str | None = None
    name_en: str | None = None
    type: str | None = Field(None, description="type code or Thai label")
    families: int | None = Field(None, ge=0)
    households: int | None = Field(None, ge=0)
    population: int | None = Field(None, ge=0)
    announcement_no: str | None = None
    announced_on: date | None = None
    address: str | None = None
    lat: Decimal | None = Field(None, ge=-90, le=90)
    lng: Decimal | None = Field(None, ge=-180, le=180)
    status: str | None = Field(None, description="refused: use the dissolve endpoint")
    dissolved_on: date | None = Field(None, description="refused: use the dissolve endpoint")


class DissolveIn(Schema):
    dissolved_on: date | None = Field(None, description="required; ISO date, not in the future")
    announcement_no: str = Field("", description="required: the dissolution announcement")
    reason: str = Field("", description="required")


# --- households --------------------------------------------------------------------------


class HouseholdOut(Schema):
    id: int
    community_id: int
    community_code: str
    house_no: str
    house_code: str = Field(description="house registration code (11 digits) or empty")
    address: str
    tenure: str
    condition: str
    poor_override: bool | None = Field(
        description="manual poverty status; null if none, and always null for users without "
        "personal.view_flags (welfare data)"
    )
    poor_override_reason: str | None = Field(
        description="why the manual status was set; null for users without personal.view_flags"
    )
    is_active: bool
    head_name: str = Field(description="the head of household's name, empty if none")
    member_count: int = Field(description="current members (open memberships)")

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.community.area.code

    @staticmethod
    def resolve_poor_override(obj, context) -> bool | None:
        return obj.poor_override if _household_flags(obj, context) else None

    @staticmethod
    def resolve_poor_override_reason(obj, context) -> str | None:
        return obj.poor_override_reason if _household_flags(obj, context) else None

    @staticmethod
    def resolve_head_name(obj) -> str:
        first = getattr(obj, "head_first_name", None) or ""
        last = getattr(obj, "head_last_name", None) or ""
        return " ".join(p for p in (first, last) if p)

    @staticmethod
    def resolve_member_count(obj) -> int:
        return getattr(obj, "member_count", 0) or 0


class MemberOut(Schema):
    person_id: int
    name: str
    relation: str
    in_house_registration: bool
    since: date
    national_id_masked: str | None = Field(description="null for committee members")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_national_id_masked(obj, context) -> str | None:
        return _masked_id(obj.person, context)


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]


class HouseholdIn(Schema):
    community_id: int
    house_no: str
    house_code: str = Field("", description="11 digits (spaces, dashes, Thai digits accepted)")
    address: str = ""
    tenure: str = Field("", description="owner, owner_house, rent, free, encroach, other")
    condition: str = Field("", description="good, fair, poor")


class HouseholdPatch(Schema):
    """Only the fields sent are changed. `poor_override` (true, false or null to clear) needs
    `poor_override_reason` of at least 10 characters."""

    house_no: str | None = None
    house_code: str | None = None
    address: str | None = None
    tenure: str | None = None
    condition: str | None = None
    poor_override: bool | None = None
    poor_override_reason: str | None = None


# --- people ------------------------------------------------------------------------------


def _user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "auth", None)


def _household_flags(household: Any, context: Any) -> bool:
    """The manual poverty status is welfare data (`personal.view_flags`). The community's area
    is the household's and is already loaded with every household answer."""
    return permissions.can_view_welfare_flags(_user(context), household.community.area)


def _masked_id(person: Person, context: Any) -> str | None:
    if not permissions.can_view_national_ids(_user(context), person):
        return None
    return person.masked_national_id


class FlagsOut(Schema):
    elderly: bool = Field(description="computed: 60 or older today")
    disability_card: str
    disability_type: str
    bedridden: bool
    chronic_illness: bool
    child_in_need: bool
    disaster_victim: bool
    sensitive_legal_basis: str = Field(description="legal basis for health and disability data")


class PersonOut(Schema):
    id: int
    national_id_masked: str | None = Field(
        description="masked (1-1017-xxxxx-xx-8); empty if none; null for users who may not "
        "see national IDs (committee members). The full number: POST .../reveal"
    )
    missing_id_reason: str
    prefix: str
    first_name: str
    last_name: str
    full_name: str
    sex: str = Field(description="M, F or empty")
    birth_date: date | None = Field(
        description="null for users who may not see national IDs (committee members): they get "
        "`age` only"
    )
    birth_year_estimated: bool
    age: int | None
    nationality: str
    phone: str | None = Field(description="null for committee members (as national IDs)")
    status: str = Field(description="alive, deceased or moved_out")
    status_on: date | None
    moved_to: str
    quick_registered: bool
    area_code: str = Field(description="the community (or district) the person belongs to")
    household_id: int | None
    community_id: int | None
    relation: str = Field(description="relation to the head in the current household")
    in_house_registration: bool | None = Field(
        description="name in the house registration of the current household (null: none)"
    )
    since: date | None = Field(description="start of the current household membership")
    flags: FlagsOut | None = Field(
        description="welfare flags; null for users without personal.view_flags"
    )

    @staticmethod
    def resolve_national_id_masked(obj, context) -> str | None:
        return _masked_id(obj, context)

    @staticmethod
    def resolve_birth_date(obj, context) -> date | None:
        staff = permissions.can_view_national_ids(_user(context), obj)
        return obj.birth_date if staff else None

    @staticmethod
    def resolve_phone(obj, context) -> str | None:
        return obj.phone if permissions.can_view_national_ids(_user(context), obj) else None

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area.code

    @staticmethod
    def resolve_community_id(obj) -> int | None:
        return obj.household.community_id if obj.household_id else None

    @staticmethod
    def resolve_relation(obj) -> str:
        membership = _open_membership(obj)
        return membership.relation if membership else ""

    @staticmethod
    def resolve_in_house_registration(obj) -> bool | None:
        membership = _open_membership(obj)
        return membership.in_house_registration if membership else None

    @staticmethod
    def resolve_since(obj) -> date | None:
        membership = _open_membership(obj)
        return membership.since if membership else None

    @staticmethod
    def resolve_flags(obj, context) -> dict[str, Any] | None:
        if not permissions.can_view_welfare_flags(_user(context), obj):
            return None
        return {
            "elderly": obj.is_elderly,
            "disability_card": obj.disability_card,
            "disability_type": obj.disability_type,
            "bedridden": obj.bedridden,
            "chronic_illness": obj.chronic_illness,
            "child_in_need": obj.child_in_need,
            "disaster_victim": obj.disaster_victim,
            "sensitive_legal_basis": obj.sensitive_legal_basis,
        }


def _open_membership(person: Person):
    """The current membership, from the list prefetched as `open_memberships` (or a query)."""
    cached = getattr(person, "open_memberships", None)
    if cached is not None:
        return cached[0] if cached else None
    membership = person.memberships.filter(until__isnull=True).first()
    person.open_memberships = [membership] if membership else []
    return membership


class MembershipOut(Schema):
    household_id: int
    community_code: str
    house_no: str
    relation: str
    in_house_registration: bool
    since: date
    until: date | None

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.household.community.area.code

    @staticmethod
    def resolve_house_no(obj) -> str:
        return obj.household.house_no


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut] = Field(
        description="dated household memberships, latest first"
    )

    @staticmethod
    def resolve_memberships(obj) -> list:
        return list(person_memberships(obj))


class _FlagsIn(Schema):
    disability_card: str | None = None
    disability_type: str | None = Field(
        None,
        description="visual, hearing, physical, mental, intellectual, learning, autism",
    )
    bedridden: bool | None = None
    chronic_illness: bool | None = None
    child_in_need: bool | None = None
    disaster_victim: bool | None = None
    sensitive_legal_basis: str | None = Field(
        None,
        description="consent, social_protection or vital_interest: required with health or "
        "disability data",
    )


class PersonIn(_FlagsIn):
    household_id: int | None = Field(None, description="the household (give this or area_code)")
    area_code: str | None = Field(
        None,
        description="for a person in no household: the district (or community) code",
    )
    national_id: str = Field("", description="13 digits; or give missing_id_reason")
    missing_id_reason: str = Field("", description="not_issued, foreign or unknown")
    prefix: str = ""
    first_name: str
    last_name: str = ""
    sex: str = Field("", description="M/F or ชาย/หญิง")
    birth_date: date | None = None
    nationality: str = "ไทย"
    phone: str = ""
    relation: str = Field("", description="code (head, spouse, child, ...) or Thai word")
    in_house_registration: bool = False
    since: date | None = Field(None, description="membership start; today if not given")


class PersonPatch(_FlagsIn):
    """Only the fields sent are changed. `national_id: ""` removes the ID (give
    `missing_id_reason`). `status` is refused: use POST /api/v1/people/{id}/status."""

    national_id: str | None = None
    missing_id_reason: str | None = None
    prefix: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    nationality: str | None = None
    phone: str | None = None
    relation: str | None = None
    in_house_registration: bool | None = None
    since: date | None = None
    status: str | None = Field(None, description="refused: use the status endpoint")


class QuickIn(Schema):
    area_code: str | None = Field(None, description="required: district (or community) code")
    first_name: str = ""
    last_name: str = ""
    approximate_age: int | None = Field(None, description="0 to 130")
    sex: str = Field("", description="M/F or ชาย/หญิง")
    missing_id_reason: str = Field("unknown", description="not_issued, foreign or unknown")
    phone: str = ""


class MoveIn(Schema):
    """Either `to_household_id` (a household in the caller's reach), or `to_community_id` and
    `house_no` (any community of the city: the person joins the household with that house
    number there, or a new one made with it)."""

    to_household_id: int | None = Field(
        None, description="a household in the caller's reach (or give to_community_id)"
    )
    to_community_id: int | None = Field(
        None, description="any community of the city, with house_no (or give to_household_id)"
    )
    house_no: str = Field("", description="with to_community_id: the house number there")
    moved_on: date | None = Field(None, description="required; not in the future")
    relation: str = Field("", description="relation to the head in the new household")
    in_house_registration: bool = True
    reason: str = ""


class MoveOut(Schema):
    person_id: int
    masked_label: str
    from_area_code: str
    to_area_code: str = Field(description="the code of the community moved to")
    to_household_id: int | None = Field(
        description="null when the household is outside the caller's reach"
    )
    moved_on: date


class StatusIn(Schema):
    status: str | None = Field(None, description="required: deceased, moved_out or alive")
    status_on: date | None = Field(None, description="required: the date of the change")
    moved_to: str = Field("", description="required for moved_out: where to")


class RevealIn(Schema):
    reason: str = Field("", description="required: why (at least 10 characters); logged")


class RevealOut(Schema):
    person_id: int
    national_id: str = Field(description="the full number, 1-2345-67890-12-3")


# --- household moves and subject-access reports -------------------------------------------


class HouseholdMoveIn(Schema):
    to_community_id: int | None = Field(
        None, description="required: any community of the city (names are public)"
    )
    moved_on: date | None = Field(None, description="required; not in the future")
    reason: str = ""


class HouseholdMoveOut(Schema):
    household_id: int
    masked_label: str = Field(description="the history line kept by the old district")
    from_area_code: str
    to_area_code: str = Field(description="the code of the community moved to")
    moved_on: date


class SubjectAccessIn(Schema):
    reason: str = Field(
        "", description="required: the request or case reference (at least 10 characters); logged"
    )


class SubjectPersonOut(Schema):
    """Every stored field of the person, the full national ID included."""

    national_id: str = Field(description="the full number (1-2345-67890-12-3), empty if none")
    missing_id_reason: str
    prefix: str
    first_name: str
    last_name: str
    sex: str
    birth_date: date | None
    birth_year_estimated: bool
    nationality: str
    phone: str
    status: str
    status_on: date | None
    moved_to: str
    quick_registered: bool
    disability_card: str
    disability_type: str
    bedridden: bool
    chronic_illness: bool
    child_in_need: bool
    disaster_victim: bool
    sensitive_legal_basis: str
    welfare_flags: list[str] = Field(description="codes of the flags that hold today")
    area_code: str
    area_name: str
    household_id: int | None
    created_at: datetime
    updated_at: datetime


class SubjectMembershipOut(MembershipOut):
    community_name: str
    house_code: str

    @staticmethod
    def resolve_community_name(obj) -> str:
        return obj.household.community.area.name_th

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.household.house_code


class SubjectMoveOut(Schema):
    moved_on: date
    from_area_code: str
    from_area_name: str
    to_area_code: str
    to_area_name: str
    reason: str


class SubjectEventOut(Schema):
    at: datetime
    actor: str
    action: str
    changes: dict[str, Any] = Field(description="what changed (national IDs masked)")
    reason: str


class SubjectRevealOut(Schema):
    at: datetime
    actor: str
    field: str
    reason: str


class SubjectVersionOut(Schema):
    at: datetime
    type: str = Field(description="+ created, ~ changed, - deleted")
    user: str


class SubjectAccessOut(Schema):
    """Everything held on one person (PDPA subject access), as the page's report."""

    person_id: int
    reason: str = Field(description="the reason given, as logged")
    person: SubjectPersonOut
    memberships: list[SubjectMembershipOut]
    moves: list[SubjectMoveOut]
    events: list[SubjectEventOut] = Field(description="audit events about the person")
    reveals: list[SubjectRevealOut] = Field(
        description="who saw the person's personal data, when and why (this request included)"
    )
    versions: list[SubjectVersionOut] = Field(description="versions of the record")
