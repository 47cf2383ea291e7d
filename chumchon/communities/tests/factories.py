"""Registry test data, made through the services (so the rules hold in tests too)."""

from __future__ import annotations

import itertools
from datetime import date

from stdnum.th import pin

from chumchon.organizations.models import Area

from ..models import Community, CommunityType, Household, Person
from ..services import community_create, household_create, person_create

_serial = itertools.count(1)


def valid_national_id(seed: int | None = None, first: str = "1") -> str:
    """A 13-digit ID with a correct check digit: valid_national_id(7) -> "1000000000071"."""
    n = next(_serial) if seed is None else seed
    body = f"{first}{n:011d}"
    return body + pin.calc_check_digit(body)


def community_for_area(area: Area, type_code: str = "slum", families: int = 150) -> Community:
    """A registry record for an existing community area (the conftest `communities` areas)."""
    existing = Community.objects.filter(area=area).first()
    if existing:
        return existing
    community = Community(
        area=area, type=CommunityType.objects.get(code=type_code), declared_families=families
    )
    community.save()
    return community


def make_community(
    code: str | None = None, district: str = "1001", type_code: str = "slum", **values
) -> Community:
    code = code or f"TC-{next(_serial):04d}"
    return community_create(
        actor=None,
        parent=Area.objects.get(code=district),
        code=code,
        name_th=values.pop("name_th", f"ชุมชนทดสอบ {code}"),
        type=CommunityType.objects.get(code=type_code),
        declared_families=values.pop("declared_families", 150),
        **values,
    )


def make_household(community: Community, house_no: str | None = None, **values) -> Household:
    return household_create(
        actor=None, community=community, house_no=house_no or f"{next(_serial)}/1", **values
    )


def make_person(
    household: Household | None = None,
    *,
    area: Area | None = None,
    national_id: str | None = None,
    relation: str = "",
    in_house_registration: bool = True,
    since: date = date(2020, 1, 1),
    **values,
) -> Person:
    values.setdefault("first_name", "สมชาย")
    values.setdefault("last_name", "ใจดี")
    values.setdefault("prefix", "นาย")
    return person_create(
        actor=None,
        household=household,
        area=area,
        national_id=valid_national_id() if national_id is None else national_id,
        relation=relation,
        in_house_registration=in_house_registration if household else False,
        since=since if household else None,
        **values,
    )
