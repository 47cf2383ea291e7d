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

Streaming (1,000,000 rows in under 500 MB): the file is read, checked and written in chunks of
CHUNK_ROWS rows inside the caller's one transaction (`run._run_streaming`). Each chunk looks up
only its own national IDs, house codes and house numbers in the registry (`_lookup`); what later
rows need to know about earlier ones is kept compactly for the whole file, in arrays: the first
row of each national ID (`IntMap`), the file's households (`Places`: first row, code, number,
id, the registry's head), the first row claiming each household's head, the registry heads
still to be replaced. The lookups see the registry as it was before the import: on PostgreSQL,
when the import's transaction is the outermost, they run in a second thread on a connection of
its own (which does not see the import's writes); otherwise on the import's connection, where
they see the import's earlier chunks, which cannot change their answers (new records are never
looked up: the file's households and IDs are known from `Places` and the IDs seen), except for a
household renumbered by an earlier chunk, still found under its old number (`renumbered`).
Writes stop at the first problem (the reading goes on, to report every problem) and everything
is rolled back then.

Writing: on PostgreSQL the new households, people, their history rows and the new memberships
go by COPY with ids reserved from the sequences by the lookup; a third thread sends a chunk's
COPY (and checks the deferred foreign keys) while the main thread reads and checks the next
chunk; the updates of existing records run in the main thread between two COPYs. Elsewhere
(SQLite) bulk_create. A new head of a household whose registry head is replaced in the file is
written at the end (`finish`), once every demotion is: one head per household at every moment
(the membership_one_head constraint).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import operator
import threading
from array import array
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial, reduce
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history
from stdnum.th import pin

from chumchon.accounts.scoping import has_perm
from chumchon.core.dates import format_date
from chumchon.core.national_id import _hash_key

from .. import domain
from ..models import Community, Household, Membership, Move, Person
from ..services import registry_counts_refresh
from . import cells
from .base import (
    ABSENT,
    Importer,
    IntMap,
    TableRows,
    chunks,
    copy_supported,
    next_ids,
    one_of,
    send_copy_rows,
    update_many,
)
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
logger = logging.getLogger(__name__)
#: Rows read, checked and written together (module constant, so tests can lower it).
CHUNK_ROWS = 10_000


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


class Places:
    """The file's households (existing or new), kept for the whole file since later rows may
    name them again, by index, in arrays (a million rows name some 400,000 households): the first
    row that gave it, with the house code (as an int, 0: none) and number written there, its
    community, its id (0: a new household not yet written), the registry's head when the file
    first named it (0: none). Found by (community id, house number), by code, by id."""

    def __init__(self) -> None:
        self.row = array("l")
        self.code = array("q")
        self.community = array("q")
        self.pk = array("q")
        self.head = array("q")
        self.new = bytearray()
        self.by_no: dict[str, int] = {}
        self.by_code = IntMap()
        self.by_pk = IntMap()

    @staticmethod
    def number_key(community_id: int, house_no: str) -> str:
        return f"{community_id}\x00{house_no}"

    def add(
        self, row: int, code: str, community_id: int, house_no: str, pk: int | None, head: int
    ) -> int:
        index = len(self.row)
        self.row.append(row)
        self.code.append(int(code) if code else 0)
        self.community.append(community_id)
        self.pk.append(pk or 0)
        self.head.append(head)
        self.new.append(pk is None)
        self.by_no[self.number_key(community_id, house_no)] = index
        if code:
            self.by_code[int(code)] = index
        if pk is not None:
            self.by_pk[pk] = index
        return index

    def numbered(self, community_id: int, house_no: str) -> int | None:
        return self.by_no.get(self.number_key(community_id, house_no))

    def coded(self, code: str) -> int | None:
        return self.by_code.get(int(code)) if code else None


class Found(NamedTuple):
    """An existing household as the lookups read it (no model instance: hundreds of
    thousands of them for a large file); `district_id`: its area's parent."""

    pk: int
    community_id: int
    house_no: str
    house_no_key: str
    house_code: str
    area_path: str
    district_id: int | None


FOUND_FIELDS = (
    "pk",
    "community_id",
    "house_no",
    "house_no_key",
    "house_code",
    "area__path",
    "area__parent_id",
)


@dataclass(slots=True)
class NewHousehold:
    place: int
    community: Community
    house_no: str
    house_code: str


class Member:
    """A membership a row creates: a new person (`person` None) or a person joining `place`
    (an index of `Places`)."""

    __slots__ = (
        "community",
        "in_house",
        "person",
        "person_id",
        "place",
        "relation",
        "row",
        "since",
    )

    def __init__(
        self,
        row: Row,
        person: Person | None,
        place: int,
        community: Community,
        relation: str,
        in_house: bool,
        since: date,
    ):
        self.row = row
        self.person = person
        self.person_id = person.pk if person is not None else None
        self.place = place
        self.community = community
        self.relation = relation
        self.in_house = in_house
        self.since = since


@dataclass
class Plan:
    """The writes of one chunk."""

    new_households: list[NewHousehold] = field(default_factory=list)
    # existing households to change: id -> (found, {field: new value})
    household_updates: dict[int, tuple[Found, dict[str, Any]]] = field(default_factory=dict)
    new_people: list[Member] = field(default_factory=list)
    joins: list[Member] = field(default_factory=list)
    changed_people: dict[int, tuple[Person, set[str]]] = field(default_factory=dict)
    closed_memberships: list[Membership] = field(default_factory=list)
    demoted_memberships: list[Membership] = field(default_factory=list)
    updated_memberships: list[Membership] = field(default_factory=list)
    # (person, from area id, from path, target place, target community, moved on)
    moves: list[tuple[Person, int, str, int, Community, date]] = field(default_factory=list)
    person_target: dict[int, int] = field(default_factory=dict)  # person id -> place
    # memberships whose head relation waits for the end: Members, and (Membership, relation)
    deferred: list[Any] = field(default_factory=list)
    # the new records' rows for COPY (PostgreSQL): (table, columns, rows)
    jobs: list[tuple[str, list[str], list[list[Any]]]] = field(default_factory=list)


@dataclass
class Lookup:
    """What the registry holds for one chunk's rows (`PeopleImport._lookup`)."""

    households: dict[int, Found] = field(default_factory=dict)
    by_code: dict[str, Found] = field(default_factory=dict)
    by_no: dict[tuple[int, str], list[Found]] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    open_membership: dict[int, Membership] = field(default_factory=dict)
    chunk_heads: set[int] = field(default_factory=set)  # people heading their household
    heads_of: dict[int, int] = field(default_factory=dict)  # household id -> head's id
    ids: dict[type, list[int]] = field(default_factory=dict)  # reserved for new records


def _quietly(fn: Any, *args: Any) -> None:
    """Progress is not worth failing an import for."""
    try:
        fn(*args)
    except Exception:
        logger.warning("people import: the progress could not be saved", exc_info=True)


def _point_lookups() -> None:
    """The lookup connection only looks up keys (thousands at a time, `= ANY(array)`), which
    the planner would answer with (parallel) scans of whole tables: index lookups instead,
    several times cheaper."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET max_parallel_workers_per_gather = 0")


def _close_connection() -> None:
    """Close the calling thread's connection (Django's connections are per thread)."""
    connection.close()


class LookupRunner:
    """Runs a chunk's lookups now (`apart` False: on the importer's connection) or in a second
    thread, whose own connection sees the registry as it was before the import; that thread
    closes its connection when the import ends (`stop`)."""

    def __init__(self, *, apart: bool):
        self.apart = apart
        self.executor: ThreadPoolExecutor | None = None

    def submit(self, fn: Any, *args: Any) -> Future:
        if not self.apart:
            done: Future = Future()
            done.set_result(fn(*args))
            return done
        if self.executor is None:
            self.executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="people-lookup", initializer=_point_lookups
            )
        return self.executor.submit(fn, *args)

    def stop(self) -> None:
        if self.executor is not None:
            self.executor.submit(_close_connection).result()
            self.executor.shutdown(wait=True)
            self.executor = None


def _blank_cell(value: Any) -> bool:
    return value is None or not str(value).strip()


def _limited_text(max_length: int, raw: Any) -> str:
    return cells.limited(cells.text(raw), max_length)


_TEXT_READERS = tuple(
    (key, partial(_limited_text, max_length), key in ("first_name", "last_name"))
    for key, max_length in PERSON_TEXT.items()
)


def _cached(reader: Any) -> Any:
    """`reader` remembering its answers for the import (birth dates repeat: a million rows
    hold some 30,000 distinct ones). Problems are not remembered: they are rare."""
    cache: dict[tuple[type, Any], Any] = {}

    def read(raw: Any) -> Any:
        key = (raw.__class__, raw)
        try:
            return cache[key]
        except KeyError:
            pass
        value = reader(raw)
        if len(cache) < 100_000:
            cache[key] = value
        return value

    return read


def _national_id(raw: Any) -> str:
    """cells.national_id, with a short way for 13 plain digits (what most files hold): the same
    answer, the same check (stdnum's check digit; no ID starts with 0 or 9 here)."""
    if (
        raw.__class__ is str
        and len(raw) == 13
        and raw.isascii()
        and raw.isdigit()
        and raw[0] not in "09"
        and pin.calc_check_digit(raw) == raw[12]
    ):
        return raw
    return cells.national_id(raw)


COUNTS = (
    "created",
    "updated",
    "unchanged",
    "households_created",
    "households_updated",
    "moved",
    "moved_from_other_community",
)


class PeopleImport(Importer):
    kind = PEOPLE
    chunk_rows = CHUNK_ROWS

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.chunk_rows = CHUNK_ROWS  # read when the import starts (tests lower it)
        self.rows: list[Row] = []  # the rows of the current chunk
        self.first_row_of_id = IntMap()  # national ID (as an int) -> first row
        self.welfare_allowed: dict[int, bool] = {}
        # the whole file: communities by code (None: unknown or out of reach)
        self.communities: dict[str, Community | None] = {}
        self.places = Places()  # the file's households
        # existing households an earlier chunk renumbered: still found under the old number
        self.renumbered: dict[tuple[int, str], list[Found]] = {}
        self.head_row = IntMap()  # place -> first row claiming the head
        # place -> (first head row, the registry's head), checked by `finish`
        self.registry_heads: dict[int, tuple[int, int]] = {}
        self.heads_in_file = IntMap()  # registry heads (person ids) the file places somewhere
        self.deferred_heads: list[int] = []  # person ids, promoted by `finish`
        # communities whose stored registry counts the writes change (refreshed by `finish`)
        self.counted: set[int] = set()
        self.totals = dict.fromkeys(COUNTS, 0)
        self.write = False
        self.change_reason = ""
        self.plan = Plan()
        self.copy = False
        self.writer = CopyWriter()
        self.lookups = LookupRunner(apart=False)
        self.queued: tuple[list[Row], Future] | None = None  # rows read, lookups started
        self._use(Lookup())
        self._past_date = _cached(cells.past_date)
        # national_id_hash without a new HMAC key schedule per ID (the same hash: see the test)
        self._hasher = hmac.new(_hash_key(), digestmod=hashlib.sha256)

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
        national_id = self.cell(row, v, "national_id", _national_id, required=True)
        fields: dict[str, Any] = {}
        for key, reader, required in _TEXT_READERS:
            value = self.cell(row, v, key, reader, required=required)
            if value.__class__ is str and value:
                fields[key] = value
        sex = self.cell(row, v, "sex", cells.sex)
        if isinstance(sex, str) and sex:
            fields["sex"] = sex
        birth_date = self.cell(row, v, "birth_date", self._past_date)
        if isinstance(birth_date, date):
            fields["birth_date"] = birth_date
        relation = self.cell(row, v, "relation", cells.relation)
        in_house = self.cell(row, v, "in_house_registration", cells.boolean)
        since = self.cell(row, v, "registered_since", self._past_date)
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
            # an int per ID in arrays: a million IDs in 25 MB, not 100
            first = self.first_row_of_id.setdefault(int(national_id), row)
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
                id_hash=self.id_hash(national_id),
                national_id=national_id,
                fields=fields,
                relation=None if relation is ABSENT or not relation else relation,
                in_house_registration=None if in_house is ABSENT else in_house,
                welfare_column=welfare_column,
                since=since if isinstance(since, date) else None,
            )
        )

    def id_hash(self, national_id: str) -> str:
        """national_id_hash of a validated (13-digit) ID."""
        hasher = self._hasher.copy()
        hasher.update(national_id.encode("ascii"))
        return hasher.hexdigest()

    def _before_birth(self, row: int, since: date, birth_date: date) -> None:
        self.error(
            row,
            "registered_since",
            _("The date %(date)s is before the birth date (%(birth)s)."),
            date=format_date(since, "numeric"),
            birth=format_date(birth_date, "numeric"),
        )

    # --- driving (see Importer) ------------------------------------------------------

    def begin(self, *, write: bool, change_reason: str, outermost: bool = False) -> None:
        self.write = write
        self.change_reason = change_reason
        self.copy = copy_supported()
        # Lookups on a connection of their own (a second thread) when this transaction is the
        # outermost: that connection sees the registry as it was before the import, as the
        # checks must; in a surrounding transaction (tests) it would not see what it holds.
        self.lookups = LookupRunner(apart=self.copy and outermost)

    def flush(self) -> None:
        """Check the rows read since the last flush against the registry and write them,
        unless a problem was found (in this file, so far) or this is a dry run.

        Pipelined: the lookups of this chunk start now (on PostgreSQL in a second thread with
        its own connection, when it may), while the previous chunk is checked and written: its
        updates first, then its new records by COPY, sent by a third thread (`CopyWriter`)
        while the main thread reads the next chunk."""
        rows, self.rows = self.rows, []
        if not rows:
            return
        queued = self.queued
        self.queued = (rows, self.lookups.submit(self._lookup, rows))
        if queued is not None:
            self._check_and_write(*queued)

    def finish(self) -> None:
        """The last chunk, the checks that need the whole file, the deferred heads."""
        if self.queued is not None:
            queued, self.queued = self.queued, None
            self._check_and_write(*queued)
        self.writer.wait()
        for first, head_person in self.registry_heads.values():
            # The registry's head keeps the place unless the file moves or demotes them.
            if head_person not in self.heads_in_file:
                self.error(
                    first,
                    "relation",
                    _(
                        "This household already has a head in the registry: change the "
                        "current head's relation in the same file, or leave this one out."
                    ),
                )
        if self._writing() and self.deferred_heads:
            for batch in chunks(self.deferred_heads):
                Membership.objects.filter(person_id__in=batch, until__isnull=True).update(
                    relation=domain.HEAD
                )
        if self._writing():
            # the stored counts of every community the file added to or took from, recomputed
            # once for the whole file (grouped queries), in the import's transaction
            registry_counts_refresh(self.counted)

    def close(self) -> None:
        self.lookups.stop()
        self.writer.stop()

    def report(self, progress: Any, done: int, total: Any) -> None:
        """With the lookups apart, the progress (a job's counter) is saved on their connection:
        committed at once, the job page shows it while the import's transaction runs."""
        if self.lookups.apart:
            self.lookups.submit(_quietly, progress, done, total)
        else:
            progress(done, total)

    def _writing(self) -> bool:
        return self.write and not self.problems

    def _check_and_write(self, rows: list[Row], lookup: Any) -> None:
        self._use(lookup.result())
        self.plan = plan = Plan()
        for r in rows:
            self._resolve_row(r)
        self.totals["households_updated"] += len(plan.household_updates)
        if self._writing():
            self._write(plan)
        self.plan = Plan()
        self._use(Lookup())

    # --- the registry's records for a chunk ------------------------------------------

    def _use(self, lookup: Lookup) -> None:
        self.found = lookup
        self.households = lookup.households
        self.by_code = lookup.by_code
        self.by_no = lookup.by_no
        self.people = lookup.people
        self.open_membership = lookup.open_membership
        self.chunk_heads = lookup.chunk_heads
        self.heads_of = lookup.heads_of

    def _in_batches(self, values: Any) -> Any:
        """PostgreSQL: one array parameter for the whole chunk; SQLite: IN of at most 900."""
        return chunks(values, 1_000_000 if self.copy else 900)

    def _lookup(self, rows: list[Row]) -> Lookup:
        """What the registry holds for these rows: their communities (cached for the file),
        households by code and by number, people, their open memberships, the households'
        heads, and ids for the new records. May run in another thread: it reads nothing the
        checks change but `renumbered` (only when on the importer's own connection)."""
        found = Lookup()
        codes = {r.community_code for r in rows if r.community_code not in self.communities}
        for batch in self._in_batches(codes):
            known = {}
            for community in Community.objects.filter(area__code__in=batch).select_related("area"):
                if self.in_reach(community.area.path):
                    known[community.area.code] = community
            for code in batch:
                self.communities[code] = known.get(code)
        # one instance per household, whichever way it was found
        households = found.households
        # Households holding a code of the chunk, anywhere: one outside the importer's reach
        # is only named "registered elsewhere", never compared further.
        house_codes = {r.house_code for r in rows if r.house_code}
        for batch in self._in_batches(house_codes):
            for values in Household.objects.filter(
                one_of(Household, "house_code", batch)
            ).values_list(*FOUND_FIELDS):
                household = households.setdefault(values[0], Found._make(values))
                found.by_code[household.house_code] = household
        # Households of the chunk's communities (all in reach) by house number: with any code
        # for rows without a code; without a code for rows whose code is new (the household
        # that gets the code).
        any_code: set[tuple[int, str]] = set()
        no_code: set[tuple[int, str]] = set()
        for r in rows:
            community = self.communities.get(r.community_code)
            if community is None:
                continue
            if not r.house_code:
                any_code.add((community.pk, r.house_no))
            elif r.house_code not in found.by_code:
                no_code.add((community.pk, r.house_no))
        no_code -= any_code
        for pairs, without_code in ((any_code, False), (no_code, True)):
            for household in self._households_numbered(pairs, without_code=without_code):
                key = (household.community_id, household.house_no)
                household = households.setdefault(household.pk, household)  # the same one
                found.by_no.setdefault(key, []).append(household)
        if not self.lookups.apart:  # this connection sees the renumbering of earlier chunks
            for key in (any_code | no_code) & self.renumbered.keys():
                numbered = found.by_no.setdefault(key, [])
                known_ids = {h.pk for h in numbered}
                numbered += [h for h in self.renumbered[key] if h.pk not in known_ids]
                numbered.sort(key=lambda h: h.pk)
        for batch in self._in_batches([r.id_hash for r in rows]):
            for person in Person.objects.filter(
                one_of(Person, "national_id_hash", batch)
            ).select_related("area__kind"):
                found.people[person.national_id_hash] = person
        for batch in self._in_batches([p.pk for p in found.people.values()]):
            for membership in Membership.objects.filter(
                one_of(Membership, "person", batch), until__isnull=True
            ):
                found.open_membership[membership.person_id] = membership
                if membership.relation == domain.HEAD:
                    found.chunk_heads.add(membership.person_id)
        # the heads of the chunk's households (a row may give the household another head)
        for batch in self._in_batches(list(households)):
            found.heads_of.update(
                Membership.objects.filter(
                    one_of(Membership, "household", batch), until__isnull=True, relation=domain.HEAD
                ).values_list("household_id", "person_id")
            )
        if self.copy and self.write:  # ids for the new records (a few may stay unused)
            new_places = set()
            for r in rows:
                community = self.communities.get(r.community_code)
                if community is None or (r.house_code and r.house_code in found.by_code):
                    continue
                if (community.pk, r.house_no) not in found.by_no:
                    new_places.add((community.pk, r.house_no))
            found.ids[Household] = next_ids(Household, len(new_places))
            found.ids[Person] = next_ids(
                Person, sum(1 for r in rows if r.id_hash not in found.people)
            )
        return found

    def _next_id(self, model: type) -> int:
        """An id reserved by the chunk's lookup, or a new one (an estimate fell short)."""
        ids = self.found.ids.get(model)
        if ids:
            return ids.pop()
        self.writer.wait()
        return next_ids(model, 1)[0]

    def _households_numbered(
        self, pairs: set[tuple[int, str]], *, without_code: bool
    ) -> list[Found]:
        """Households with these (community id, house number), by id; only those without a
        house code if `without_code`."""
        if not pairs:
            return []
        households = Household.objects.order_by("pk")
        if without_code:
            households = households.filter(house_code="")
        if self.copy:  # one query, the exact pairs (an index scan per pair)
            ordered = sorted(pairs)
            table = connection.ops.quote_name(Household._meta.db_table)
            code = "AND h.house_code = ''" if without_code else ""
            exact = RawSQL(  # noqa: S611 (names from the model, values as parameters)
                f"SELECT h.id FROM {table} h JOIN unnest(%s::bigint[], %s::text[]) AS "  # noqa: S608
                f"v(community_id, house_no) ON h.community_id = v.community_id "
                f"AND h.house_no = v.house_no {code}",
                ([c for c, _n in ordered], [n for _c, n in ordered]),
            )
            return [
                Found._make(v) for v in households.filter(pk__in=exact).values_list(*FOUND_FIELDS)
            ]
        by_community: dict[int, list[str]] = {}
        for community_id, number in pairs:
            by_community.setdefault(community_id, []).append(number)
        found = []
        batch: list[Q] = []
        size = 0
        for community_id, numbers in sorted(by_community.items()):
            for part in chunks(sorted(numbers), 800):
                batch.append(Q(community_id=community_id, house_no__in=part))
                size += len(part) + 1
                if size >= 800:
                    found += households.filter(reduce(operator.or_, batch)).values_list(
                        *FOUND_FIELDS
                    )
                    batch, size = [], 0
        if batch:
            found += households.filter(reduce(operator.or_, batch)).values_list(*FOUND_FIELDS)
        return sorted((Found._make(v) for v in found), key=lambda h: h.pk)

    def _resolve_row(self, r: Row) -> None:
        community = self.communities.get(r.community_code)
        if community is None:
            self.error(
                r.row,
                "community_code",
                _("Unknown community: there is no community with the code %(code)s."),
                code=r.community_code,
            )
            return
        if r.welfare_column and not self._may_record_welfare(community):
            self.error(
                r.row,
                r.welfare_column,
                _(
                    "You may not record welfare data in this community: leave the disability "
                    "card and legal basis columns blank."
                ),
            )
            return
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
                return
            if person.status == Person.Status.DECEASED:
                self.error(
                    r.row,
                    "national_id",
                    _(
                        "This person is recorded as deceased in the registry: correct the "
                        "status on the person's page first."
                    ),
                )
                return
        target = self._target(r, community)
        if target is None:
            return
        planned = self._plan_person(r, person, target, community)
        if planned is None:
            return
        relation, write = planned
        if person is not None and person.pk in self.chunk_heads:
            self.heads_in_file[person.pk] = 1
        if relation == domain.HEAD:
            self._claim_head(r, target, person, write)

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

    def _new_place(self, r: Row, community: Community, pk: int | None, head: int = 0) -> int:
        """Remember where the row's household is, by house number and by code."""
        return self.places.add(r.row, r.house_code, community.pk, r.house_no, pk, head)

    def _found(self, r: Row, household: Found, community: Community) -> int | None:
        """An existing household for the row, unless an earlier row gave it under another
        house number or code."""
        first = self.places.by_pk.get(household.pk)
        if first is not None:
            self.error(
                r.row,
                "house_no",
                _(
                    "This household is given in row %(first)s with another house number or "
                    "house registration code."
                ),
                first=self.places.row[first],
            )
            return None
        return self._new_place(r, community, household.pk, self.heads_of.get(household.pk, 0))

    def _target(self, r: Row, community: Community) -> int | None:
        """The household of the row (a place, found or planned); None after recording a
        problem."""
        places = self.places
        planned = places.numbered(community.pk, r.house_no)
        if r.house_code:
            known = places.coded(r.house_code)
            if known is not None:
                if places.community[known] != community.pk:
                    self.error(
                        r.row,
                        "house_code",
                        _(
                            "The same house registration code is given for another community "
                            "in row %(first)s."
                        ),
                        first=places.row[known],
                    )
                    return None
                # Its number is the one its first row gave (under which it is found).
                if planned != known:
                    self.error(
                        r.row,
                        "house_no",
                        _(
                            "The house number differs from row %(first)s, which has the same "
                            "house registration code."
                        ),
                        first=places.row[known],
                    )
                    return None
                return known
        if planned is not None:
            if places.code[planned] != (int(r.house_code) if r.house_code else 0):
                self.error(
                    r.row,
                    self._code_column(),
                    _(
                        "The house registration code differs from row %(first)s, which has the "
                        "same house number."
                    ),
                    first=places.row[planned],
                )
                return None
            return planned
        if r.house_code:
            household = self.by_code.get(r.house_code)
            if household is not None:
                if (
                    not self.in_reach(household.area_path)
                    or household.district_id != community.area.parent_id
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
                    self.renumbered.setdefault(
                        (household.community_id, household.house_no), []
                    ).append(household)
                    self._update_household(household, house_no=r.house_no)
                return target
            without_code = next(
                (
                    h
                    for h in self.by_no.get((community.pk, r.house_no), [])
                    if not h.house_code and h.pk not in places.by_pk
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

    def _new_household(self, r: Row, community: Community) -> int | None:
        if community.is_dissolved:
            self.error(
                r.row,
                "community_code",
                _("The community %(code)s is dissolved: it takes no new households."),
                code=community.area.code,
            )
            return None
        place = self._new_place(r, community, None)
        self.plan.new_households.append(NewHousehold(place, community, r.house_no, r.house_code))
        self.totals["households_created"] += 1
        self.touched_paths.add(community.area.path)
        return place

    def _update_household(self, household: Found, **values: Any) -> None:
        """Plan changes to an existing household (written from a fresh instance, with a
        history row)."""
        if "house_no" in values:
            values["house_no_key"] = domain.house_no_sort_key(values["house_no"])
        _found, changes = self.plan.household_updates.setdefault(household.pk, (household, {}))
        for name, value in values.items():
            if getattr(household, name) != value:
                changes[name] = value
        if not changes:
            del self.plan.household_updates[household.pk]

    def _plan_person(
        self, r: Row, person: Person | None, target: int, community: Community
    ) -> tuple[str, Any] | None:
        """Plan the row's writes: the person's final relation and the write that gives it
        (a Member or a (Membership, former relation)), or None after a problem."""
        plan = self.plan
        since = r.since or self.today
        if person is None:
            in_house = bool(r.in_house_registration)
            if community.is_dissolved:
                self._dissolved(r, community)
                return None
            relation = r.relation or ""
            member = Member(r, None, target, community, relation, in_house, since)
            plan.new_people.append(member)
            self.totals["created"] += 1
            self.touched_paths.add(community.area.path)
            return relation, member
        changed: set[str] = set()
        for name, value in r.fields.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed.add(name)
        membership = self.open_membership.get(person.pk)
        same_household = (
            membership is not None
            and not self.places.new[target]
            and membership.household_id == self.places.pk[target]
        )
        write: Any = None
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
                    plan.demoted_memberships.append(membership)
                else:
                    plan.updated_memberships.append(membership)
                    write = (membership, old_relation)
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
                plan.closed_memberships.append(membership)
            if membership is not None or person.area_id != community.area_id:
                self.totals["moved"] += 1
                self.touched_paths.add(person.area.path)  # the place they leave
            write = Member(r, person, target, community, relation, in_house, since)
            plan.joins.append(write)
            plan.person_target[person.pk] = target
            changed.add("household")
            if person.area_id != community.area_id:
                plan.moves.append(
                    (person, person.area_id, person.area.path, target, community, since)
                )
                self.totals["moved_from_other_community"] += 1
                person.area_id = community.area_id
                changed.add("area")
            if person.status == Person.Status.MOVED_OUT:
                person.status, person.status_on, person.moved_to = Person.Status.ALIVE, None, ""
                changed |= {"status", "status_on", "moved_to"}
            membership_changed = True
        if changed:
            plan.changed_people[person.pk] = (person, changed)
        if changed or membership_changed:
            self.totals["updated"] += 1
            self.touched_paths.add(community.area.path)
        else:
            self.totals["unchanged"] += 1
        return relation, write

    def _dissolved(self, r: Row, community: Community) -> None:
        self.error(
            r.row,
            "community_code",
            _("The community %(code)s is dissolved: it takes no new members."),
            code=community.area.code,
        )

    def _claim_head(self, r: Row, place: int, person: Person | None, write: Any) -> None:
        first = self.head_row.get(place)
        if first is not None:
            self.error(
                r.row,
                "relation",
                _("A second head for one household: duplicate of row %(first)s"),
                first=first,
            )
            return
        self.head_row[place] = r.row
        head = self.places.head[place]
        if head and head != (person.pk if person is not None else None):
            # The registry's head must leave the place in the file (`finish` checks), and
            # the new head is written at the end, once every demotion is.
            self.registry_heads[place] = (r.row, head)
            if write is not None:
                self.plan.deferred.append(write)

    # --- counts and writing ------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.totals)

    def _write(self, plan: Plan) -> None:
        # heads written at the end: the membership is written without the head relation now
        for write in plan.deferred:
            if isinstance(write, Member):
                write.relation = ""
            else:
                membership, former = write
                membership.relation = former
        now = timezone.now()
        self.counted.update(new.community.pk for new in plan.new_households)
        self.counted.update(m.community.pk for m in plan.new_people)
        self.counted.update(m.community.pk for m in plan.joins)
        if self.copy:
            self._write_copy(plan, now)
        else:
            self._write_bulk(plan, now)
        for write in plan.deferred:
            self.deferred_heads.append(
                write.person_id if isinstance(write, Member) else write[0].person_id
            )

    def _history(self) -> dict[str, Any]:
        return {"default_user": self.user, "default_change_reason": self.change_reason}

    def _write_bulk(self, plan: Plan, now: Any) -> None:
        """bulk_create (SQLite): new households, people, then the updates, then memberships."""
        history = self._history()
        if plan.new_households:
            objs = [Household(**self._household_values(new)) for new in plan.new_households]
            bulk_create_with_history(objs, Household, batch_size=BATCH, **history)
            for new, obj in zip(plan.new_households, objs, strict=True):
                self.places.pk[new.place] = obj.pk
        if plan.new_people:
            objs = [self._person(m) for m in plan.new_people]
            bulk_create_with_history(objs, Person, batch_size=BATCH, **history)
            for member, obj in zip(plan.new_people, objs, strict=True):
                member.person_id = obj.pk
        self._write_updates(plan, now)
        members = [*plan.new_people, *plan.joins]
        if members:
            Membership.objects.bulk_create(
                [
                    Membership(
                        person_id=m.person_id,
                        household_id=self.places.pk[m.place],
                        relation=m.relation,
                        in_house_registration=m.in_house,
                        since=m.since,
                    )
                    for m in members
                ],
                batch_size=BATCH,
            )

    def _write_copy(self, plan: Plan, now: Any) -> None:
        """PostgreSQL: ids reserved by the lookup, the rows of the new households, people,
        their history and the new memberships; then, once the previous chunk's COPY is over,
        this chunk's updates, and its COPY started in the writer thread (it goes on while the
        main thread reads the next chunk)."""
        tables = self._tables()
        jobs = plan.jobs
        if plan.new_households:
            for new in plan.new_households:
                self.places.pk[new.place] = self._next_id(Household)
            table = tables["household"]
            table.set_constants(created_at=now, updated_at=now)
            rows = [
                table.make({"id": self.places.pk[new.place], **self._household_values(new)})
                for new in plan.new_households
            ]
            jobs.append((table.table, table.columns, rows))
            jobs.append(self._history_job(table, tables["household_history"], rows, now))
        if plan.new_people:
            for member in plan.new_people:
                member.person_id = self._next_id(Person)
            table = tables["person"]
            table.set_constants(created_at=now, updated_at=now)
            rows = self._person_rows(table, plan.new_people)
            jobs.append((table.table, table.columns, rows))
            jobs.append(self._history_job(table, tables["person_history"], rows, now))
        members = [*plan.new_people, *plan.joins]
        if members:
            table = tables["membership"]
            table.set_constants(created_at=now)
            pos = table.position
            person, household = pos["person_id"], pos["household_id"]
            relation, in_house, since = (
                pos["relation"],
                pos["in_house_registration"],
                pos["since"],
            )
            base = table.make({})
            place_pk = self.places.pk
            rows = []
            for m in members:
                row = base.copy()
                row[person] = m.person_id
                row[household] = place_pk[m.place]
                row[relation] = m.relation
                row[in_house] = m.in_house
                row[since] = m.since
                rows.append(row)
            jobs.append((table.table, table.columns, rows))
        self.writer.wait()  # the previous chunk's COPY: updates come after it
        self._write_updates(plan, now)
        self.writer.start(jobs)

    def _person_rows(self, table: TableRows, members: list[Member]) -> list[list[Any]]:
        if table.callables:  # a callable default: the general way
            return [table.make({"id": m.person_id, **self._person_values(m)}) for m in members]
        pos = table.position
        pk, area, household = pos["id"], pos["area_id"], pos["household_id"]
        nid, hashed = pos["national_id"], pos["national_id_hash"]
        base = table.defaults
        place_pk = self.places.pk
        rows = []
        for m in members:
            row = base.copy()
            r = m.row
            row[pk] = m.person_id
            row[area] = m.community.area_id
            row[household] = place_pk[m.place]
            row[nid] = r.national_id
            row[hashed] = r.id_hash
            for name, value in r.fields.items():
                row[pos[name]] = value
            rows.append(row)
        return rows

    def _write_updates(self, plan: Plan, now: Any) -> None:
        """Changes to existing records: households, people (history rows for those that
        changed), memberships closed, demoted, changed, promoted (in that order: one head per
        household at every moment), moves."""
        history = self._history()
        if plan.household_updates:
            households = Household.objects.in_bulk(list(plan.household_updates))
            changed = []
            for pk, (_found, changes) in plan.household_updates.items():
                household = households[pk]
                for name, value in changes.items():
                    setattr(household, name, value)
                changed.append((household, set(changes)))
            update_many(Household, changed, history=history, touch=now)
        for person, _changed in plan.changed_people.values():
            target = plan.person_target.get(person.pk)
            if target is not None:
                person.household_id = self.places.pk[target]
        if plan.changed_people:
            update_many(Person, plan.changed_people.values(), history=history, touch=now)
        relation = {"relation", "in_house_registration"}
        update_many(Membership, [(m, {"until"}) for m in plan.closed_memberships])
        # the communities people leave (counted again at the end)
        for batch in self._in_batches({m.household_id for m in plan.closed_memberships}):
            self.counted.update(
                Household.objects.filter(pk__in=batch)
                .values_list("community_id", flat=True)
                .distinct()
            )
        update_many(Membership, [(m, relation) for m in plan.demoted_memberships])
        update_many(
            Membership,
            [(m, relation) for m in plan.updated_memberships if m.relation != domain.HEAD],
        )
        update_many(
            Membership,
            [(m, relation) for m in plan.updated_memberships if m.relation == domain.HEAD],
        )
        if plan.moves:
            Move.objects.bulk_create(
                [
                    Move(
                        moved_on=moved_on,
                        person=person,
                        masked_label=person.masked_name,
                        from_area_id=from_area_id,
                        to_area_id=community.area_id,
                        from_path=from_path,
                        to_path=community.area.path,
                        reason=self.change_reason,
                        actor=self.user,
                    )
                    for person, from_area_id, from_path, _place, community, moved_on in plan.moves
                ],
                batch_size=BATCH,
            )

    # new records: instances (bulk_create) or rows (COPY)

    def _household_values(self, new: NewHousehold) -> dict[str, Any]:
        return {
            "community_id": new.community.pk,
            "area_id": new.community.area_id,
            "house_no": new.house_no,
            "house_no_key": domain.house_no_sort_key(new.house_no),
            "house_code": new.house_code,
        }

    def _person_values(self, member: Member) -> dict[str, Any]:
        r = member.row
        return {
            "area_id": member.community.area_id,
            "household_id": self.places.pk[member.place],
            "national_id": r.national_id,
            "national_id_hash": r.id_hash,
            **r.fields,
        }

    def _person(self, member: Member) -> Person:
        return Person(**self._person_values(member))

    def _tables(self) -> dict[str, Any]:
        tables = getattr(self, "_table_rows", None)
        if tables is None:
            tables = self._table_rows = {
                "household": TableRows(Household),
                "household_history": TableRows(Household.history.model, skip=("history_id",)),
                "person": TableRows(Person),
                "person_history": TableRows(Person.history.model, skip=("history_id",)),
                "membership": TableRows(Membership, skip=("id",)),
            }
        return tables

    def _history_job(
        self, table: TableRows, history: TableRows, rows: list[list[Any]], now: Any
    ) -> tuple[str, list[str], list[list[Any]]]:
        """The '+' history rows of new records, as bulk_create_with_history writes them."""
        history.set_constants(
            history_date=now,
            history_change_reason=self.change_reason,
            history_type="+",
            history_user_id=self.user.pk if self.user is not None else None,
        )
        tracked = {f.attname for f in history.model.tracked_fields}
        order = sorted(history.position.items(), key=lambda item: item[1])
        columns = [history.columns[i] for name, i in order if name in tracked]
        columns += [history.columns[i] for name, i in order if name not in tracked]
        base = history.make({})
        # each record: the tracked values taken from the record's row, then the constants
        take = operator.itemgetter(*(table.position[n] for n, _i in order if n in tracked))
        tail = tuple(base[i] for name, i in order if name not in tracked)
        return history.table, columns, [take(row) + tail for row in rows]


class CopyWriter:
    """Sends one chunk's COPY rows on Django's connection (the same transaction) from another
    thread, so that the server writes a chunk while the main thread reads and checks the next
    one; then
    checks the deferred foreign keys (SET CONSTRAINTS ALL IMMEDIATE, then DEFERRED again).
    Every other use of the connection waits for it first (`wait`); psycopg also serialises
    them. An error is raised by `wait`, as Django raises database errors."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self, jobs: list[tuple[str, list[str], list[list[Any]]]]) -> None:
        self.wait()
        if not jobs:
            return
        raw = connection.connection  # psycopg's, opened by the caller's queries

        def run() -> None:
            try:
                for table, columns, rows in jobs:
                    send_copy_rows(raw, table, columns, rows)
                with raw.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            except BaseException as exc:  # raised again by wait()
                self.error = exc

        self.thread = threading.Thread(target=run, name="people-import-copy", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Wait for the thread, dropping its error (the caller is failing already, or has
        called `wait`)."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        self.error = None

    def wait(self) -> None:
        if self.thread is None:
            return
        self.thread.join()
        self.thread = None
        if self.error is not None:
            error, self.error = self.error, None
            with connection.wrap_database_errors:
                raise error
