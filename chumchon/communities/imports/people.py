"""Import of households and people: one row per person, household columns repeated.

Upsert by national ID (required in this template). A household is found by its house
registration code when given (a household of the same community without a code and with the
same house number gets the code), else by community and house number, whatever code the
registry holds (two such households: the row is refused); it is created when missing. Within
one file, a house number of a community stands for one household: its rows must all give the
same code (or all none). A house code held by a household the importer does not reach, or in
another district, is refused without saying where ("registered elsewhere: request a transfer").
A person found in the same district is updated (and moved to the row's household when they live
elsewhere); a person registered in another district, or outside the importer's reach, is
refused ("request a transfer") without saying where.

Blank optional cells leave what the registry holds, except "in the house registration", where
blank means no (as the template says); without that column a person who moves keeps their
current answer. A disability card number needs the legal basis column (PDPA s.26), and both
columns need `personal.view_flags` where the person lives.

"Registered since" (`registered_since`) dates the membership a row creates (a new person, or a
person joining another household; blank: the import day): it is not in the future, not before
the birth date, and for a move not before the person joined their current household (whose
membership ends that day; the Move line has that date). For a person who stays in the same
household it is ignored: an import does not rewrite the history of a membership.

MIRRORS services.py: these rules repeat, for speed and one audit event per import, those of
`services._clean_household` (11-digit code unique, house number unique without a code, no new
household in a dissolved community), `services._clean_person` (required names, lengths, dates
not in the future, a legal basis for sensitive data, a unique national ID),
`services._check_head` (one head per household), `services.person_create` (no new members in a
dissolved community) and `services.person_move` (close the open membership, join the new
household, change the area, a masked Move line for the old district, a moved-out person becomes
alive). A change to one of those rules must be made here too. The writes are bulk, with history
rows only for records that changed, and one audit event for the whole import (written by the
caller).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from chumchon.accounts.scoping import has_perm
from chumchon.core.dates import format_date
from chumchon.core.national_id import national_id_hash

from .. import domain
from ..models import Community, Household, Membership, Move, Person
from . import cells
from .base import ABSENT, Importer, chunks, update_many
from .columns import LEGAL_BASIS_HEADER, PEOPLE

PERSON_TEXT = {
    "prefix": Person._meta.get_field("prefix").max_length,
    "first_name": Person._meta.get_field("first_name").max_length,
    "last_name": Person._meta.get_field("last_name").max_length,
    "phone": Person._meta.get_field("phone").max_length,
    "disability_card": Person._meta.get_field("disability_card").max_length,
}
HOUSE_NO_MAX = Household._meta.get_field("house_no").max_length
BATCH = 500


#: Columns of welfare data: only importers with `personal.view_flags` there may fill them.
WELFARE_COLUMNS = ("disability_card", "legal_basis")


@dataclass(slots=True)
class Row:
    row: int
    community_code: str
    house_no: str
    house_code: str
    id_hash: str
    national_id: str
    fields: dict[str, Any]  # person fields the row sets (blank cells left out)
    relation: str | None  # None: leave (or "" for a new membership)
    in_house_registration: bool | None  # None: the column is absent
    welfare_column: str | None  # the first welfare column the row fills, if any
    since: date | None = None  # start of the membership the row creates (None: import day)


@dataclass(slots=True)
class NewHousehold:
    row: int
    obj: Household
    community: Community


@dataclass
class Target:
    """Where a row's person ends up: an existing household (id) or a new one (key)."""

    key: tuple
    community: Community
    household: Household  # saved, or new (saved at commit)
    is_new: bool


@dataclass
class Plan:
    new_households: list[NewHousehold] = field(default_factory=list)
    household_updates: dict[int, tuple[Household, set[str]]] = field(default_factory=dict)
    # (person, target, relation, in house registration, since)
    new_people: list[tuple[Person, Target, str, bool, date]] = field(default_factory=list)
    changed_people: dict[int, tuple[Person, set[str]]] = field(default_factory=dict)
    closed_memberships: list[Membership] = field(default_factory=list)
    demoted_memberships: list[Membership] = field(default_factory=list)
    updated_memberships: list[Membership] = field(default_factory=list)
    joins: list[tuple[Person, Target, str, bool, date]] = field(default_factory=list)
    # (person, from area id, from path, target, moved on)
    moves: list[tuple[Person, int, str, Target, date]] = field(default_factory=list)
    person_target: dict[int, Target] = field(default_factory=dict)
    updated: set[int] = field(default_factory=set)  # people changed in any way
    unchanged: int = 0
    moved: int = 0  # people who left their household for another one (any community)


def _blank_cell(value: Any) -> bool:
    return value is None or not str(value).strip()


class PeopleImport(Importer):
    kind = PEOPLE

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.rows: list[Row] = []
        self.first_row_of_id: dict[str, int] = {}
        self.plan = Plan()
        self.welfare_allowed: dict[int, bool] = {}

    # --- reading ---------------------------------------------------------------------

    def add(self, row: int, cells_: list[Any]) -> None:
        self.rows_read += 1
        v = self.values(cells_)
        before = len(self.problems)
        community_code = self.cell(row, v, "community_code", cells.code_text, required=True)
        house_no = self.cell(row, v, "house_no", cells.house_no, required=True)
        if isinstance(house_no, str) and len(house_no) > HOUSE_NO_MAX:
            self.error(
                row, "house_no", _("Too long: at most %(max)s characters."), max=HOUSE_NO_MAX
            )
        house_code = self.cell(row, v, "house_code", cells.house_code)
        national_id = self.cell(row, v, "national_id", cells.national_id, required=True)
        fields: dict[str, Any] = {}
        for key, max_length in PERSON_TEXT.items():
            value = self.cell(
                row,
                v,
                key,
                lambda raw, m=max_length: cells.limited(cells.text(raw), m),
                required=key in ("first_name", "last_name"),
            )
            if isinstance(value, str) and value:
                fields[key] = value
        sex = self.cell(row, v, "sex", cells.sex)
        if isinstance(sex, str) and sex:
            fields["sex"] = sex
        birth_date = self.cell(row, v, "birth_date", cells.past_date)
        if isinstance(birth_date, date):
            fields["birth_date"] = birth_date
        relation = self.cell(row, v, "relation", cells.relation)
        in_house = self.cell(row, v, "in_house_registration", cells.boolean)
        since = self.cell(row, v, "registered_since", cells.past_date)
        if isinstance(since, date) and isinstance(birth_date, date) and since < birth_date:
            self._before_birth(row, since, birth_date)
        basis = self.cell(row, v, "legal_basis", cells.legal_basis)
        if isinstance(basis, str) and basis:
            fields["sensitive_legal_basis"] = basis
        if fields.get("disability_card") and (basis is ABSENT or basis == ""):
            self.error(
                row,
                "legal_basis" if "legal_basis" in self.headers else "disability_card",
                _(
                    "Disability data are sensitive: give the legal basis for keeping them in the "
                    "column “%(column)s” (consent, social_protection or vital_interest)."
                ),
                column=self.headers.get("legal_basis", LEGAL_BASIS_HEADER),
            )
        welfare_column = next((k for k in WELFARE_COLUMNS if not _blank_cell(v.get(k))), None)
        if isinstance(national_id, str):
            first = self.first_row_of_id.setdefault(national_id, row)
            if first != row:
                self.error(
                    row,
                    "national_id",
                    _("This national ID appears twice in the file: duplicate of row %(first)s"),
                    first=first,
                )
        if len(self.problems) > before:
            return
        self.rows.append(
            Row(
                row=row,
                community_code=community_code,
                house_no=house_no,
                house_code="" if house_code is ABSENT else house_code,
                id_hash=national_id_hash(national_id),
                national_id=national_id,
                fields=fields,
                relation=None if relation is ABSENT or not relation else relation,
                in_house_registration=None if in_house is ABSENT else in_house,
                welfare_column=welfare_column,
                since=since if isinstance(since, date) else None,
            )
        )

    def _before_birth(self, row: int, since: date, birth_date: date) -> None:
        self.error(
            row,
            "registered_since",
            _("The date %(date)s is before the birth date (%(birth)s)."),
            date=format_date(since, "numeric"),
            birth=format_date(birth_date, "numeric"),
        )

    # --- checking against the registry ----------------------------------------------

    def _prefetch(self) -> None:
        codes = {r.community_code for r in self.rows}
        self.communities: dict[str, Community] = {}
        for batch in chunks(codes):
            for community in Community.objects.filter(area__code__in=batch).select_related("area"):
                if self.in_reach(community.area.path):
                    self.communities[community.area.code] = community
        community_ids = {c.pk for c in self.communities.values()}
        # one instance per household, whichever way it was found
        self.households: dict[int, Household] = {}
        # Households holding a code of the file, anywhere: one outside the importer's reach
        # is only named "registered elsewhere", never compared further.
        self.by_code: dict[str, Household] = {}
        for batch in chunks({r.house_code for r in self.rows if r.house_code}):
            for household in Household.objects.filter(house_code__in=batch).select_related("area"):
                household = self.households.setdefault(household.pk, household)
                self.by_code[household.house_code] = household
        # Households of the file's communities (all in reach) by house number, with any code.
        self.by_no: dict[tuple[int, str], list[Household]] = {}
        house_nos = {r.house_no for r in self.rows}
        for batch in chunks(community_ids):
            households = Household.objects.filter(community_id__in=batch).select_related("area")
            if len(house_nos) <= 5000:
                households = households.filter(house_no__in=house_nos)
            for household in households.order_by("pk"):
                household = self.households.setdefault(household.pk, household)
                self.by_no.setdefault((household.community_id, household.house_no), []).append(
                    household
                )
        self.people: dict[str, Person] = {}
        for batch in chunks({r.id_hash for r in self.rows}):
            for person in Person.objects.filter(national_id_hash__in=batch).select_related(
                "area__kind"
            ):
                self.people[person.national_id_hash] = person
        person_ids = [p.pk for p in self.people.values()]
        self.open_membership: dict[int, Membership] = {}
        for batch in chunks(person_ids):
            for membership in Membership.objects.filter(person_id__in=batch, until__isnull=True):
                self.open_membership[membership.person_id] = membership
        household_ids = [pk for pk, h in self.households.items() if self.in_reach(h.area.path)]
        self.heads: dict[int, int] = {}  # household id -> person id of the open head
        for batch in chunks(household_ids):
            for membership in Membership.objects.filter(
                household_id__in=batch, until__isnull=True, relation=domain.HEAD
            ):
                self.heads[membership.household_id] = membership.person_id

    def _district_id(self, person: Person) -> int | None:
        area = person.area
        return area.parent_id if area.kind.code == "community" else area.pk

    def _may_record_welfare(self, community: Community) -> bool:
        """Disability card and legal basis need `personal.view_flags` where the person lives
        (the system import, without an actor, may)."""
        if self.allowed_paths is None:
            return True
        allowed = self.welfare_allowed.get(community.pk)
        if allowed is None:
            allowed = has_perm(self.user, "personal.view_flags", community.area)
            self.welfare_allowed[community.pk] = allowed
        return allowed

    def _code_column(self) -> str:
        return "house_code" if "house_code" in self.headers else "house_no"

    def _planned(self, r: Row, target: Target) -> Target:
        """Remember where the row's household is, by house number and by code."""
        self.planned_by_no[(target.community.pk, r.house_no)] = (target, r.row, r.house_code)
        if r.house_code:
            self.planned_by_code[r.house_code] = (target, r.row)
        if not target.is_new:
            self.planned_by_pk[target.household.pk] = r.row
        return target

    def _found(self, r: Row, household: Household, community: Community) -> Target | None:
        """An existing household for the row, unless an earlier row gave it under another
        house number or code."""
        first = self.planned_by_pk.get(household.pk)
        if first is not None:
            self.error(
                r.row,
                "house_no",
                _(
                    "This household is given in row %(first)s with another house number or "
                    "house registration code."
                ),
                first=first,
            )
            return None
        return self._planned(r, Target(("id", household.pk), community, household, False))

    def _target(self, r: Row, community: Community) -> Target | None:
        """The household of the row (found or planned); None after recording a problem."""
        planned = self.planned_by_no.get((community.pk, r.house_no))
        if r.house_code:
            known = self.planned_by_code.get(r.house_code)
            if known is not None:
                target, first = known
                if target.community.pk != community.pk:
                    self.error(
                        r.row,
                        "house_code",
                        _(
                            "The same house registration code is given for another community "
                            "in row %(first)s."
                        ),
                        first=first,
                    )
                    return None
                if target.household.house_no != r.house_no:
                    self.error(
                        r.row,
                        "house_no",
                        _(
                            "The house number differs from row %(first)s, which has the same "
                            "house registration code."
                        ),
                        first=first,
                    )
                    return None
                return target
        if planned is not None:
            target, first, code = planned
            if code != r.house_code:
                self.error(
                    r.row,
                    self._code_column(),
                    _(
                        "The house registration code differs from row %(first)s, which has the "
                        "same house number."
                    ),
                    first=first,
                )
                return None
            return target
        if r.house_code:
            household = self.by_code.get(r.house_code)
            if household is not None:
                if (
                    not self.in_reach(household.area.path)
                    or household.area.parent_id != community.area.parent_id
                ):
                    self.error(
                        r.row,
                        "house_code",
                        _(
                            "This house registration code is registered elsewhere: request a "
                            "transfer."
                        ),
                    )
                    return None
                if household.community_id != community.pk:
                    self.error(
                        r.row,
                        "house_code",
                        _(
                            "This house registration code belongs to a household of another "
                            "community."
                        ),
                    )
                    return None
                target = self._found(r, household, community)
                if target is not None and household.house_no != r.house_no:
                    self._update_household(household, house_no=r.house_no)
                return target
            without_code = next(
                (
                    h
                    for h in self.by_no.get((community.pk, r.house_no), [])
                    if not h.house_code and h.pk not in self.planned_by_pk
                ),
                None,
            )
            if without_code is not None:
                self._update_household(without_code, house_code=r.house_code)
                return self._found(r, without_code, community)
            return self._new_household(r, community)
        found = self.by_no.get((community.pk, r.house_no), [])
        if len(found) > 1:
            self.error(
                r.row,
                "house_no",
                _(
                    "Several households of this community have the house number %(no)s: give "
                    "the house registration code to say which one."
                ),
                no=r.house_no,
            )
            return None
        if found:
            return self._found(r, found[0], community)
        return self._new_household(r, community)

    def _new_household(self, r: Row, community: Community) -> Target | None:
        if community.is_dissolved:
            self.error(
                r.row,
                "community_code",
                _("The community %(code)s is dissolved: it takes no new households."),
                code=community.area.code,
            )
            return None
        household = Household(
            community=community,
            area_id=community.area_id,
            house_no=r.house_no,
            house_no_key=domain.house_no_sort_key(r.house_no),
            house_code=r.house_code,
        )
        self.plan.new_households.append(NewHousehold(r.row, household, community))
        self.touched_paths.add(community.area.path)
        target = Target(("new", len(self.plan.new_households)), community, household, True)
        return self._planned(r, target)

    def _update_household(self, household: Household, **values: Any) -> None:
        if "house_no" in values:
            values["house_no_key"] = domain.house_no_sort_key(values["house_no"])
        obj, changed = self.plan.household_updates.setdefault(household.pk, (household, set()))
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed.add(name)
        if not changed:
            del self.plan.household_updates[household.pk]

    def resolve(self) -> None:
        if not self.rows:
            return
        self._prefetch()
        # the file's households as planned: by (community id, house number) -> (target, first
        # row, code written there); by code -> (target, first row); existing ones by id -> row
        self.planned_by_no: dict[tuple[int, str], tuple[Target, int, str]] = {}
        self.planned_by_code: dict[str, tuple[Target, int]] = {}
        self.planned_by_pk: dict[int, int] = {}
        # household key -> rows claiming head; person id -> (target key, final relation)
        head_rows: dict[tuple, list[int]] = {}
        final_place: dict[int, tuple[tuple, str]] = {}
        for r in self.rows:
            community = self.communities.get(r.community_code)
            if community is None:
                self.error(
                    r.row,
                    "community_code",
                    _("Unknown community: there is no community with the code %(code)s."),
                    code=r.community_code,
                )
                continue
            if r.welfare_column and not self._may_record_welfare(community):
                self.error(
                    r.row,
                    r.welfare_column,
                    _(
                        "You may not record welfare data in this community: leave the disability "
                        "card and legal basis columns blank."
                    ),
                )
                continue
            person = self.people.get(r.id_hash)
            if person is not None:
                if self._district_id(person) != community.area.parent_id or not self.in_reach(
                    person.area.path
                ):
                    self.error(
                        r.row,
                        "national_id",
                        _("This person is registered in another district: request a transfer."),
                    )
                    continue
                if person.status == Person.Status.DECEASED:
                    self.error(
                        r.row,
                        "national_id",
                        _(
                            "This person is recorded as deceased in the registry: correct the "
                            "status on the person's page first."
                        ),
                    )
                    continue
            target = self._target(r, community)
            if target is None:
                continue
            relation = self._plan_person(r, person, target)
            if relation is None:
                continue
            if relation == domain.HEAD:
                head_rows.setdefault(target.key, []).append(r.row)
            if person is not None:
                final_place[person.pk] = (target.key, relation)
        self._check_heads(head_rows, final_place)

    def _plan_person(self, r: Row, person: Person | None, target: Target) -> str | None:
        """Plan the row's writes; the person's final relation, or None after a problem."""
        community = target.community
        since = r.since or self.today
        if person is None:
            in_house = bool(r.in_house_registration)
            if community.is_dissolved:
                self._dissolved(r, community)
                return None
            new = Person(
                area_id=community.area_id,
                national_id=r.national_id,
                national_id_hash=r.id_hash,
                **r.fields,
            )
            relation = r.relation or ""
            self.plan.new_people.append((new, target, relation, in_house, since))
            self.touched_paths.add(community.area.path)
            return relation
        changed: set[str] = set()
        for name, value in r.fields.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed.add(name)
        membership = self.open_membership.get(person.pk)
        same_household = (
            membership is not None
            and not target.is_new
            and membership.household_id == target.household.pk
        )
        if same_household:
            relation = membership.relation if r.relation is None else r.relation
            old_relation = membership.relation
            membership_changed = False
            if relation != membership.relation:
                membership.relation = relation
                membership_changed = True
            if (
                r.in_house_registration is not None
                and membership.in_house_registration != r.in_house_registration
            ):
                membership.in_house_registration = r.in_house_registration
                membership_changed = True
            if membership_changed:
                if old_relation == domain.HEAD:
                    self.plan.demoted_memberships.append(membership)
                else:
                    self.plan.updated_memberships.append(membership)
        else:
            if community.is_dissolved:
                self._dissolved(r, community)
                return None
            if r.since is not None:
                birth_date = r.fields.get("birth_date", person.birth_date)
                if birth_date is not None and r.since < birth_date:
                    self._before_birth(r.row, r.since, birth_date)
                    return None
                if membership is not None and r.since < membership.since:
                    self.error(
                        r.row,
                        "registered_since",
                        _(
                            "The date %(date)s is before the person joined their current "
                            "household (%(since)s)."
                        ),
                        date=format_date(r.since, "numeric"),
                        since=format_date(membership.since, "numeric"),
                    )
                    return None
            relation = r.relation or ""
            # Without the column, a person who moves keeps their current answer.
            if r.in_house_registration is not None:
                in_house = r.in_house_registration
            else:
                in_house = membership is not None and membership.in_house_registration
            if membership is not None:
                membership.until = since
                self.plan.closed_memberships.append(membership)
            if membership is not None or person.area_id != community.area_id:
                self.plan.moved += 1
                self.touched_paths.add(person.area.path)  # the place they leave
            self.plan.joins.append((person, target, relation, in_house, since))
            self.plan.person_target[person.pk] = target
            changed.add("household")
            if person.area_id != community.area_id:
                self.plan.moves.append((person, person.area_id, person.area.path, target, since))
                person.area_id = community.area_id
                changed.add("area")
            if person.status == Person.Status.MOVED_OUT:
                person.status, person.status_on, person.moved_to = Person.Status.ALIVE, None, ""
                changed |= {"status", "status_on", "moved_to"}
            membership_changed = True
        if changed:
            self.plan.changed_people[person.pk] = (person, changed)
        if changed or membership_changed:
            self.plan.updated.add(person.pk)
            self.touched_paths.add(community.area.path)
        else:
            self.plan.unchanged += 1
        return relation

    def _dissolved(self, r: Row, community: Community) -> None:
        self.error(
            r.row,
            "community_code",
            _("The community %(code)s is dissolved: it takes no new members."),
            code=community.area.code,
        )

    def _check_heads(
        self, head_rows: dict[tuple, list[int]], final_place: dict[int, tuple[tuple, str]]
    ) -> None:
        for key, rows in head_rows.items():
            first, *later = rows
            for row in later:
                self.error(
                    row,
                    "relation",
                    _("A second head for one household: duplicate of row %(first)s"),
                    first=first,
                )
            if key[0] != "id":
                continue
            head_person = self.heads.get(key[1])
            # The registry's head keeps the place unless the file moves or demotes them
            # (then they are in `final_place`; as the head, their own row is in `rows`).
            if head_person is not None and head_person not in final_place:
                self.error(
                    first,
                    "relation",
                    _(
                        "This household already has a head in the registry: change the "
                        "current head's relation in the same file, or leave this one out."
                    ),
                )

    # --- counts and writing ------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        plan = self.plan
        return {
            "created": len(plan.new_people),
            "updated": len(plan.updated),
            "unchanged": plan.unchanged,
            "households_created": len(plan.new_households),
            "households_updated": len(plan.household_updates),
            "moved": plan.moved,
            "moved_from_other_community": len(plan.moves),
        }

    def commit(self, *, change_reason: str) -> None:
        plan = self.plan
        user = self.user
        history = {"default_user": user, "default_change_reason": change_reason}
        if plan.new_households:
            bulk_create_with_history(
                [h.obj for h in plan.new_households], Household, batch_size=BATCH, **history
            )
        if plan.household_updates:
            update_many(Household, plan.household_updates.values(), history=history, touch=self.now)
        for person, target, *_rest in plan.new_people:
            person.household = target.household
        if plan.new_people:
            bulk_create_with_history(
                [p for p, *_rest in plan.new_people], Person, batch_size=BATCH, **history
            )
        for person, _changed in plan.changed_people.values():
            target = plan.person_target.get(person.pk)
            if target is not None:
                person.household = target.household
        if plan.changed_people:
            update_many(Person, plan.changed_people.values(), history=history, touch=self.now)
        relation = {"relation", "in_house_registration"}
        update_many(Membership, [(m, {"until"}) for m in plan.closed_memberships])
        update_many(Membership, [(m, relation) for m in plan.demoted_memberships])
        # promotions after demotions: one head per household at every moment
        update_many(
            Membership,
            [(m, relation) for m in plan.updated_memberships if m.relation != domain.HEAD],
        )
        update_many(
            Membership,
            [(m, relation) for m in plan.updated_memberships if m.relation == domain.HEAD],
        )
        memberships = [
            Membership(
                person=person,
                household=target.household,
                relation=relation,
                in_house_registration=in_house,
                since=since,
            )
            for person, target, relation, in_house, since in (*plan.new_people, *plan.joins)
        ]
        if memberships:
            Membership.objects.bulk_create(memberships, batch_size=BATCH)
        if plan.moves:
            Move.objects.bulk_create(
                [
                    Move(
                        moved_on=moved_on,
                        person=person,
                        masked_label=person.masked_name,
                        from_area_id=from_area_id,
                        to_area_id=target.community.area_id,
                        from_path=from_path,
                        to_path=target.community.area.path,
                        reason=change_reason,
                        actor=user,
                    )
                    for person, from_area_id, from_path, target, moved_on in plan.moves
                ],
                batch_size=BATCH,
            )
