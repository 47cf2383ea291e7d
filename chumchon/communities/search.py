"""The staff search of the registry: one box for communities, households and people.

`search_registry(user, text=..., national_id=..., limit=20) -> SearchResults`

- Text: stripped, spaces collapsed, Thai digits made Arabic. People: one token matches the first
  name, the last name or both run together ("สมชายใจดี"); two tokens match first name and last
  name ("สมชาย ใจดี"; what follows the first token is the last name: "ณ อยุธยา"). A title typed
  before the name ("นายสมชาย", "นาง สมศรี") is dropped. Communities: the Thai or English name or
  the code, every token. Households: the house number (exact or prefix) or the 11-digit house
  registration code (prefix, from 4 digits), only when the text has a digit.
- A fragment of 3 characters or more matches anywhere in a name; a shorter one only at the
  start of a name (or of a word in a community's name, "ชุมชน" set aside).
- National ID: exact, through the keyed hash (`services.find_person_by_national_id`), among the
  people where the user may see IDs (`records.view`: not committee members); each search is
  audited with the ID masked. Callers take it from a POST body, never from a URL.
- Everything is scoped with `permissions.*_scope`: what the user may not see is not counted.
- Ranking: exact match, then the (first) name starts with it, then a word or the last name
  starts with it, then anywhere; ties by the shorter name, then the name (Thai order on
  PostgreSQL). The first `limit` per kind, and a count that stops at 1,001 ("more than 1,000").

Indexes (migration 0004, PostgreSQL): a pg_trgm GIN index on `translate(first_name ||
last_name, marks, letters)` pre-filters substrings. pg_trgm splits words at characters that are
not letters, and Thai tone marks (่ ้ ๊ ๋), ็ and ์ are not letters to it: "ก้อ" would look like
the one-letter words "ก" and "อ", and the index would return a large part of the table. The
expression maps every Thai combining mark to a Greek letter, so trigrams run across them. The
index only pre-filters: the query also applies the exact test on the real names (strpos, an
exact substring search; prefixes by LIKE), so results are exactly the matches, marks included
("ส้ม" never finds "สม"), and nothing is ranked by similarity. Exact names and prefixes use
btree indexes on `upper(x COLLATE "C")` (ASCII case folding: Thai has no case, and upper() under
the cluster's ICU collation costs microseconds a row).

Ranking on PostgreSQL reads candidates, not every match: the first 100 names starting with the
text in index order (so an exact name comes first), and up to 1,001 rows that contain it; one
statement unions them, ranks them and counts them. The ranking and the count are exact whenever
there are 1,000 matches or fewer; beyond that, exact and prefix matches still come first and the
other matches are a sample ("more than 1,000": the user narrows the search). SQLite ranks every
match (slower, exact). For a reach of up to 200 areas, the people and households queries also
carry the list of area ids, so PostgreSQL can intersect the name index with the area index.

Queries per text search: the user's reach (once per request) and the area ids (scoped users),
then per kind one on SQLite and for communities (the page with its count), two on PostgreSQL for
households and people (the ranked ids with the count, then the rows shown); none for households
when the text has no digit. Per national-ID search: the reach, the hash lookup, the scoped read
and the audit row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Lookup,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from chumchon.accounts.scoping import path_filter, reach_of, scope_queryset
from chumchon.core.audit import record_event
from chumchon.core.national_id import mask_national_id, validate_national_id
from chumchon.organizations.models import Area

from . import domain
from .models import Community, Household, Person
from .permissions import community_scope, household_scope, person_scope
from .services import find_person_by_national_id

__all__ = [
    "COUNT_CAP",
    "MAX_QUERY_LENGTH",
    "SHORT_FRAGMENT",
    "SearchResults",
    "normalize_query",
    "search_registry",
]

MAX_QUERY_LENGTH = 100
#: Fragments shorter than this match only at the start of a name.
SHORT_FRAGMENT = 3
#: Counts stop above this: "more than 1,000".
COUNT_CAP = 1000
#: Candidates read from a branch that only serves the ranking (exact and prefix matches).
RANK_CAP = 100
#: House registration codes are searched from this many digits (the registration office).
HOUSE_CODE_PREFIX = 4
#: Beyond this many areas in reach, scoping by a list of area ids no longer helps.
SCOPE_LIST_MAX = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 100

#: Thai combining marks (above/below vowels, tone marks, ็ ์ ํ ๎) and the letters the index
#: expression puts in their place (see the module docstring and migration 0004).
THAI_MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a" + "".join(
    chr(c) for c in range(0x0E47, 0x0E4F)
)
MARK_LETTERS = "".join(chr(0x03B1 + i) for i in range(len(THAI_MARKS)))
_FOLD = str.maketrans(THAI_MARKS, MARK_LETTERS)
COMMUNITY_WORD = "ชุมชน"

_SPACES = re.compile(r"\s+")
_TITLES = sorted(domain.PREFIXES, key=len, reverse=True)


@dataclass
class SearchResults:
    """What one search found in the user's reach. Counts stop at COUNT_CAP: `*_more` says
    there are more than that (the page shows "more than 1,000")."""

    text: str = ""
    by_national_id: bool = False
    national_id_masked: str = ""
    communities: list[Community] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    community_count: int = 0
    household_count: int = 0
    person_count: int = 0
    communities_more: bool = False
    households_more: bool = False
    people_more: bool = False

    @property
    def found_nothing(self) -> bool:
        return not (self.communities or self.households or self.people)


def normalize_query(text: Any) -> str:
    """Spaces trimmed and collapsed, zero-width spaces dropped, Thai digits made Arabic."""
    cleaned = domain.thai_digits_to_ascii(domain.clean_text(text))
    return _SPACES.sub(" ", cleaned).strip()


def search_registry(
    user: Any, *, text: str = "", national_id: str = "", limit: int = DEFAULT_LIMIT
) -> SearchResults:
    """Search the registry within the user's reach: by national ID when one is given (exact,
    audited), else by `text`. Raises ValidationError naming the field ("q" or "national_id")
    when the input cannot be searched (empty, too long, not a national ID)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    if national_id is not None and str(national_id).strip():
        return _by_national_id(user, str(national_id), limit)
    query = normalize_query(text)
    if not query:
        raise ValidationError(
            {"q": _("Type part of a name, a house number or a community code to search.")},
            code="required",
        )
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError(
            {
                "q": _("The search text is too long: at most %(max)s characters (%(count)s typed).")
                % {"max": MAX_QUERY_LENGTH, "count": len(query)}
            },
            code="max_length",
        )
    results = SearchResults(text=query)
    results.communities, results.community_count, results.communities_more = _communities(
        user, query, limit
    )
    area_ids = _scope_area_ids(user, "people.view")
    results.households, results.household_count, results.households_more = _households(
        user, query, limit, area_ids
    )
    results.people, results.person_count, results.people_more = _people(
        user, query, limit, area_ids
    )
    return results


# --- national ID -------------------------------------------------------------------------------


def _by_national_id(user: Any, national_id: str, limit: int) -> SearchResults:
    try:
        number = validate_national_id(national_id)
    except ValidationError as exc:
        raise ValidationError({"national_id": exc.error_list}) from None
    masked = mask_national_id(number)
    found = find_person_by_national_id(number)
    people: list[Person] = []
    if found is not None:
        # only where the user may see national IDs (records.view): committee members see no
        # IDs, so an ID does not lead them to a person either
        people = list(
            scope_queryset(_people_base(user), user, perm="records.view").filter(pk=found.pk)[
                :limit
            ]
        )
    person = people[0] if people else None
    record_event(
        actor=user,
        action="person.search_national_id",
        obj=person,
        changes={"national_id_masked": masked, "found": person is not None},
        area_path=None if person is not None else _reach_path(user),
        object_label=None if person is not None else masked,
    )
    return SearchResults(
        by_national_id=True,
        national_id_masked=masked,
        people=people,
        person_count=len(people),
    )


def _reach_path(user: Any) -> str:
    """Where an unsuccessful ID search is filed in the audit log: the user's first area."""
    paths = reach_of(user).paths_with("records.view") or reach_of(user).paths
    return paths[0] if paths else ""


# --- text: shared pieces -----------------------------------------------------------------------

_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _has_case(text: str) -> bool:
    """Whether case can matter: ASCII letters (Thai has no case)."""
    return any("a" <= c <= "z" or "A" <= c <= "Z" for c in text)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


class _Upper(Func):
    """Upper case of ASCII letters only: `UPPER(x COLLATE "C")` on PostgreSQL (the expression
    of migration 0004's btree indexes; the database's ICU upper() is many times slower and Thai
    has no case), SQLite's UPPER() (ASCII only too)."""

    function = "UPPER"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template='UPPER(%(expressions)s COLLATE "C")', **extra_context
        )


class _Joined(Func):
    """first_name || last_name (both NOT NULL): the names run together."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = TextField()


class _FoldedName(Func):
    """translate(first_name || last_name, marks, letters): the trigram index's expression."""

    arg_joiner = " || "
    template = f"translate((%(expressions)s), '{THAI_MARKS}', '{MARK_LETTERS}')"
    output_field = TextField()


class _Like(Lookup):
    """`lhs LIKE pattern` (ILIKE when `insensitive`, PostgreSQL); the pattern is escaped with
    backslashes (PostgreSQL's default escape; SQLite is told)."""

    lookup_name = "chumchon_like"

    def __init__(self, lhs, rhs, insensitive: bool = False):
        super().__init__(lhs, rhs)
        self.insensitive = insensitive

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            operator = "ILIKE" if self.insensitive else "LIKE"
            return f"{lhs} {operator} {rhs}", [*lhs_params, *rhs_params]
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]


class _Name:
    """Conditions on one text column (or expression) for a fragment, case-insensitive for
    ASCII letters. Equality and prefixes compare `_Upper(x)` (migration 0004's btree indexes);
    substrings look for the fragment in x itself unless it has ASCII letters (the trigram index
    pre-filters them: see `_name_prefilter`)."""

    def __init__(self, expression: Any):
        self.expression = F(expression) if isinstance(expression, str) else expression

    def equals(self, text: str) -> Q:
        return Q(_Equals(_Upper(self.expression), Value(text.translate(_ASCII_UPPER))))

    def starts(self, text: str) -> Q:
        pattern = f"{_like_escape(text)}%".translate(_ASCII_UPPER)
        return Q(_Like(_Upper(self.expression), Value(pattern)))

    def contains(self, text: str) -> Q:
        """strpos(x, text) > 0: the exact substring test (no wildcard to escape), which the
        planner estimates as unselective; a LIKE '%text%' there would be estimated very
        selective on top of the index condition, and the planner would then pick plans that
        read every candidate instead of stopping at the cap."""
        if _has_case(text):
            target, text = _Upper(self.expression), text.translate(_ASCII_UPPER)
        else:
            target = self.expression
        return Q(GreaterThan(StrIndex(target, Value(text)), 0))

    def fragment(self, text: str) -> Q:
        """Anywhere from 3 characters; shorter fragments only at the start."""
        return self.contains(text) if len(text) >= SHORT_FRAGMENT else self.starts(text)


class _Equals(Lookup):
    lookup_name = "chumchon_equals"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = {rhs}", [*lhs_params, *rhs_params]


def _name_prefilter(fragments: list[str]) -> Q:
    """PostgreSQL: the trigram index condition for fragments of 3+ characters (implied by the
    exact condition, so it only narrows what the exact condition has to check)."""
    condition = Q()
    if not _on_postgres():
        return condition
    for fragment in fragments:
        if len(fragment) >= SHORT_FRAGMENT:
            pattern = f"%{_like_escape(fragment)}%".translate(_FOLD)
            condition &= Q(
                _Like(
                    _FoldedName(F("first_name"), F("last_name")),
                    Value(pattern),
                    insensitive=_has_case(fragment),
                )
            )
    return condition


@dataclass(frozen=True)
class _Branch:
    """Candidates for the ranking (PostgreSQL): rows meeting `condition`, at most `cap`, in
    the order of the index on `index_order` when given (so a cut keeps the best: an exact
    name sorts before the longer names that start with it)."""

    condition: Q
    cap: int = COUNT_CAP + 1
    index_order: Any = None


def _page_and_count(
    base: QuerySet, match: Q, branches: list[_Branch], sort_keys: dict[str, Any], limit: int
) -> tuple[list, int, bool]:
    """The first `limit` matches ordered by `sort_keys` (column name -> expression, or None for
    a field; the id breaks ties), and their count up to COUNT_CAP + 1. Two queries: the ranked
    ids with the count, then the rows to show; one (the page with the count) without branches.

    On PostgreSQL only the branches' candidates are ranked, in one statement: the union of the
    branches (each reading its rows once, with the sort keys) ordered and counted. Each branch is
    a subset of `match`, and the branches with the full cap (COUNT_CAP + 1) cover it, so the
    candidates are every match when none of those was cut (count and ranking exact), and at
    least COUNT_CAP + 1 rows when one was (there are more than COUNT_CAP matches)."""
    keyed = base.annotate(**{name: expr for name, expr in sort_keys.items() if expr is not None})
    columns = [*sort_keys, "id"]
    if not (_on_postgres() and branches):
        # One query: the page with the count (SQLite, and the small community table).
        page = list(
            keyed.filter(match)
            .annotate(search_total=Window(Count("pk")))
            .order_by(*columns)[:limit]
        )
        count = page[0].search_total if page else 0
        return page, min(count, COUNT_CAP), count > COUNT_CAP
    ranked = _rank_candidates(keyed, branches, columns, limit)
    count = ranked[0][1] if ranked else 0
    ids = [pk for pk, _total in ranked]
    # The rows to show, with what the page needs joined: only these few.
    by_pk = {obj.pk: obj for obj in base.filter(pk__in=ids).order_by()} if ids else {}
    page = [by_pk[pk] for pk in ids if pk in by_pk]
    return page, min(count, COUNT_CAP), count > COUNT_CAP


def _rank_candidates(
    keyed: QuerySet, branches: list[_Branch], columns: list[str], limit: int
) -> list[tuple[int, int]]:
    """(id, number of candidates) of the first `limit` candidates in the order of `columns`:
    SELECT id, COUNT(*) OVER () FROM ((branch 1) UNION (branch 2) ...) ORDER BY ... LIMIT."""
    parts = []
    for branch in branches:
        part = keyed.filter(branch.condition).order_by()
        if branch.index_order is not None:
            part = part.order_by(branch.index_order)
        parts.append(part.values(*columns)[: branch.cap])
    candidates = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    sql, params = candidates.query.sql_with_params()
    quote = connection.ops.quote_name
    # Django's own SQL and quoted column names; every value is a parameter.
    statement = (
        f"SELECT {quote('id')}, COUNT(*) OVER () FROM ({sql}) AS candidates "  # noqa: S608
        f"ORDER BY {', '.join(quote(c) for c in columns)} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, limit])
        return cursor.fetchall()


def _scope_area_ids(user: Any, perm: str) -> list[int] | None:
    """The ids of the areas in the user's reach (where they hold `perm`), or None for
    everything or a reach too wide for a list to help. A constant list lets PostgreSQL
    intersect the name index with the area index before reading rows (the scoped querysets
    filter on the joined area's path, which it can only apply after reading them)."""
    reach = reach_of(user)
    if reach.everything:
        return None
    paths = reach.paths_with(perm)
    if not paths:
        return []
    ids = list(
        Area.objects.filter(path_filter(paths, "path")).values_list("pk", flat=True)[
            : SCOPE_LIST_MAX + 1
        ]
    )
    return None if len(ids) > SCOPE_LIST_MAX else ids


# --- people ------------------------------------------------------------------------------------


def _people_base(user: Any) -> QuerySet[Person]:
    """People in reach, with what a result shows (and nothing more: no phone, birth date or
    welfare flags; the ID only for its masked form)."""
    return (
        person_scope(user)
        .select_related(None)
        .select_related("area", "household__community__area")
        .only(
            "prefix",
            "first_name",
            "last_name",
            "national_id",
            "status",
            "area__code",
            "area__name_th",
            "area__name_en",
            "area__path",
            "area__kind",  # permission checks tell areas from records by it
            "household__house_no",
            "household__community__area__code",
            "household__community__area__name_th",
            "household__community__area__name_en",
            "household__community__area__path",
        )
    )


def _person_tokens(query: str) -> list[str]:
    """Tokens of a person search, without a title written before the name."""
    tokens = query.split(" ")
    first = tokens[0]
    for title in _TITLES:
        if first.lower() == title.lower() and len(tokens) > 1:
            return tokens[1:]
        if first.lower().startswith(title.lower()) and len(first) > len(title):
            return [first[len(title) :].lstrip("."), *tokens[1:]]
    return tokens


def _people(
    user: Any, query: str, limit: int, area_ids: list[int] | None = None
) -> tuple[list[Person], int, bool]:
    tokens = [t for t in _person_tokens(query) if t]
    base = _people_base(user)
    name_length = Length("first_name") + Length("last_name")
    if area_ids is not None:
        base = base.filter(area_id__in=area_ids)
    first_name, last_name = _Name("first_name"), _Name("last_name")
    # Prefix candidates in index order keep the best when cut (an exact name sorts first); for
    # a narrow reach the planner does better starting from the area index, in no order.
    by_first = _Upper(F("first_name")) if area_ids is None else None
    by_last = _Upper(F("last_name")) if area_ids is None else None
    if len(tokens) == 1:
        term = tokens[0]
        joined = _Name(_Joined(F("first_name"), F("last_name")))
        starts_first, starts_last = first_name.starts(term), last_name.starts(term)
        exact = first_name.equals(term) | last_name.equals(term)
        if len(term) < SHORT_FRAGMENT:
            match = starts_first | starts_last
            branches = [
                _Branch(exact, RANK_CAP),
                _Branch(starts_first, index_order=by_first),
                _Branch(starts_last, index_order=by_last),
            ]
        else:
            match = _name_prefilter([term]) & joined.contains(term)
            branches = [
                _Branch(exact, RANK_CAP),
                _Branch(starts_first, RANK_CAP, by_first),
                _Branch(starts_last, RANK_CAP, by_last),
                _Branch(match),
            ]
        rank = Case(
            When(exact | joined.equals(term), then=Value(0)),
            When(starts_first, then=Value(1)),
            When(starts_last, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    else:
        first, last = tokens[0], " ".join(tokens[1:])
        starts_both = first_name.starts(first) & last_name.starts(last)
        match = (
            _name_prefilter([first, last]) & first_name.fragment(first) & last_name.fragment(last)
        )
        if max(len(first), len(last)) >= SHORT_FRAGMENT:
            branches = [_Branch(starts_both, RANK_CAP), _Branch(match)]
        else:
            branches = [_Branch(starts_both)]  # the same rows as `match`
        rank = Case(
            When(first_name.equals(first) & last_name.equals(last), then=Value(0)),
            When(starts_both, then=Value(1)),
            When(first_name.starts(first), then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    sort_keys = {"rank": rank, "name_length": name_length, "first_name": None, "last_name": None}
    return _page_and_count(base, match, branches, sort_keys, limit)


# --- households --------------------------------------------------------------------------------


def _households(
    user: Any, query: str, limit: int, area_ids: list[int] | None = None
) -> tuple[list[Household], int, bool]:
    """House numbers (exact or prefix) and registration codes (prefix from 4 digits): searched
    only when the text has a digit."""
    if not any(c.isdigit() for c in query):
        return [], 0, False
    base = (
        household_scope(user)
        .select_related(None)
        .select_related("community__area__parent__kind")
        .only(
            "house_no",
            "house_code",
            "is_active",
            "area_id",
            "community__area__code",
            "community__area__name_th",
            "community__area__name_en",
            "community__area__path",
            "community__area__parent__code",
            "community__area__parent__name_th",
            "community__area__parent__name_en",
            "community__area__parent__kind__code",
        )
    )
    if area_ids is not None:
        base = base.filter(area_id__in=area_ids)
    house_no = _Name("house_no")
    exact = house_no.equals(query)
    starts = house_no.starts(query)
    branches = [_Branch(starts, index_order=_Upper(F("house_no")))]
    code = query.replace(" ", "").replace("-", "")
    if code.isdigit() and HOUSE_CODE_PREFIX <= len(code) <= domain.HOUSE_CODE_LENGTH:
        # a registration code starts with its 4-digit registration office: no shorter prefix
        exact |= Q(house_code=code)
        branches.append(_Branch(Q(house_code__startswith=code)))
        if len(code) == domain.HOUSE_CODE_LENGTH:
            branches.append(_Branch(Q(house_code=code), RANK_CAP))
    match = Q()
    for branch in branches:
        match |= branch.condition
    rank = Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    sort_keys = {
        "rank": rank,
        "number_length": Length("house_no"),
        "house_no_key": None,
        "community_name": F("community__area__name_th"),
    }
    return _page_and_count(base, match, branches, sort_keys, limit)


# --- communities -------------------------------------------------------------------------------

_COMMUNITY_NAMES = ("area__name_th", "area__name_en", "area__code")


def _community_token(token: str) -> Q:
    """A community whose Thai or English name or code has the token: anywhere from 3
    characters; a shorter token at the start of the name, of a word, or after "ชุมชน"."""
    names = [_Name(name) for name in _COMMUNITY_NAMES]
    if len(token) >= SHORT_FRAGMENT:
        return names[0].contains(token) | names[1].contains(token) | names[2].contains(token)
    return (
        names[0].starts(token)
        | names[1].starts(token)
        | names[2].starts(token)
        | names[0].starts(f"{COMMUNITY_WORD}{token}")
        | names[0].contains(f" {token}")
        | names[1].contains(f" {token}")
    )


def _communities(user: Any, query: str, limit: int) -> tuple[list[Community], int, bool]:
    base = (
        community_scope(user)
        .select_related(None)
        .select_related("area__parent__kind")
        .only(
            "status",
            "area__code",
            "area__name_th",
            "area__name_en",
            "area__path",
            "area__parent__code",
            "area__parent__name_th",
            "area__parent__name_en",
            "area__parent__kind__code",
        )
    )
    match = Q()
    for token in query.split(" "):
        match &= _community_token(token)
    names = [_Name(name) for name in _COMMUNITY_NAMES]
    exact = names[0].equals(query) | names[1].equals(query) | names[2].equals(query)
    prefix = names[0].starts(query) | names[1].starts(query) | names[2].starts(query)
    word = (
        names[0].starts(f"{COMMUNITY_WORD}{query}")
        | names[0].contains(f" {query}")
        | names[1].contains(f" {query}")
    )
    rank = Case(
        When(exact, then=Value(0)),
        When(prefix, then=Value(1)),
        When(word, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    sort_keys = {
        "rank": rank,
        "name_length": Length("area__name_th"),
        "community_name": F("area__name_th"),
    }
    # A few thousand communities at most: no candidate branches needed.
    return _page_and_count(base, match, [], sort_keys, limit)
