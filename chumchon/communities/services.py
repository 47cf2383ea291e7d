"""Every write to the registry: keyword-only, `actor` first, atomic, validated, audited.

Imports, views, the API and the demo loader all call these, so the rules hold everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import model_changes, record_event, snapshot
from chumchon.core.dates import format_date
from chumchon.core.national_id import (
    mask_national_id,
    national_id_hash,
    validate_national_id,
)
from chumchon.core.personal import reveal_record
from chumchon.organizations.models import Area, AreaKind
from chumchon.organizations.services import area_create, area_update, validate_area_code

from . import domain
from .models import Community, CommunityCount, CommunityType, Household, Membership, Move, Person
from .selectors import registry_counts_today

COMMUNITY_FIELDS = (
    "type",
    "announcement_no",
    "announced_on",
    "address",
    "lat",
    "lng",
    "declared_families",
    "declared_households",
    "declared_population",
)
HOUSEHOLD_FIELDS = ("house_no", "house_code", "address", "tenure", "condition")
PERSON_FIELDS = (
    "prefix",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "nationality",
    "phone",
    "missing_id_reason",
    "disability_card",
    "disability_type",
    "bedridden",
    "chronic_illness",
    "child_in_need",
    "disaster_victim",
    "sensitive_legal_basis",
)
SENSITIVE_FIELDS = ("disability_card", "disability_type", "bedridden", "chronic_illness")


def _today() -> date:
    return timezone.localdate()


def _not_in_future(field: str, value: date | None) -> None:
    if value is not None and value > _today():
        raise ValidationError({field: _("The date cannot be in the future.")}, code="future")


# --- stored registry counts --------------------------------------------------------------


@transaction.atomic
def registry_counts_refresh(community_ids: Iterable[int | None] | None) -> int:
    """Recompute the stored counts (`CommunityCount`) of these communities (every community:
    None) from the registry, exactly: called in the transaction of every write that can change
    them (households made, moved, (de)activated; people made, moved, dead or moved out;
    imports), so the count commits with the write.

    The rows are locked first (created with zeros when missing, then SELECT ... FOR UPDATE in id
    order): two writers of one community serialise there, and on PostgreSQL (READ COMMITTED)
    the second one's counting queries, which start after the first has committed, see the
    first one's rows. Two grouped queries count every community of the set at once. Returns how
    many communities were refreshed."""
    if community_ids is None:
        ids = list(Community.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted({pk for pk in community_ids if pk is not None})
    if not ids:
        return 0
    CommunityCount.objects.bulk_create(
        [CommunityCount(community_id=pk) for pk in ids], ignore_conflicts=True, batch_size=1000
    )
    locked = CommunityCount.objects.select_for_update().order_by("pk")
    if community_ids is not None:
        locked = locked.filter(pk__in=ids)
    rows = list(locked)
    live = registry_counts_today(None if community_ids is None else ids)
    now = timezone.now()
    for row in rows:
        row.households, row.population = live.get(row.pk, (0, 0))
        row.updated_at = now
    CommunityCount.objects.bulk_update(
        rows, ["households", "population", "updated_at"], batch_size=500
    )
    return len(rows)


def _household_community_ids(person: Person) -> set[int]:
    """The community of the person's open membership (before a change), if any."""
    return set(
        Membership.objects.filter(person=person, until__isnull=True).values_list(
            "household__community_id", flat=True
        )
    )


# --- communities -------------------------------------------------------------------------


def _check_parent(parent: Area) -> None:
    """A community hangs under the level just above communities: a district in Bangkok, the
    city itself in a municipality without districts; never under an area with sub-areas of
    another level (a city with zones) or under a community."""
    other_levels = parent.children.exclude(kind__code="community").exists()
    if parent.kind.code == "community" or other_levels:
        raise ValidationError(
            {
                "district": _(
                    "A community belongs to a district (or to a municipality without "
                    "districts): choose the level just above communities."
                )
            },
            code="parent_kind",
        )


def _check_community(community: Community) -> None:
    _not_in_future("announced_on", community.announced_on)
    for field in ("declared_families", "declared_households", "declared_population"):
        value = getattr(community, field)
        if value is not None and value < 0:
            raise ValidationError({field: _("A count cannot be negative.")}, code="negative")
    for field, limit in (("lat", 90), ("lng", 180)):
        value = getattr(community, field)
        if value is not None and not -limit <= value <= limit:
            raise ValidationError(
                {field: _("Must be between -%(limit)d and %(limit)d degrees.") % {"limit": limit}},
                code="range",
            )
    if (community.lat is None) != (community.lng is None):
        raise ValidationError(
            {"lng": _("Give both latitude and longitude, or neither.")}, code="half_location"
        )
    community.full_clean(exclude=["area"])


@transaction.atomic
def community_create(
    *,
    actor: Any,
    parent: Area,
    code: str,
    name_th: str,
    type: CommunityType,
    name_en: str = "",
    declared_families: int = 0,
    **values: Any,
) -> Community:
    """A new community: a leaf area under `parent` (a district) and its registry record."""
    unknown = set(values) - set(COMMUNITY_FIELDS)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    code = (code or "").strip()
    name_th = (name_th or "").strip()
    _check_parent(parent)
    validate_area_code(code)
    if Area.objects.filter(code=code).exists():
        raise ValidationError(
            {
                "code": _("The code %(code)s is already used by another area or community.")
                % {"code": code}
            },
            code="duplicate_code",
        )
    if not name_th:
        raise ValidationError({"name_th": _("Enter the Thai name.")}, code="required")
    community = Community(type=type, declared_families=declared_families, **values)
    _check_community(community)
    area = area_create(
        actor=actor,
        code=code,
        name_th=name_th,
        name_en=(name_en or "").strip(),
        kind=AreaKind.objects.get(code="community"),
        parent=parent,
    )
    community.area = area  # validated above (except the new area, unique by construction)
    community.save()
    registry_counts_refresh([community.pk])  # its row, with zeros
    record_event(actor=actor, action="community.create", obj=community, changes=snapshot(community))
    return community


@transaction.atomic
def community_register_area(
    *, actor: Any, area: Area, type: CommunityType, declared_families: int = 0, **values: Any
) -> Community:
    """Give an existing community-level area (loaded by `load_areas`, or made before the
    registry) its registry record, with the same checks as `community_create`."""
    unknown = set(values) - set(COMMUNITY_FIELDS)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    if area.kind.code != "community" or area.parent is None:
        raise ValidationError(
            {"area": _("Only an area of the community level can be registered as a community.")},
            code="not_community_level",
        )
    if Community.objects.filter(area=area).exists():
        raise ValidationError(
            {"area": _("This area is already registered as a community.")}, code="registered"
        )
    _check_parent(area.parent)
    community = Community(area=area, type=type, declared_families=declared_families, **values)
    _check_community(community)
    community.save()
    registry_counts_refresh([community.pk])
    record_event(actor=actor, action="community.create", obj=community, changes=snapshot(community))
    return community


@transaction.atomic
def community_update(*, actor: Any, community: Community, **values: Any) -> Community:
    """Change the profile; names go to the community's area. Status changes only by
    `community_dissolve`."""
    if "status" in values or "dissolved_on" in values:
        raise ValidationError(
            {"status": _("The status cannot be edited: dissolve the community instead.")},
            code="status_readonly",
        )
    area_values = {k: (values.pop(k) or "").strip() for k in ("name_th", "name_en") if k in values}
    unknown = set(values) - set(COMMUNITY_FIELDS)
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if "name_th" in area_values and not area_values["name_th"]:
        raise ValidationError({"name_th": _("Enter the Thai name.")}, code="required")
    before = {
        **snapshot(community),
        "name_th": community.area.name_th,
        "name_en": community.area.name_en,
    }
    for name, value in values.items():
        setattr(community, name, value)
    _check_community(community)
    community.save()
    if area_values:
        area_update(actor=actor, area=community.area, **area_values)
    after = {
        **snapshot(community),
        "name_th": community.area.name_th,
        "name_en": community.area.name_en,
    }
    changes = model_changes(before, after)
    if changes:
        record_event(actor=actor, action="community.update", obj=community, changes=changes)
    return community


@transaction.atomic
def community_dissolve(
    *, actor: Any, community: Community, dissolved_on: date, announcement_no: str, reason: str
) -> Community:
    """Dissolve (ยุบชุมชน): the record, its households and history stay."""
    locked = Community.objects.select_for_update().get(pk=community.pk)
    errors: dict[str, str] = {}
    if locked.is_dissolved:
        raise ValidationError(_("This community is already dissolved."), code="dissolved")
    if dissolved_on is None:
        errors["dissolved_on"] = _("Enter the date of dissolution.")
    elif dissolved_on > _today():
        errors["dissolved_on"] = _("The date cannot be in the future.")
    elif community.announced_on and dissolved_on < community.announced_on:
        errors["dissolved_on"] = _("A community cannot be dissolved before it was announced.")
    if not (announcement_no or "").strip():
        errors["announcement_no"] = _("Enter the number of the dissolution announcement.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the community is dissolved.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(community)
    community.status = Community.Status.DISSOLVED
    community.dissolved_on = dissolved_on
    community.dissolution_announcement_no = announcement_no.strip()
    community.dissolution_reason = reason.strip()
    community.full_clean()
    community.save()
    area_update(actor=actor, area=community.area, is_active=False)
    record_event(
        actor=actor,
        action="community.dissolve",
        obj=community,
        changes=model_changes(before, snapshot(community)),
        reason=reason.strip(),
    )
    return community


# --- households --------------------------------------------------------------------------


def _clean_household(household: Household, *, joining: bool = False) -> None:
    """`joining`: the household is new in its community (created or moved in), which a
    dissolved community refuses; editing a household of a dissolved community is fine."""
    try:
        household.house_code = domain.normalize_house_code(household.house_code)
    except ValueError:
        raise ValidationError(
            {"house_code": _("A house registration code has 11 digits.")}, code="house_code"
        ) from None
    household.house_no = domain.thai_digits_to_ascii(domain.clean_text(household.house_no))
    if not household.house_no:
        raise ValidationError({"house_no": _("Enter the house number.")}, code="required")
    if joining and household.community.is_dissolved:
        raise ValidationError(
            {"community": _("The community is dissolved: it takes no new households.")},
            code="dissolved",
        )
    clash = Household.objects.exclude(pk=household.pk)
    if household.house_code and clash.filter(house_code=household.house_code).exists():
        raise ValidationError(
            {"house_code": _("Another household has this house registration code.")},
            code="duplicate_house_code",
        )
    if (
        not household.house_code
        and clash.filter(
            community=household.community, house_no=household.house_no, house_code=""
        ).exists()
    ):
        raise ValidationError(
            {"house_no": _("This community already has a household with this house number.")},
            code="duplicate_house_no",
        )
    household.full_clean()


@transaction.atomic
def household_create(
    *, actor: Any, community: Community, house_no: str, **values: Any
) -> Household:
    unknown = set(values) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    household = Household(community=community, area=community.area, house_no=house_no, **values)
    _clean_household(household, joining=True)
    household.save()
    registry_counts_refresh([household.community_id])
    record_event(actor=actor, action="household.create", obj=household, changes=snapshot(household))
    return household


@transaction.atomic
def household_update(*, actor: Any, household: Household, **values: Any) -> Household:
    unknown = set(values) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    before = snapshot(household)
    for name, value in values.items():
        setattr(household, name, value)
    _clean_household(household)
    household.save()
    changes = model_changes(before, snapshot(household))
    if "is_active" in changes:  # only active households count
        registry_counts_refresh([household.community_id])
    if changes:
        record_event(actor=actor, action="household.update", obj=household, changes=changes)
    return household


@transaction.atomic
def household_set_poverty_override(
    *, actor: Any, household: Household, poor: bool | None, reason: str
) -> Household:
    """Mark a household poor (or not poor) by hand, against what the survey says; None clears
    the override. A reason is required to set one."""
    reason = (reason or "").strip()
    if poor is not None and len(reason) < 10:
        raise ValidationError(
            {"poor_override_reason": _("Say why (at least 10 characters): the reason is kept.")},
            code="reason_required",
        )
    before = snapshot(household)
    household.poor_override = poor
    household.poor_override_reason = reason if poor is not None else ""
    household.save(update_fields=["poor_override", "poor_override_reason", "updated_at"])
    record_event(
        actor=actor,
        action="household.poverty_override",
        obj=household,
        changes=model_changes(before, snapshot(household)),
        reason=reason,
    )
    return household


# --- people ------------------------------------------------------------------------------


def _set_national_id(person: Person, national_id: str | None) -> None:
    text = domain.clean_text(national_id)
    if not text:
        person.national_id = ""
        person.national_id_hash = None
        return
    number = validate_national_id(text)
    person.national_id = number
    person.national_id_hash = national_id_hash(number)


def find_person_by_national_id(national_id: str) -> Person | None:
    number = validate_national_id(national_id)
    return Person.objects.filter(national_id_hash=national_id_hash(number)).first()


def _clean_person(person: Person) -> None:
    errors: dict[str, Any] = {}
    person.first_name = domain.clean_text(person.first_name)
    person.last_name = domain.clean_text(person.last_name)
    if not person.first_name:
        errors["first_name"] = _("Enter the first name.")
    if not person.national_id and not person.missing_id_reason:
        errors["missing_id_reason"] = _(
            "Enter the national ID, or say why there is none (not yet issued, foreign, unknown)."
        )
    if person.national_id and person.missing_id_reason:
        person.missing_id_reason = ""
    if person.birth_date and person.birth_date > _today():
        errors["birth_date"] = _("The date cannot be in the future.")
    sensitive = any(getattr(person, f) for f in SENSITIVE_FIELDS)
    if sensitive and not person.sensitive_legal_basis:
        errors["sensitive_legal_basis"] = _(
            "Health and disability data are sensitive: record the legal basis for keeping them."
        )
    if errors:
        raise ValidationError(errors)
    if person.national_id_hash:
        clash = Person.objects.filter(national_id_hash=person.national_id_hash)
        if person.pk:
            clash = clash.exclude(pk=person.pk)
        if clash.exists():
            raise ValidationError(
                {"national_id": _("A person with this national ID is already registered.")},
                code="duplicate_national_id",
            )
    person.full_clean(exclude=["national_id_hash", "area"])


def _person_snapshot(person: Person) -> dict[str, Any]:
    data = snapshot(person)
    data["national_id"] = mask_national_id(person.national_id)
    data.pop("national_id_hash", None)
    return data


def _open_membership(person: Person) -> Membership | None:
    return person.memberships.filter(until__isnull=True).select_related("household").first()


def _check_head(household: Household, relation: str, exclude_person: Person | None = None) -> None:
    if relation != domain.HEAD:
        return
    heads = Membership.objects.filter(household=household, until__isnull=True, relation=domain.HEAD)
    if exclude_person is not None and exclude_person.pk:
        heads = heads.exclude(person=exclude_person)
    if heads.exists():
        raise ValidationError(
            {"relation": _("This household already has a head.")}, code="second_head"
        )


def _join(
    *,
    person: Person,
    household: Household,
    relation: str,
    in_house_registration: bool,
    since: date | None,
) -> Membership:
    since = since or _today()
    _not_in_future("since", since)
    _check_head(household, relation, person)
    membership = Membership(
        person=person,
        household=household,
        relation=relation,
        in_house_registration=in_house_registration,
        since=since,
    )
    membership.full_clean()
    membership.save()
    return membership


def _leave(person: Person, on: date) -> Membership | None:
    membership = _open_membership(person)
    if membership is None:
        return None
    if on < membership.since:
        raise ValidationError(
            {
                "moved_on": _("The date is before the person joined the household (%(since)s).")
                % {"since": format_date(membership.since, "numeric")}
            },
            code="before_since",
        )
    membership.until = on
    membership.save(update_fields=["until"])
    return membership


@transaction.atomic
def person_create(
    *,
    actor: Any,
    household: Household | None = None,
    area: Area | None = None,
    national_id: str | None = "",
    relation: str = "",
    in_house_registration: bool = False,
    since: date | None = None,
    quick: bool = False,
    **values: Any,
) -> Person:
    """A person in a household (with a dated membership), or, with `area` and no household,
    a person known to a district only (quick registration)."""
    unknown = set(values) - set(PERSON_FIELDS) - {"birth_year_estimated"}
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    if household is None and area is None:
        raise ValueError("a person needs a household or an area")
    if household is not None and household.community.is_dissolved:
        raise ValidationError(
            {"household": _("The community is dissolved: it takes no new members.")},
            code="dissolved",
        )
    person = Person(
        household=household,
        area=household.area if household is not None else area,
        quick_registered=quick,
        **values,
    )
    _set_national_id(person, national_id)
    _clean_person(person)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError(
            {"national_id": _("A person with this national ID is already registered.")},
            code="duplicate_national_id",
        ) from None
    if household is not None:
        _join(
            person=person,
            household=household,
            relation=relation,
            in_house_registration=in_house_registration,
            since=since,
        )
        registry_counts_refresh([household.community_id])
    record_event(actor=actor, action="person.create", obj=person, changes=_person_snapshot(person))
    return person


@transaction.atomic
def person_update(
    *, actor: Any, person: Person, national_id: str | None = None, **values: Any
) -> Person:
    """Change a person's details. `national_id=None` leaves it; "" removes it (a reason for the
    missing ID is then required)."""
    membership_values = {
        k: values.pop(k) for k in ("relation", "in_house_registration", "since") if k in values
    }
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    meaningful = {k: v for k, v in membership_values.items() if v not in (None, "", False)}
    if meaningful and _open_membership(person) is None:
        raise ValidationError(
            {sorted(meaningful)[0]: _("The person is in no household: move them into one first.")},
            code="no_household",
        )
    before = _person_snapshot(person)
    for name, value in values.items():
        setattr(person, name, value)
    if national_id is not None:
        _set_national_id(person, national_id)
    _clean_person(person)
    person.save()
    changes = model_changes(before, _person_snapshot(person))
    membership = _open_membership(person)
    if membership_values and membership is not None:
        old = (membership.relation, membership.in_house_registration, membership.since)
        if "relation" in membership_values:
            _check_head(membership.household, membership_values["relation"], person)
            membership.relation = membership_values["relation"]
        if "in_house_registration" in membership_values:
            membership.in_house_registration = bool(membership_values["in_house_registration"])
        if membership_values.get("since"):
            _not_in_future("since", membership_values["since"])
            membership.since = membership_values["since"]
        new = (membership.relation, membership.in_house_registration, membership.since)
        if new != old:
            membership.full_clean()
            membership.save()
            changes["membership"] = [
                [old[0], old[1], old[2].isoformat()],
                [new[0], new[1], new[2].isoformat()],
            ]
    if changes:
        record_event(actor=actor, action="person.update", obj=person, changes=changes)
    return person


@transaction.atomic
def person_quick_register(
    *,
    actor: Any,
    area: Area,
    first_name: str,
    last_name: str = "",
    approximate_age: int | None = None,
    sex: str = "",
    missing_id_reason: str = Person.MissingId.UNKNOWN,
    phone: str = "",
) -> Person:
    """A minimal person (no ID, in no house registration) for the food bank and welfare:
    homeless people, migrants. Belongs to a district (or a community) area."""
    birth = None
    if approximate_age is not None:
        if approximate_age < 0 or approximate_age > 130:
            raise ValidationError(
                {"approximate_age": _("Give an age between 0 and 130.")}, code="age"
            )
        birth = domain.birth_date_from_age(approximate_age, _today())
    return person_create(
        actor=actor,
        area=area,
        first_name=first_name,
        last_name=last_name,
        sex=sex,
        birth_date=birth,
        birth_year_estimated=birth is not None,
        missing_id_reason=missing_id_reason or Person.MissingId.UNKNOWN,
        phone=phone,
        quick=True,
    )


STATUS_TRANSITIONS = {
    Person.Status.ALIVE: {Person.Status.DECEASED, Person.Status.MOVED_OUT},
    Person.Status.MOVED_OUT: {Person.Status.ALIVE},
    Person.Status.DECEASED: set(),
}


@transaction.atomic
def person_set_status(
    *, actor: Any, person: Person, status: str, on: date, moved_to: str = ""
) -> Person:
    """Deceased (date) or moved out (date, destination): the household membership ends that
    day. Moving back is `person_move` or a new membership."""
    if status not in STATUS_TRANSITIONS.get(person.status, set()):
        raise ValidationError(
            {
                "status": _("A person cannot go from %(old)s to %(new)s.")
                % {"old": person.get_status_display(), "new": Person.Status(status).label}
            },
            code="transition",
        )
    if on is None:
        raise ValidationError({"status_on": _("Enter the date.")}, code="required")
    _not_in_future("status_on", on)
    if status == Person.Status.MOVED_OUT and not (moved_to or "").strip():
        raise ValidationError({"moved_to": _("Say where the person moved to.")}, code="required")
    before = _person_snapshot(person)
    counted = _household_community_ids(person)
    if status != Person.Status.ALIVE:
        try:
            _leave(person, on)
        except ValidationError as exc:
            raise ValidationError({"status_on": exc.messages}) from None
        person.household = None
    person.status = status
    person.status_on = on if status != Person.Status.ALIVE else None
    person.moved_to = (moved_to or "").strip() if status == Person.Status.MOVED_OUT else ""
    person.save()
    registry_counts_refresh(counted)
    record_event(
        actor=actor,
        action="person.status",
        obj=person,
        changes=model_changes(before, _person_snapshot(person)),
    )
    return person


def _record_move(
    *,
    actor: Any,
    person: Person | None,
    household: Household | None,
    label: str,
    from_area: Area,
    to_area: Area,
    on: date,
    reason: str,
) -> Move:
    return Move.objects.create(
        moved_on=on,
        person=person,
        household=household,
        masked_label=label,
        from_area=from_area,
        to_area=to_area,
        from_path=from_area.path,
        to_path=to_area.path,
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def person_move(
    *,
    actor: Any,
    person: Person,
    to_household: Household,
    on: date,
    relation: str = "",
    in_house_registration: bool = True,
    reason: str = "",
) -> Person:
    """Move a person to a household of any community; the person then belongs to that
    community (and district). The old place keeps a masked history line."""
    if on is None:
        raise ValidationError({"moved_on": _("Enter the date of the move.")}, code="required")
    _not_in_future("moved_on", on)
    if to_household.community.is_dissolved:
        raise ValidationError(
            {"to_household": _("The community is dissolved: it takes no new members.")},
            code="dissolved",
        )
    if person.status == Person.Status.DECEASED:
        raise ValidationError({"person": _("A deceased person cannot be moved.")}, code="deceased")
    current = _open_membership(person)
    if current is not None and current.household_id == to_household.pk:
        raise ValidationError(
            {"to_household": _("The person already lives in this household.")}, code="same"
        )
    from_area = person.area
    counted = {to_household.community_id}
    if current is not None:
        counted.add(current.household.community_id)
    _leave(person, on)
    _join(
        person=person,
        household=to_household,
        relation=relation,
        in_house_registration=in_house_registration,
        since=on,
    )
    before = _person_snapshot(person)
    person.household = to_household
    person.area = to_household.area
    if person.status == Person.Status.MOVED_OUT:
        person.status, person.status_on, person.moved_to = Person.Status.ALIVE, None, ""
    person.save()
    registry_counts_refresh(counted)
    _record_move(
        actor=actor,
        person=person,
        household=None,
        label=person.masked_name,
        from_area=from_area,
        to_area=to_household.area,
        on=on,
        reason=reason,
    )
    changes = model_changes(before, _person_snapshot(person))
    record_event(actor=actor, action="person.move", obj=person, changes=changes, reason=reason)
    return person


@transaction.atomic
def household_move(
    *, actor: Any, household: Household, to_community: Community, on: date, reason: str = ""
) -> Household:
    """Move a whole household (and its current members) to another community."""
    if on is None:
        raise ValidationError({"moved_on": _("Enter the date of the move.")}, code="required")
    _not_in_future("moved_on", on)
    if to_community.pk == household.community_id:
        raise ValidationError(
            {"to_community": _("The household is already in this community.")}, code="same"
        )
    if to_community.is_dissolved:
        raise ValidationError(
            {"to_community": _("The community is dissolved: it takes no new households.")},
            code="dissolved",
        )
    from_area = household.area
    counted = {household.community_id, to_community.pk}
    before = snapshot(household)
    household.community = to_community
    household.area = to_community.area
    _clean_household(household, joining=True)
    household.save()
    registry_counts_refresh(counted)
    for person in Person.objects.filter(household=household).select_related("area"):
        person.area = to_community.area
        person.save(update_fields=["area", "updated_at"])  # a history row per person
        _record_move(
            actor=actor,
            person=person,
            household=household,
            label=person.masked_name,
            from_area=from_area,
            to_area=to_community.area,
            on=on,
            reason=reason,
        )
    _record_move(
        actor=actor,
        person=None,
        household=household,
        label=_("House %(no)s") % {"no": household.house_no},
        from_area=from_area,
        to_area=to_community.area,
        on=on,
        reason=reason,
    )
    record_event(
        actor=actor,
        action="household.move",
        obj=household,
        changes=model_changes(before, snapshot(household)),
        reason=reason,
    )
    return household


# --- moves into communities outside the user's reach ---------------------------------

#: fields of service errors that would tell a user about a household outside their reach
#: (a head already there, a house number or code already used, ...)
PERSON_MOVE_REVEALING = {"relation", "to_household", "household", "house_no", "house_code"}
HOUSEHOLD_MOVE_REVEALING = {"house_no", "house_code"}


HOUSE_NO_MAX = Household._meta.get_field("house_no").max_length


def neutral_move_error() -> str:
    return _(
        "The move into this house number cannot be recorded as given. Check the relation to "
        "the head, or ask the district office that keeps this community's records."
    )


def person_move_to_house_no(
    *,
    actor: Any,
    person: Person,
    community: Community,
    house_no: str,
    on: Any,
    relation: str = "",
    in_house_registration: bool = True,
    reason: str = "",
    neutral: bool,
    field: str = "house_no",
) -> Household:
    """Move a person into the household with this house number in `community` (any community
    of the city), made first if there is none: one transaction, so a failed move keeps no new
    household. With `neutral` (the community is outside the user's reach) nothing is said
    about the households there: errors that would describe one become one neutral message on
    `field`, and the caller shows no house code or id."""
    number = domain.thai_digits_to_ascii(domain.clean_text(house_no))
    if not number:
        raise ValidationError({field: _("Enter the house number.")}, code="required")
    if len(number) > HOUSE_NO_MAX:
        raise ValidationError(
            {field: _("A house number has at most %(n)d characters.") % {"n": HOUSE_NO_MAX}},
            code="max_length",
        )
    if community.is_dissolved:
        raise ValidationError(
            {
                field: _("Community %(name)s is dissolved: it takes no new members.")
                % {"name": community.name}
            },
            code="dissolved",
        )
    try:
        with transaction.atomic():
            household = (
                Household.objects.select_related("community__area", "area")
                .filter(community=community, house_no=number)
                .order_by("-is_active", "pk")
                .first()
            )
            if household is None:
                household = household_create(actor=actor, community=community, house_no=number)
            person_move(
                actor=actor,
                person=person,
                to_household=household,
                on=on,
                relation=relation,
                in_house_registration=in_house_registration,
                reason=reason,
            )
    except ValidationError as exc:
        if neutral:
            raise _neutralised(exc, field, neutral_move_error(), PERSON_MOVE_REVEALING) from None
        raise
    return household


def household_move_guarded(
    *,
    actor: Any,
    household: Household,
    to_community: Community,
    on: Any,
    reason: str = "",
    neutral: bool,
    field: str = "to_community",
) -> Household:
    """`household_move`; with `neutral` (the target community is outside the user's
    reach) an error that would describe the households there becomes a neutral message."""
    try:
        return household_move(
            actor=actor, household=household, to_community=to_community, on=on, reason=reason
        )
    except ValidationError as exc:
        household.refresh_from_db()  # the service had set the new community on the object
        if neutral:
            message = _(
                "The household cannot be moved into this community as recorded: add its house "
                "registration code, or ask the district office that keeps this community's "
                "records."
            )
            raise _neutralised(exc, field, message, HOUSEHOLD_MOVE_REVEALING) from None
        raise


def _neutralised(
    exc: ValidationError, field: str, message: str, revealing_fields: set[str]
) -> ValidationError:
    """The same errors, except those about the target household (by field, or without a
    field): one neutral message instead."""
    errors: dict[str, list] = {}
    revealing = False
    grouped = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for name, items in grouped.items():
        for error in items:
            if name is None or name in revealing_fields:
                revealing = True
            else:
                errors.setdefault(name or field, []).append(error)
    if revealing:
        errors.setdefault(field, []).append(ValidationError(message, code="not_recorded"))
    return ValidationError(errors)


def person_reveal_national_id(*, actor: Any, person: Person, reason: str) -> str:
    """The full national ID, formatted, after logging who saw it and why."""
    if not person.national_id:
        raise ValidationError(_("This person has no national ID on record."), code="no_id")
    reveal_record(
        actor=actor, obj=person, field="national_id", reason=reason, subject_label=person.full_name
    )
    from chumchon.core.national_id import format_national_id

    return format_national_id(person.national_id)


def person_subject_report_logged(*, actor: Any, person: Person, reason: str) -> None:
    """A subject-access report shows everything held, the full ID included: a logged reveal."""
    reveal_record(
        actor=actor,
        obj=person,
        field="subject_access_report",
        reason=reason,
        subject_label=person.full_name,
    )


def to_coordinate(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value)).quantize(Decimal("0.000001"))
