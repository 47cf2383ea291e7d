"""Import of household surveys (แบบสำรวจข้อมูลครัวเรือน): one row per household member.

The file
- A house is named by its community code and house number (or house registration code). The
  rows of one house must be one below the other: a row whose community code, house number and
  house code are all blank is another member of the house above; a house that comes back
  after other houses is refused ("keep the rows of a house together").
- The house's answers (fiscal year or survey date, surveyor, respondent, money, housing,
  water, electricity, waste, welfare received, needs) are given on its first row or repeated
  on every row; a later row of the same house may leave them blank, but may not contradict
  them. The member columns (national ID or name, age, occupation, income, education, in
  school, reads Thai, health insurance, disability) make a row a member; a row without them
  only carries the house's answers.
- Choices take the code (`rent`) or the Thai or English label (เช่า), spaces and case aside;
  a label's part in brackets or around "/" works too (บัตรทอง, นักเรียน). Yes/no as in the
  registry (ใช่/ไม่ใช่, Y/N, 1/0). Welfare received: several labels or codes separated by
  commas. Money in baht (Thai digits and thousands separators are fine).
- A blank cell is an unanswered question (money other income and member income: 0). A
  column the file does not have is filled as `survey_start` fills it: tenure and housing
  condition from the household, water, electricity, waste and welfare from the household's
  previous submitted survey (or, for a replaced draft, what the draft holds).
- The national ID links a member to a registry person living in that house (age then from the
  birth date); someone not registered is given by name (and age). A masked ID (from an
  export without full IDs) is refused with a message saying so.

The semantics
- Each house becomes a survey in its district's round of the fiscal year (given, or that of
  the survey date; the survey date defaults to the import day). The round must exist and be
  open, and the date lie in it. The importer needs `surveys.record` where the community is
  (elsewhere the community looks unknown).
- By default the surveys are submitted: each must be complete (an incomplete one is an error
  on the cell of every missing answer) and is classified with the rules and dated
  parameters of its survey date; the household's survey poverty status follows. With
  `draft=True` (`--draft`, "Import as drafts") they are saved as drafts, unclassified.
- A house that already has a survey in the round is refused; with `replace_drafts=True`
  (`--replace-drafts`) an existing *draft* is overwritten (its answers by the file's columns,
  its members by the file's rows); a submitted survey is always refused (reopen it first).

MIRRORS surveys/services.py: the answers and members are checked by the services' own
`_clean_answers` and `_clean_members`, the date by `_check_survey_date`, and classified with
the same pure functions (`survey_facts`, `domain.compute_measures`, `domain.classify`) over
`rules_on`/`ages_on`/`_parameter` of the survey date (cached per date); what is repeated here,
for speed and one audit event per import, is `survey_start` (round of the district, open,
date in the round, active household in a community not dissolved, one survey per household
and round, the prefill), `_completeness_errors` (per cell, with the same rules),
`_apply_classification`, `survey_submit` (status, submitted at/by) and
`_refresh_household_poverty` (the household follows its latest submitted survey). A change to
one of those must be made here too; `test_imports_surveys.py` compares both paths. One rule is
the import's own: a member given by national ID must not be recorded as deceased.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from chumchon.accounts.scoping import reach_of
from chumchon.core.dates import fiscal_year as fiscal_year_of
from chumchon.core.excel import looks_like_formula
from chumchon.core.national_id import national_id_hash

from ..models import Community, Household, Person, Survey, SurveyMember, SurveyRound
from ..surveys import domain, services
from . import cells
from .base import ABSENT, INVALID, Importer, blank, chunks
from .columns import SURVEYS
from .problems import CellError, Problem

BATCH = 500
HOUSE_KEYS = ("community_code", "house_no", "house_code")
#: Columns of the house (the survey), besides its key; fiscal year and date choose the round.
HOUSE_COLUMNS = ("fiscal_year", "surveyed_on", *services.HOUSEHOLD_ANSWERS)
#: Columns of a member (national_id links a registry person).
MEMBER_COLUMNS = ("national_id", *services.MEMBER_ANSWERS)
MONEY_COLUMNS = ("other_income_year", "expenses_month", "debt_formal", "debt_informal", "savings")
#: What survey_start copies from the previous submitted survey when the file has no column.
PREVIOUS_ANSWERS = ("drinking_water_enough", "water_source", "electricity", "waste")
TEXT_MAX = {
    "surveyor_name": Survey._meta.get_field("surveyor_name").max_length,
    "respondent_name": Survey._meta.get_field("respondent_name").max_length,
    "name": SurveyMember._meta.get_field("name").max_length,
}
HOUSE_NO_MAX = Household._meta.get_field("house_no").max_length
MAX_AGE = 130
#: Survey fields an import writes on a replaced draft.
WRITTEN_FIELDS = [
    *services.HOUSEHOLD_ANSWERS,
    "surveyed_on",
    "status",
    *services.CLASSIFICATION_FIELDS,
    "submitted_at",
    "submitted_by",
    "updated_at",
]
#: Foreign keys full_clean would look up one by one (the import checked them in bulk).
_FOREIGN_KEYS = ["round", "household", "area", "surveyor", "submitted_by", "created_by"]

T = TypeVar("T")


# --- choices ---------------------------------------------------------------------------------

VOCABULARIES: dict[str, list[tuple[str, Any]]] = {
    "tenure": Household.Tenure.choices,
    "housing_condition": Household.Condition.choices,
    "water_source": domain.WATER_SOURCE_CHOICES,
    "electricity": domain.ELECTRICITY_CHOICES,
    "waste": domain.WASTE_CHOICES,
    "welfare_received": domain.WELFARE_CHOICES,
    "occupation": domain.OCCUPATION_CHOICES,
    "education": domain.EDUCATION_CHOICES,
    "health_insurance": domain.HEALTH_INSURANCE_CHOICES,
}
_WORD_SEPARATORS = re.compile(r"[\s_.\u200b]+")
_LIST_SEPARATORS = re.compile(r"[,;\n\u3001]+")
_MASK_MARKS = re.compile(r"[xX*•×]")


def _word_key(text: str) -> str:
    return _WORD_SEPARATORS.sub("", text).lower()


@functools.cache
def choice_table(vocabulary: str) -> dict[str, str]:
    """Every accepted spelling of the vocabulary's answers -> code: the code, the Thai and the
    English label, the label without its part in brackets, that part, and the parts of a label
    split at "/" ("นักเรียน/นักศึกษา"). Codes and whole labels win over parts."""
    choices = VOCABULARIES[vocabulary]
    whole: dict[str, str] = {}
    parts: dict[str, str] = {}
    for code, label in choices:
        whole.setdefault(_word_key(code), code)
        for language in ("th", "en"):
            with translation.override(language):
                name = str(label)
            whole.setdefault(_word_key(name), code)
            bare = name.split(" (")[0]
            pieces = [bare, *re.findall(r"\(([^)]*)\)", name), *bare.split("/")]
            for piece in pieces:
                if piece.strip():
                    parts.setdefault(_word_key(piece), code)
    return {**parts, **whole}


def _choice_names(vocabulary: str) -> str:
    with translation.override("th"):
        return ", ".join(str(label) for _code, label in VOCABULARIES[vocabulary])


def choice(vocabulary: str) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        written = cells.text(value)
        if not written:
            return ""
        code = choice_table(vocabulary).get(_word_key(written))
        if code is None:
            raise CellError(
                _(
                    "“%(value)s” is not an answer to this question: write one of %(choices)s "
                    "(or its code)."
                ),
                value=written,
                choices=_choice_names(vocabulary),
            )
        return code

    return read


def welfare_list(value: Any) -> list[str]:
    """Labels or codes separated by commas -> the sorted codes; blank -> []."""
    written = cells.text(value)
    codes: set[str] = set()
    unknown: list[str] = []
    table = choice_table("welfare_received")
    for part in _LIST_SEPARATORS.split(written):
        part = part.strip()
        if not part:
            continue
        code = table.get(_word_key(part))
        if code is None:
            unknown.append(part)
        else:
            codes.add(code)
    if unknown:
        raise CellError(
            _(
                "“%(value)s” is not a kind of welfare: write one or more of %(choices)s (or "
                "their codes), separated by commas."
            ),
            value=", ".join(unknown),
            choices=_choice_names("welfare_received"),
        )
    return sorted(codes)


# --- other cells -----------------------------------------------------------------------------


def yes_no(value: Any) -> bool | None:
    """ใช่/ไม่ใช่ (Y/N, 1/0); blank is unanswered (None)."""
    if blank(value):
        return None
    return cells.boolean(value)


def amount(value: Any) -> Decimal | None:
    """Baht, at most 2 decimals, not negative; blank -> None."""
    number = cells.decimal(value)
    if number is None:
        return None
    problem = domain.baht_problem(number)
    if problem == "negative":
        raise CellError(_("An amount cannot be negative."))
    if problem == "too_large":
        raise CellError(_("This amount is too large."))
    if problem == "decimals":
        raise CellError(_("An amount in baht has at most 2 decimals."))
    return number


def age(value: Any) -> int | None:
    number = cells.whole_number(value)
    if number is not None and number > MAX_AGE:
        raise CellError(_("An age is a whole number of years from 0 to %(max)s."), max=MAX_AGE)
    return number


def fiscal_year(value: Any) -> int | None:
    """A Buddhist-era fiscal year (2569); a common-era year (2026) is read as BE (+543)."""
    number = cells.whole_number(value)
    if number is None:
        return None
    if 1900 <= number < 2400:
        number += 543
    if not 2500 <= number <= 2700:
        raise CellError(
            _("“%(value)s” is not a fiscal year: write the Buddhist-era year, e.g. 2569."),
            value=cells.text(value),
        )
    return number


def member_national_id(value: Any) -> str:
    written = cells.text(value)
    if not written:
        return ""
    if _MASK_MARKS.search(written):
        raise CellError(
            _(
                "This national ID is masked (an export without full IDs): clear the cell to "
                "list the member by name, or use an export with full national IDs."
            )
        )
    return cells.national_id(written)


def free_text(value: Any) -> str:
    """A text answer; the quote that an export's formula guard put before a text starting
    with =, +, - or @ (core.excel.write_csv) is taken off again."""
    text = cells.text(value)
    if text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text


def limited_text(max_length: int) -> Callable[[Any], str]:
    return lambda value: cells.limited(free_text(value), max_length)


def house_no(value: Any) -> str:
    return cells.limited(cells.house_no(value), HOUSE_NO_MAX)


READERS: dict[str, Callable[[Any], Any]] = {
    "fiscal_year": fiscal_year,
    "surveyed_on": cells.past_date,
    "surveyor_name": limited_text(TEXT_MAX["surveyor_name"]),
    "respondent_name": limited_text(TEXT_MAX["respondent_name"]),
    **dict.fromkeys(MONEY_COLUMNS, amount),
    "tenure": choice("tenure"),
    "housing_condition": choice("housing_condition"),
    "drinking_water_enough": yes_no,
    "water_source": choice("water_source"),
    "electricity": choice("electricity"),
    "waste": choice("waste"),
    "welfare_received": welfare_list,
    "needs": free_text,
    "national_id": member_national_id,
    "name": limited_text(TEXT_MAX["name"]),
    "age": age,
    "occupation": choice("occupation"),
    "income_year": amount,
    "education": choice("education"),
    "in_school": yes_no,
    "reads_thai": yes_no,
    "health_insurance": choice("health_insurance"),
    "has_disability": cells.boolean,
}


# --- messages the services wrote in the active language ---------------------------------------


class Both:
    """A message already written in English and in Thai (a service's ValidationError, which
    is translated when raised): shown in the language active when it is rendered."""

    def __init__(self, en: str, th: str):
        self.en = en
        self.th = th

    def __str__(self) -> str:
        return self.th if (translation.get_language() or "").startswith("th") else self.en


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"": exc.messages}


def in_both_languages(call: Callable[[], T]) -> tuple[T | None, dict[str, list[Both]]]:
    """Run `call`; on a ValidationError run it again in Thai, so that each message can be
    shown in both languages. Returns (result, {}) or (None, {key: [messages]})."""
    with translation.override("en"):
        try:
            return call(), {}
        except ValidationError as exc:
            english = _messages(exc)
    with translation.override("th"):
        try:
            call()
            thai: dict[str, list[str]] = {}
        except ValidationError as exc:
            thai = _messages(exc)
    errors = {}
    for key, messages in english.items():
        translated = thai.get(key, [])
        errors[key] = [
            Both(text, translated[i] if i < len(translated) else text)
            for i, text in enumerate(messages)
        ]
    return None, errors


def _raising(call: Callable[[dict], T]) -> Callable[[], T]:
    """A service helper that collects errors in a dict, as one that raises them."""

    def run() -> T:
        errors: dict[str, list[str]] = {}
        result = call(errors)
        if errors:
            raise ValidationError(errors)
        return result

    return run


# --- rows ------------------------------------------------------------------------------------


@dataclass(slots=True)
class MemberRow:
    row: int
    id_hash: str  # "" without a national ID
    values: dict[str, Any]  # member answers of the file's columns


@dataclass
class House:
    row: int
    community_code: str
    house_no: str
    house_code: str
    values: dict[str, Any] = field(default_factory=dict)  # house columns of the file
    given: dict[str, int] = field(default_factory=dict)  # column -> row that gave a value
    members: list[MemberRow] = field(default_factory=list)
    bad: bool = False

    def row_of(self, key: str) -> int:
        return self.given.get(key, self.row)


@dataclass(slots=True)
class Planned:
    house: House
    survey: Survey
    members: list[SurveyMember]
    replaced: bool


@dataclass(slots=True)
class Rules:
    """What classifying a survey of one date needs (read once per date)."""

    ages: dict[str, int]
    specs: list[domain.RuleSpec]
    thresholds: dict[str, Any]


def survey_import_areas(user: Any) -> list[str] | None:
    """Paths where the user may import surveys (surveys.record); None means everywhere."""
    reach = reach_of(user)
    return None if reach.everything else reach.paths_with("surveys.record")


class SurveyImport(Importer):
    kind = SURVEYS

    def __init__(self, *, draft: bool = False, replace_drafts: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.draft = bool(draft)
        self.replace_drafts = bool(replace_drafts)
        self.houses: list[House] = []
        self.current: House | None = None
        self.seen_no: dict[tuple[str, str], House] = {}
        self.seen_code: dict[str, House] = {}
        self.first_row_of_id: dict[str, int] = {}
        self.plans: list[Planned] = []
        self.rules_by_day: dict[date, Rules | dict[str, list[Both]]] = {}
        self.households_changed = 0

    # --- header --------------------------------------------------------------------------

    def bind_header(self, cells_: list[Any]) -> list[Problem]:
        problems = super().bind_header(cells_)
        if "house_no" not in self.index and "house_code" not in self.index:
            problems.append(
                Problem(
                    None,
                    None,
                    _(
                        "The file needs the column house_no (บ้านเลขที่) or house_code "
                        "(รหัสประจำบ้าน) to say which house each survey is of."
                    ),
                )
            )
        return problems

    # --- reading -------------------------------------------------------------------------

    def add(self, row: int, cells_: list[Any]) -> None:
        self.rows_read += 1
        v = self.values(cells_)
        before = len(self.problems)
        house = self._house(row, v)
        if house is not None:
            self._house_values(row, v, house)
            self._member(row, v, house)
            if len(self.problems) > before:
                house.bad = True

    def _house(self, row: int, v: dict[str, Any]) -> House | None:
        """The house the row belongs to (a new one, or the one above it)."""
        if all(blank(v.get(k)) for k in HOUSE_KEYS):
            if self.current is None:
                self.error(
                    row,
                    "community_code",
                    _(
                        "Give the community code and the house number: a row without them "
                        "belongs to the house above it, and no house starts above this row."
                    ),
                )
            return self.current
        code = self.cell(row, v, "community_code", cells.code_text, required=True)
        number = self.cell(row, v, "house_no", house_no)
        house_code = self.cell(row, v, "house_code", cells.house_code)
        number = "" if number is ABSENT else number
        house_code = "" if house_code is ABSENT else house_code
        if INVALID in (code, number, house_code):
            self.current = House(row, "", "", "", bad=True)  # its other rows follow it
            return self.current
        if not number and not house_code:
            self.error(
                row,
                "house_no" if "house_no" in self.index else "house_code",
                _("Give the house number or the house registration code."),
            )
            self.current = House(row, code, "", "", bad=True)
            return self.current
        current = self.current
        if (
            current is not None
            and not current.bad
            and self._same(current, code, number, house_code)
        ):
            self._remember(current, number, house_code)
            return current
        earlier = (self.seen_code.get(house_code) if house_code else None) or (
            self.seen_no.get((code, number)) if number else None
        )
        if earlier is not None:
            self.error(
                row,
                "house_no" if number else "house_code",
                _(
                    "House %(house)s of community %(code)s is already in rows above (from row "
                    "%(first)s), with other houses in between: keep the rows of a house "
                    "together, one below the other."
                ),
                house=number or house_code,
                code=code,
                first=earlier.row,
            )
            self.current = House(row, code, number, house_code, bad=True)
            return self.current
        house = House(row, code, number, house_code)
        self.houses.append(house)
        self._remember(house, number, house_code)
        self.current = house
        return house

    @staticmethod
    def _same(house: House, code: str, number: str, house_code: str) -> bool:
        if house.community_code != code:
            return False
        if number and house.house_no and number != house.house_no:
            return False
        if house_code and house.house_code and house_code != house.house_code:
            return False
        return bool(
            (number and number == house.house_no) or (house_code and house_code == house.house_code)
        )

    def _remember(self, house: House, number: str, house_code: str) -> None:
        if number and not house.house_no:
            house.house_no = number
        if house_code and not house.house_code:
            house.house_code = house_code
        if house.house_no:
            self.seen_no.setdefault((house.community_code, house.house_no), house)
        if house.house_code:
            self.seen_code.setdefault(house.house_code, house)

    def _house_values(self, row: int, v: dict[str, Any], house: House) -> None:
        for key in HOUSE_COLUMNS:
            if key not in v:
                continue
            value = self.cell(row, v, key, READERS[key])
            if value is INVALID:
                continue
            if blank(v[key]):
                house.values.setdefault(key, value)  # unanswered, unless a row gives it
                continue
            first = house.given.get(key)
            if first is None:
                house.values[key] = value
                house.given[key] = row
            elif house.values[key] != value:
                self.error(
                    row,
                    key,
                    _(
                        "This differs from row %(first)s of the same house: give a house's "
                        "answers once, on its first row, or the same on each of its rows."
                    ),
                    first=first,
                )

    def _member(self, row: int, v: dict[str, Any], house: House) -> None:
        if all(blank(v.get(k)) for k in MEMBER_COLUMNS):
            return  # a row of the house's answers only
        read = {key: self.cell(row, v, key, READERS[key]) for key in MEMBER_COLUMNS}
        national_id = read.pop("national_id")
        values = {k: x for k, x in read.items() if x is not ABSENT and x is not INVALID}
        named = bool(values.get("name")) or read.get("name") is INVALID
        if national_id in (ABSENT, "") and not named:
            self.error(
                row,
                "name" if "name" in self.index else "national_id",
                _("Give the member's name, or the national ID of a registry member of this house."),
            )
        id_hash = ""
        if national_id not in (ABSENT, INVALID, ""):
            id_hash = national_id_hash(national_id)
            first = self.first_row_of_id.setdefault(id_hash, row)
            if first != row:
                self.error(
                    row,
                    "national_id",
                    _("This national ID appears twice in the file: duplicate of row %(first)s"),
                    first=first,
                )
        house.members.append(MemberRow(row, id_hash, values))

    # --- checking against the registry ------------------------------------------------------

    def resolve(self) -> None:
        """Check every house against the registry; a house with a bad cell is only checked
        for its community, household and members' IDs (its answers are incomplete)."""
        houses = self.houses
        if not houses:
            return
        self._prefetch(houses)
        placed: list[tuple[House, Community, Household, SurveyRound, date | None]] = []
        household_rows: dict[int, int] = {}
        for house in houses:
            found = self._place(house)
            if found is None:
                continue
            community, household, survey_round, day = found
            if survey_round is None:  # a bad house
                self._link_members(house, household)
                continue
            first = household_rows.setdefault(household.pk, house.row)
            if first != house.row:
                self.error(
                    house.row,
                    "house_code" if house.house_code else "house_no",
                    _(
                        "This household is already in the file from row %(first)s (under another "
                        "house number or code)."
                    ),
                    first=first,
                )
                continue
            placed.append((house, community, household, survey_round, day))
        self._prefetch_surveys(placed)
        for house, community, household, survey_round, day in placed:
            plan = self._plan(house, community, household, survey_round, day)
            if plan is not None:
                self.plans.append(plan)
                self.touched_paths.add(community.area.path)

    def _prefetch(self, houses: list[House]) -> None:
        self.communities: dict[str, Community] = {}
        for batch in chunks({h.community_code for h in houses}):
            communities = Community.objects.filter(area__code__in=batch).select_related(
                "area__parent"
            )
            for community in communities:
                if self.in_reach(community.area.path):
                    self.communities[community.area.code] = community
        community_ids = [c.pk for c in self.communities.values()]
        self.by_code: dict[str, Household] = {}
        for batch in chunks({h.house_code for h in houses if h.house_code}):
            for household in Household.objects.filter(house_code__in=batch):
                self.by_code[household.house_code] = household
        self.by_no: dict[tuple[int, str], list[Household]] = {}
        numbers = {h.house_no for h in houses if h.house_no}
        for batch in chunks(community_ids):
            households = Household.objects.filter(community_id__in=batch)
            if len(numbers) <= 5000:
                households = households.filter(house_no__in=numbers)
            for household in households.order_by("pk"):
                self.by_no.setdefault((household.community_id, household.house_no), []).append(
                    household
                )
        self.people: dict[str, Person] = {}
        hashes = {m.id_hash for h in houses for m in h.members if m.id_hash}
        for batch in chunks(hashes):
            for person in Person.objects.filter(national_id_hash__in=batch):
                self.people[person.national_id_hash] = person
        districts = {c.area.parent_id for c in self.communities.values()}
        self.rounds: dict[tuple[int, int], SurveyRound] = {}
        for round_ in SurveyRound.objects.filter(area_id__in=districts).select_related("area"):
            self.rounds[(round_.area_id, round_.fiscal_year)] = round_

    def _household(self, house: House, community: Community) -> Household | None:
        key_column = "house_code" if house.house_code else "house_no"
        if house.house_code:
            household = self.by_code.get(house.house_code)
            if household is None or household.community_id != community.pk:
                self.error(
                    house.row,
                    key_column,
                    _(
                        "No household of community %(code)s has this house registration code: "
                        "check the code, or add the household to the registry first."
                    ),
                    code=community.area.code,
                )
                return None
            if house.house_no and household.house_no != house.house_no:
                self.error(
                    house.row,
                    "house_no",
                    _("The registry gives house number %(no)s for this house registration code."),
                    no=household.house_no,
                )
                return None
            return household
        found = self.by_no.get((community.pk, house.house_no), [])
        if len(found) > 1:
            self.error(
                house.row,
                "house_no",
                _(
                    "Several households of this community have the house number %(no)s: give "
                    "the house registration code to say which one."
                ),
                no=house.house_no,
            )
            return None
        if not found:
            self.error(
                house.row,
                "house_no",
                _(
                    "House %(no)s is not in the registry of community %(code)s: add the "
                    "household first (the households and people import, or its page)."
                ),
                no=house.house_no,
                code=community.area.code,
            )
            return None
        return found[0]

    def _round_column(self, house: House) -> str:
        if "fiscal_year" in house.given or "surveyed_on" not in house.given:
            return "fiscal_year" if "fiscal_year" in self.index else "surveyed_on"
        return "surveyed_on"

    def _place(
        self, house: House
    ) -> tuple[Community, Household, SurveyRound | None, date | None] | None:
        """The house's community, household, round and survey date (None: the file's date is
        blank; no round for a bad house); None after recording a problem."""
        community = self.communities.get(house.community_code)
        if community is None:
            self.error(
                house.row,
                "community_code",
                _("Unknown community: there is no community with the code %(code)s."),
                code=house.community_code,
            )
            return None
        if community.is_dissolved:
            self.error(
                house.row,
                "community_code",
                _("The community %(code)s is dissolved: its houses are not surveyed."),
                code=community.area.code,
            )
            return None
        household = self._household(house, community)
        if household is None:
            return None
        if not household.is_active:
            self.error(
                house.row,
                "house_code" if house.house_code else "house_no",
                _("House %(no)s is no longer active: it is not surveyed."),
                no=household.house_no,
            )
            return None
        if house.bad:
            return community, household, None, None
        day = house.values.get("surveyed_on")
        year = house.values.get("fiscal_year")
        if isinstance(day, date) and year and fiscal_year_of(day) != year:
            self.error(
                house.row_of("surveyed_on"),
                "surveyed_on",
                _(
                    "The survey date is in fiscal year %(actual)s, not in fiscal year %(year)s "
                    "as the column “%(column)s” says."
                ),
                actual=fiscal_year_of(day),
                year=year,
                column=self.headers.get("fiscal_year", "fiscal_year"),
            )
            return None
        if not year:
            year = fiscal_year_of(day if isinstance(day, date) else self.today)
        district = community.area.parent
        survey_round = self.rounds.get((community.area.parent_id, year))
        if survey_round is None:
            self.error(
                house.row_of(self._round_column(house)),
                self._round_column(house),
                _(
                    "There is no survey round for fiscal year %(year)s in %(district)s: the "
                    "district office opens the round first."
                ),
                year=year,
                district=district.name_th if district else "",
            )
            return None
        if not survey_round.is_open:
            self.error(
                house.row_of(self._round_column(house)),
                self._round_column(house),
                _(
                    "The survey round of fiscal year %(year)s in %(district)s is closed: ask "
                    "the district office to reopen it."
                ),
                year=year,
                district=survey_round.area.name_th,
            )
            return None
        return community, household, survey_round, day if isinstance(day, date) else None

    def _prefetch_surveys(self, placed: list[tuple]) -> None:
        """Surveys already in the rounds, and each household's previous submitted survey."""
        self.existing: dict[tuple[int, int], Survey] = {}
        self.previous: dict[int, list[Survey]] = {}
        household_ids = [p[2].pk for p in placed]
        round_ids = {p[3].pk for p in placed}
        need_previous = any(
            key not in self.index for key in (*PREVIOUS_ANSWERS, "welfare_received")
        )
        for batch in chunks(household_ids):
            for survey in Survey.objects.filter(household_id__in=batch, round_id__in=round_ids):
                self.existing[(survey.round_id, survey.household_id)] = survey
            if need_previous:
                earlier = (
                    Survey.objects.filter(household_id__in=batch, status=Survey.Status.SUBMITTED)
                    .select_related("round")
                    .order_by("household_id", "-round__fiscal_year")
                )
                for survey in earlier:
                    self.previous.setdefault(survey.household_id, []).append(survey)

    def _previous(self, household: Household, survey_round: SurveyRound) -> Survey | None:
        """As services._previous_survey: the latest submitted survey of an earlier year."""
        for survey in self.previous.get(household.pk, []):
            if survey.round.fiscal_year < survey_round.fiscal_year:
                return survey
        return None

    def _rules(self, day: date) -> Rules | dict[str, list[Both]]:
        found = self.rules_by_day.get(day)
        if found is None:

            def read() -> Rules:
                rules = services.rules_on(day)
                return Rules(
                    ages=services.ages_on(day),
                    specs=[r.spec() for r in rules],
                    thresholds={
                        r.parameter_key: services._parameter(r.parameter_key, day)
                        for r in rules
                        if r.parameter_key
                    },
                )

            result, errors = in_both_languages(read)
            found = result if result is not None else errors
            self.rules_by_day[day] = found
        return found

    def _service_problems(
        self, house: House, errors: dict[str, list[Both]], members: list[MemberRow] | None = None
    ) -> None:
        """Errors of a service helper (keyed by field, or "members.<n>") on the house's cells."""
        for key, messages in errors.items():
            row, column = house.row_of(key), key
            if key.startswith("members.") and members is not None:
                n = int(key.split(".", 1)[1])
                row = members[n - 1].row if 0 < n <= len(members) else house.row
                column = "name" if "name" in self.index else "national_id"
            elif key not in self.position:
                column = "community_code"
            for message in messages:
                self.problems.append(Problem(row, self.headers.get(column, column), message))

    def _link_members(self, house: House, household: Household) -> list[dict[str, Any]]:
        """The members as the services take them; a national ID must be of a person of the
        household in the registry (not deceased)."""
        member_dicts = []
        for m in house.members:
            data = dict(m.values)
            if m.id_hash:
                person = self.people.get(m.id_hash)
                if person is None or person.household_id != household.pk:
                    self.error(
                        m.row,
                        "national_id",
                        _(
                            "No one with this national ID lives in house %(no)s in the "
                            "registry: leave the ID blank and give the name of someone not "
                            "registered."
                        ),
                        no=household.house_no,
                    )
                    continue
                if person.status == Person.Status.DECEASED:
                    self.error(
                        m.row,
                        "national_id",
                        _(
                            "This person is recorded as deceased in the registry: correct the "
                            "status on the person's page first."
                        ),
                    )
                    continue
                data["person"] = person.pk
            member_dicts.append(data)
        return member_dicts

    def _plan(
        self,
        house: House,
        community: Community,
        household: Household,
        survey_round: SurveyRound,
        day: date | None,
    ) -> Planned | None:
        before = len(self.problems)
        existing = self.existing.get((survey_round.pk, household.pk))
        replaced = False
        if existing is not None:
            if existing.is_submitted:
                self.error(
                    house.row,
                    "house_code" if house.house_code else "house_no",
                    _(
                        "House %(no)s already has a submitted survey in this round: reopen it "
                        "on its page first if it must change."
                    ),
                    no=household.house_no,
                )
                return None
            if not self.replace_drafts:
                self.error(
                    house.row,
                    "house_code" if house.house_code else "house_no",
                    _(
                        "House %(no)s already has a draft survey in this round: import with "
                        "“replace drafts” (--replace-drafts) to overwrite it, or finish it on "
                        "its page."
                    ),
                    no=household.house_no,
                )
                return None
            survey = existing
            survey.round = survey_round
            survey.household = household
            replaced = True
        else:
            survey = Survey(
                round=survey_round,
                household=household,
                area=community.area,
                surveyed_on=day or self.today,
                surveyor=self.user,
                surveyor_name=services._user_name(self.user),
                tenure=household.tenure,
                housing_condition=household.condition,
                created_by=self.user,
            )
            previous = self._previous(household, survey_round)
            if previous is not None:
                for name in (*PREVIOUS_ANSWERS, "welfare_received"):
                    setattr(survey, name, getattr(previous, name))
        if day is not None:
            survey.surveyed_on = day
        _result, errors = in_both_languages(
            lambda: services._check_survey_date(survey_round, survey.surveyed_on)
        )
        if errors:
            self._service_problems(house, errors)
            return None
        # the answers the file gives, checked by the service's own rules
        answers = {k: v for k, v in house.values.items() if k in services.HOUSEHOLD_ANSWERS}
        if not answers.get("surveyor_name") and "surveyor_name" in answers:
            del answers["surveyor_name"]  # blank: the importer's name (new) or the draft's
        cleaned, errors = in_both_languages(
            _raising(lambda errors: services._clean_answers(answers, errors))
        )
        if errors:
            self._service_problems(house, errors)
            return None
        for name, value in cleaned.items():
            setattr(survey, name, value)
        member_dicts = self._link_members(house, household)
        if len(self.problems) > before:
            return None
        members, errors = in_both_languages(
            _raising(lambda errors: services._clean_members(survey, member_dicts, errors))
        )
        if errors:
            self._service_problems(house, errors, house.members)
            return None
        try:
            survey.clean_fields(exclude=_FOREIGN_KEYS)
        except ValidationError as exc:
            for key, errors_ in exc.error_dict.items():
                column = key if key in self.index else "community_code"
                self.problems.append(
                    Problem(
                        house.row_of(key),
                        self.headers.get(column, column),
                        ValidationError(errors_),
                    )
                )
            return None
        if not self.draft:
            rules = self._rules(survey.surveyed_on)
            if not isinstance(rules, Rules):
                self._service_problems(house, {"surveyed_on": sum(rules.values(), [])})
                return None
            if not self._complete(house, survey, members, rules):
                return None
            self._classify(survey, members, rules)
            survey.status = Survey.Status.SUBMITTED
            survey.submitted_at = self.now
            survey.submitted_by = self.user
        return Planned(house, survey, members, replaced)

    def _complete(
        self, house: House, survey: Survey, members: list[SurveyMember], rules: Rules
    ) -> bool:
        """services._completeness_errors, one error per unanswered cell."""
        before = len(self.problems)
        missing = _(
            "This question must be answered before the survey is submitted: answer it, or "
            "import the file as drafts."
        )
        for name in services.REQUIRED_ANSWERS:
            value = getattr(survey, name)
            if value is None or value == "":
                self.error(house.row_of(name), name, missing)
        if not members:
            self.error(
                house.row,
                "name" if "name" in self.index else "national_id",
                _(
                    "List at least one member of the household before the survey is "
                    "submitted (one row per member), or import the file as drafts."
                ),
            )
        ages = rules.ages
        school = (ages[domain.PARAM_SCHOOL_AGE_FROM], ages[domain.PARAM_SCHOOL_AGE_TO])
        working_from = ages[domain.PARAM_WORKING_AGE_FROM]
        for member, row in zip(members, house.members, strict=True):
            age_ = services.member_age(member, survey.surveyed_on)
            unanswered = []
            if age_ is None:
                unanswered.append("age")
            for name in ("occupation", "education", "health_insurance"):
                if not getattr(member, name):
                    unanswered.append(name)
            if age_ is not None and school[0] <= age_ <= school[1] and member.in_school is None:
                unanswered.append("in_school")
            if age_ is not None and age_ >= working_from and member.reads_thai is None:
                unanswered.append("reads_thai")
            for name in unanswered:
                self.error(row.row, name, missing)
        return len(self.problems) == before

    def _classify(self, survey: Survey, members: list[SurveyMember], rules: Rules) -> None:
        """services.classify_facts and services._apply_classification, with the rules and
        parameters of the date read once."""
        measures = domain.compute_measures(services.survey_facts(survey, members), rules.ages)
        result = domain.classify(measures, rules.specs, rules.thresholds)
        survey.is_poor = result.is_poor
        survey.income_per_person_year = measures["income_per_person_year"]
        for code in domain.DIMENSION_CODES:
            setattr(survey, f"deprived_{code}", result.deprived[code])
        survey.deprivation_count = result.deprivation_count
        survey.reasons = result.reasons
        survey.classified_at = self.now

    # --- counts and writing ------------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        submitted = [p for p in self.plans if p.survey.status == Survey.Status.SUBMITTED]
        return {
            "created": sum(1 for p in self.plans if not p.replaced),
            "updated": sum(1 for p in self.plans if p.replaced),
            "unchanged": 0,
            "submitted": len(submitted),
            "drafts": len(self.plans) - len(submitted),
            "members": sum(len(p.members) for p in self.plans),
            "poor": sum(1 for p in submitted if p.survey.is_poor),
            "households_changed": self.households_changed,
        }

    def commit(self, *, change_reason: str) -> None:
        history = {"default_user": self.user, "default_change_reason": change_reason}
        new = [p.survey for p in self.plans if not p.replaced]
        for batch in chunks(new, BATCH):
            bulk_create_with_history(batch, Survey, batch_size=BATCH, **history)
        replaced = [p.survey for p in self.plans if p.replaced]
        for batch in chunks(replaced, BATCH):
            SurveyMember.objects.filter(survey_id__in=[s.pk for s in batch]).delete()
            for survey in batch:
                survey.updated_at = self.now
            bulk_update_with_history(batch, Survey, WRITTEN_FIELDS, batch_size=BATCH, **history)
        rows = []
        for plan in self.plans:
            for member in plan.members:
                member.survey = plan.survey
                rows.append(member)
        SurveyMember.objects.bulk_create(rows, batch_size=1000)
        if not self.draft:
            self._refresh_households(history)

    def _refresh_households(self, history: dict[str, Any]) -> None:
        """services._refresh_household_poverty for every surveyed household: its survey
        status follows its latest submitted survey."""
        households = {p.survey.household_id: p.survey.household for p in self.plans}
        changed = []
        for batch in chunks(list(households)):
            latest: dict[int, Survey] = {}
            surveys = (
                Survey.objects.filter(household_id__in=batch, status=Survey.Status.SUBMITTED)
                .order_by("household_id", "-round__fiscal_year", "-surveyed_on", "-id")
                .only("household_id", "is_poor", "surveyed_on")
            )
            for survey in surveys:
                latest.setdefault(survey.household_id, survey)
            for pk in batch:
                household = households[pk]
                survey = latest.get(pk)
                poor = survey.is_poor if survey else None
                on = survey.surveyed_on if survey else None
                if household.survey_poor == poor and household.survey_poor_on == on:
                    continue
                household.survey_poor = poor
                household.survey_poor_on = on
                household.updated_at = self.now
                changed.append(household)
        for batch in chunks(changed, BATCH):
            bulk_update_with_history(
                batch,
                Household,
                ["survey_poor", "survey_poor_on", "updated_at"],
                batch_size=BATCH,
                **history,
            )
        self.households_changed = len(changed)


# --- the template ----------------------------------------------------------------------------

TEMPLATE_NOTES = (
    "หนึ่งแถวต่อสมาชิกหนึ่งคน: ข้อมูลของบ้าน (รหัสชุมชน บ้านเลขที่ ปีงบประมาณ คำตอบของครัวเรือน) "
    "กรอกในแถวแรกของบ้าน หรือกรอกซ้ำทุกแถวก็ได้",
    "แถวของบ้านเดียวกันต้องอยู่ติดกัน; แถวที่ไม่กรอกรหัสชุมชน บ้านเลขที่ และรหัสประจำบ้าน เป็นสมาชิกอีกคนของบ้านในแถวบน",
    "บ้านต้องมีอยู่ในทะเบียนแล้ว และรอบการสำรวจของเขตในปีงบประมาณนั้นต้องเปิดอยู่",
    "ตัวเลือกกรอกเป็นคำภาษาไทย (ดูแผ่นงาน “ค่าที่ใช้ได้”) หรือรหัสก็ได้; ใช่/ไม่ใช่ กรอก ใช่ ไม่ใช่ Y N 1 0",
    "ช่องที่เว้นว่าง = ไม่ได้ตอบ; ถ้าไม่มีคอลัมน์นั้นในไฟล์ ใช้ข้อมูลจากทะเบียนหรือแบบสำรวจปีก่อน",
    "ปกติแบบสำรวจที่นำเข้าจะถูกส่ง (จัดกลุ่มความยากจนทันที) ต้องตอบครบทุกข้อที่จำเป็น; "
    "เลือก “นำเข้าเป็นฉบับร่าง” เพื่อบันทึกไว้ก่อน",
    "บ้านที่มีแบบสำรวจในรอบนี้แล้วจะไม่ถูกนำเข้า; เลือก “แทนที่ฉบับร่าง” "
    "เพื่อเขียนทับฉบับร่างเดิม (แบบที่ส่งแล้วต้องเปิดแก้ไขก่อน)",
    "สมาชิกที่มีในทะเบียน กรอกเลขประจำตัวประชาชน (อายุคิดจากวันเกิด); คนที่ไม่มีในทะเบียน กรอกชื่อและอายุ",
    "วันที่: วัน/เดือน/ปี พ.ศ. (15/01/2569) หรือ ค.ศ. (2026-01-15) ก็ได้",
    "ตรวจทั้งไฟล์ก่อนบันทึก: ถ้ามีข้อผิดพลาดแม้แต่แถวเดียว จะไม่บันทึกอะไรเลย",
)
YES_NO_WORDS = "ใช่ / ไม่ใช่ (Y/N, yes/no, 1/0)"


def template_xlsx() -> bytes:
    """The survey template: the columns (Thai headers, notes with the key and the help), a
    sheet explaining each column, and a sheet of the accepted answers with their codes."""

    from .columns import COLUMNS
    from .template import new_book

    columns = COLUMNS[SURVEYS]
    buffer, book = new_book()
    required = book.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1})
    house = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    member = book.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1})
    as_text = book.add_format({"num_format": 49})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("แบบสำรวจ")
    for index, column in enumerate(columns):
        style = required if column.required else member if column.key in MEMBER_COLUMNS else house
        sheet.write_string(0, index, column.thai, style)
        note = column.key + (" (จำเป็น)" if column.required else "")
        if column.hint:
            note += f"\n{column.hint}"
        sheet.write_comment(0, index, note)
        sheet.set_column(
            index, index, max(12, len(column.thai) + 4), as_text if column.text else None
        )
    sheet.freeze_panes(1, 0)

    help_sheet = book.add_worksheet("คำอธิบาย")
    titles = ("หัวตาราง", "ชื่อคอลัมน์ (key)", "ของ", "จำเป็น", "ตัวอย่าง", "หมายเหตุ")
    for c, title in enumerate(titles):
        help_sheet.write_string(0, c, title, bold)
    for r, column in enumerate(columns, start=1):
        help_sheet.write_string(r, 0, column.thai)
        help_sheet.write_string(r, 1, column.key)
        help_sheet.write_string(r, 2, "สมาชิก" if column.key in MEMBER_COLUMNS else "บ้าน")
        help_sheet.write_string(r, 3, "จำเป็น" if column.required else "")
        help_sheet.write_string(r, 4, str(column.example))
        help_sheet.write_string(r, 5, column.hint)
    for offset, note in enumerate(TEMPLATE_NOTES, start=len(columns) + 2):
        help_sheet.write_string(offset, 0, note)
    help_sheet.set_column(0, 0, 34)
    help_sheet.set_column(1, 1, 24)
    help_sheet.set_column(4, 5, 30)

    values = book.add_worksheet("ค่าที่ใช้ได้")
    by_key = {c.key: c for c in columns}
    col = 0
    for vocabulary, choices in VOCABULARIES.items():
        values.write_string(0, col, by_key[vocabulary].thai, bold)
        values.write_string(0, col + 1, "รหัส", bold)
        with translation.override("th"):
            for r, (code, label) in enumerate(choices, start=1):
                values.write_string(r, col, str(label))
                values.write_string(r, col + 1, code)
        values.set_column(col, col, 34)
        values.set_column(col + 1, col + 1, 18)
        col += 3
    values.write_string(0, col, "ใช่/ไม่ใช่", bold)
    values.write_string(1, col, YES_NO_WORDS)
    values.set_column(col, col, 30)
    book.close()
    return buffer.getvalue()
