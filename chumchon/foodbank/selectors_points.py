"""Reading beneficiaries and points (helper "beneficiaries"): the list with flags and points in a
constant number of queries, the search the counter uses too, the points history with a
running balance, and who may collect a household's goods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from chumchon.communities.domain import ELDERLY_AGE
from chumchon.communities.models import Household, Membership, Person
from chumchon.communities.services import find_person_by_national_id

from . import domain, ledger
from .models import Assessment, Beneficiary, PointEntry, Store
from .services_points import FLAG_ORDER


def _years_ago(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _person_flag_q(flag: str, on: date, prefix: str) -> Q:
    """Q on a Person (through ``prefix``) for one welfare flag."""
    p = prefix
    if flag == "elderly":
        return Q(**{f"{p}birth_date__lte": _years_ago(on, ELDERLY_AGE)})
    if flag == "disability":
        return ~Q(**{f"{p}disability_card": ""}) | ~Q(**{f"{p}disability_type": ""})
    if flag in ("bedridden", "chronic_illness", "child_in_need", "disaster_victim"):
        return Q(**{f"{p}{flag}": True})
    if flag == "poor_household":
        return Q(**{f"{p}household__poor_override": True}) | Q(
            **{f"{p}household__poor_override__isnull": True, f"{p}household__survey_poor": True}
        )
    return Q(pk__in=[])


def flag_q(flag: str, on: date) -> Q:
    """Beneficiaries carrying ``flag``: the person's, or a current member's of the household
    (and "poor_household": the household itself)."""
    members = Membership.objects.open_on(on).filter(
        _person_flag_q(flag, on, "person__"),
        household=OuterRef("household_id"),
        person__status=Person.Status.ALIVE,
    )
    q = Q(kind=Beneficiary.Kind.PERSON) & _person_flag_q(flag, on, "person__")
    household = Q(kind=Beneficiary.Kind.HOUSEHOLD) & Exists(members)
    if flag == "poor_household":
        household |= Q(kind=Beneficiary.Kind.HOUSEHOLD, household__in=Household.objects.poor())
    return q | household


def text_q(text: str, on: date) -> Q:
    """A name fragment of the person or of a household's current member; a house number; a
    beneficiary number ("12" or "B12")."""
    text = (text or "").strip()
    q = Q(pk__in=[])
    if not text:
        return q
    for word in [text]:
        person = Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
        members = Membership.objects.open_on(on).filter(
            Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word),
            household=OuterRef("household_id"),
        )
        q |= person | Exists(members) | Q(household__house_no=word)
    number = text[1:] if text[:1] in "Bb" else text
    if number.isdigit():
        q |= Q(number=int(number))
    return q


def national_id_q(national_id: str) -> Q | None:
    """The person with this national ID (keyed hash), as a person or as a current member of a
    household beneficiary; None when the ID is not valid."""
    try:
        person = find_person_by_national_id(national_id)
    except (ValidationError, ValueError, TypeError):
        return None
    if person is None:
        return Q(pk__in=[])
    q = Q(person=person)
    if person.household_id:
        q |= Q(household_id=person.household_id)
    return q


def find_beneficiaries(
    store: Store, text: str | None = None, national_id: str | None = None
) -> QuerySet[Beneficiary]:
    """ACTIVE beneficiaries of ``store`` matching a name fragment (the person's or a household
    member's), a number, or exactly a national ID (the counter's search too)."""
    on = timezone.localdate()
    qs = Beneficiary.objects.filter(store=store, state=Beneficiary.State.ACTIVE)
    if national_id:
        q = national_id_q(national_id)
        if q is None:
            return qs.none()
        qs = qs.filter(q)
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) == 13 and len(text.replace("-", "").replace(" ", "")) == 13:
            q = national_id_q(digits)
            qs = qs.filter(q) if q is not None else qs.none()
        else:
            qs = qs.filter(text_q(text, on))
    if not text and not national_id:
        return qs.none()
    return qs.select_related("person", "household__community__area").order_by("number")


@dataclass
class Row:
    beneficiary: Beneficiary
    number: int
    name: str
    kind: str
    kind_label: str
    masked_id: str
    flags: list[str]
    latest_total: int | None
    latest_on: date | None
    points: int
    state: str

    @property
    def pk(self) -> int:
        return self.beneficiary.pk


def filtered(store: Store, filters: dict[str, Any] | None, on: date) -> QuerySet[Beneficiary]:
    """The store's beneficiaries under ``filters``: q (text or a 13-digit ID), flag, kind,
    state ("active" by default; "closed"; "all")."""
    filters = filters or {}
    qs = Beneficiary.objects.filter(store=store)
    state = filters.get("state") or "active"
    if state in (Beneficiary.State.ACTIVE, Beneficiary.State.CLOSED):
        qs = qs.filter(state=state)
    kind = filters.get("kind")
    if kind in (Beneficiary.Kind.PERSON, Beneficiary.Kind.HOUSEHOLD):
        qs = qs.filter(kind=kind)
    flag = filters.get("flag")
    if flag in FLAG_ORDER:
        qs = qs.filter(flag_q(flag, on))
    text = (filters.get("q") or "").strip()
    if text:
        digits = text.replace("-", "").replace(" ", "")
        if len(digits) == 13 and digits.isdigit():
            q = national_id_q(digits)
            qs = qs.filter(q) if q is not None else qs.none()
        else:
            qs = qs.filter(text_q(text, on))
    return qs.order_by("number")


def with_row_data(qs: QuerySet[Beneficiary], on: date) -> QuerySet[Beneficiary]:
    latest = Assessment.objects.filter(beneficiary=OuterRef("pk")).order_by("-assessed_on", "-id")
    return (
        qs.select_related("person__household", "household__community__area")
        .annotate(
            latest_total=Subquery(latest.values("total")[:1]),
            latest_on=Subquery(latest.values("assessed_on")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "household__memberships",
                queryset=Membership.objects.open_on(on)
                .filter(person__status=Person.Status.ALIVE)
                .select_related("person__household"),
                to_attr="current_memberships",
            )
        )
    )


def flags_of(beneficiary: Beneficiary) -> list[str]:
    """Welfare flags from what ``with_row_data`` loaded (no query)."""
    if beneficiary.kind == Beneficiary.Kind.PERSON:
        found = set(beneficiary.person.welfare_flags())
    else:
        found = set()
        for membership in getattr(beneficiary.household, "current_memberships", []):
            found.update(membership.person.welfare_flags())
        if beneficiary.household.is_poor:
            found.add("poor_household")
    return [code for code in FLAG_ORDER if code in found]


def name_of(beneficiary: Beneficiary) -> str:
    if beneficiary.kind == Beneficiary.Kind.PERSON:
        return beneficiary.person.full_name
    household = beneficiary.household
    head = next(
        (m.person for m in getattr(household, "current_memberships", []) if m.relation == "head"),
        None,
    )
    place = f"{household} · {household.community.area.name}"
    return f"{place} ({head.full_name})" if head else place


def rows_for(beneficiaries: list[Beneficiary], on: date) -> list[Row]:
    """Rows of beneficiaries loaded with ``with_row_data`` (+ one query for the points)."""
    points = ledger.balances([b.pk for b in beneficiaries], on)
    return [
        Row(
            beneficiary=b,
            number=b.number,
            name=name_of(b),
            kind=b.kind,
            kind_label=str(b.get_kind_display()),
            masked_id=b.person.masked_national_id if b.person_id else "",
            flags=flags_of(b),
            latest_total=getattr(b, "latest_total", None),
            latest_on=getattr(b, "latest_on", None),
            points=points.get(b.pk, 0),
            state=b.state,
        )
        for b in beneficiaries
    ]


def beneficiary_rows(
    store: Store, filters: dict[str, Any] | None = None, on: date | None = None
) -> list[Row]:
    """Every matching beneficiary of the store as a row (constant queries)."""
    on = on or timezone.localdate()
    return rows_for(list(with_row_data(filtered(store, filters, on), on)), on)


def points_history(beneficiary: Beneficiary) -> list[PointEntry]:
    """The beneficiary's entries in date order, each with ``running`` (the balance after it)."""
    entries = list(
        PointEntry.objects.filter(beneficiary=beneficiary)
        .select_related("award", "redemption", "by")
        .order_by("on", "id")
    )
    running = 0
    for entry in entries:
        running += entry.points
        entry.running = running
    return entries


def awards_with_left(beneficiary: Beneficiary, on: date | None = None) -> list[Any]:
    """The beneficiary's awards, newest first, each with ``left`` and ``expired`` (on ``on``)."""
    on = on or timezone.localdate()
    left = ledger.award_left(beneficiary)
    awards = list(beneficiary.awards.select_related("allowance").order_by("-awarded_on", "-id"))
    for award in awards:
        award.left = left.get(award.pk, 0)
        award.expired = award.expires_on < on
        award.near_expiry = not award.expired and award.expires_on <= on + timedelta(
            days=beneficiary.store.near_expiry_days
        )
    return awards


def adults_who_may_redeem(beneficiary: Beneficiary, on: date | None = None) -> list[Person]:
    """Who may collect the goods: the person; or the household's current members (membership
    open on ``on``) who are alive and adults (domain.ADULT_AGE)."""
    on = on or timezone.localdate()
    if beneficiary.kind == Beneficiary.Kind.PERSON:
        return [beneficiary.person]
    memberships = (
        Membership.objects.open_on(on)
        .filter(household_id=beneficiary.household_id, person__status=Person.Status.ALIVE)
        .select_related("person")
        .order_by("person__first_name", "person__last_name", "person_id")
    )
    return [m.person for m in memberships if domain.is_adult(m.person.birth_date, on)]


def household_beneficiary_of(store: Store, person: Person) -> Beneficiary | None:
    """The active household beneficiary (of ``store``) the person currently belongs to."""
    if not person.household_id:
        return None
    return Beneficiary.objects.filter(
        store=store, state=Beneficiary.State.ACTIVE, household_id=person.household_id
    ).first()


def member_beneficiaries(store: Store, household: Household) -> list[Beneficiary]:
    """Active person beneficiaries (of ``store``) who currently live in ``household``."""
    return list(
        Beneficiary.objects.filter(
            store=store, state=Beneficiary.State.ACTIVE, person__household=household
        ).select_related("person")
    )
