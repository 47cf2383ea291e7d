"""Pure rules of community committees (BMA regulation on community committees B.E. 2534 and the
dated policies that may follow it): the seat rule, eligibility, ballot checks, ranking, and what
makes a committee complete, valid or expiring. No ORM here: the services pass plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from chumchon.communities.domain import age_on  # the registry's rule, used here too
from chumchon.core.money import percent

# The six positions the regulation names (at most one holder each at a time); "other" positions
# are defined by the committee with a title.
CHAIR = "chair"
VICE_CHAIR = "vice_chair"
SECRETARY = "secretary"
TREASURER = "treasurer"
REGISTRAR = "registrar"
PUBLIC_RELATIONS = "public_relations"
OTHER = "other"
NAMED_POSITIONS = (CHAIR, VICE_CHAIR, SECRETARY, TREASURER, REGISTRAR, PUBLIC_RELATIONS)
POSITION_CHOICES = [
    (CHAIR, _("Chair")),
    (VICE_CHAIR, _("Vice-chair")),
    (SECRETARY, _("Secretary")),
    (TREASURER, _("Treasurer")),
    (REGISTRAR, _("Registrar")),
    (PUBLIC_RELATIONS, _("Public relations")),
    (OTHER, _("Other position")),
]

EXPIRING_DAYS = 90  # a term ending within this many days is "expiring"

# Bounds of the public seat calculator's input.
MAX_COUNTED = 1_000_000


@dataclass(frozen=True)
class SeatRule:
    """The seat parameters of a policy: at least `minimum`; one more for every complete `step`
    above `threshold`; a remainder above `remainder_over` (if set) counts as a full step; at
    most `maximum`."""

    minimum: int
    threshold: int
    step: int
    maximum: int
    remainder_over: int | None = None


BE2534 = SeatRule(minimum=7, threshold=140, step=20, maximum=25)


def seats(counted: int, rule: SeatRule = BE2534) -> int:
    """Seats for `counted` families (or houses, households: whatever the policy counts).

    B.E. 2534: 140 -> 7, 159 -> 7, 160 -> 8, 500 -> 25."""
    if counted < 0:
        raise ValueError("counted must not be negative")
    above = max(0, counted - rule.threshold)
    steps, remainder = divmod(above, rule.step)
    if rule.remainder_over is not None and remainder > rule.remainder_over:
        steps += 1
    return max(rule.minimum, min(rule.maximum, rule.minimum + steps))


# --- eligibility ------------------------------------------------------------------------------

VOTER = "voter"
CANDIDATE = "candidate"


@dataclass(frozen=True)
class Eligibility:
    """What a policy asks of voters and candidates."""

    thai_only: bool = True
    voter_min_age: int = 18
    candidate_min_age: int = 18
    voter_days: int = 90
    candidate_days: int = 180

    def min_age(self, role: str) -> int:
        return self.candidate_min_age if role == CANDIDATE else self.voter_min_age

    def days(self, role: str) -> int:
        return self.candidate_days if role == CANDIDATE else self.voter_days


@dataclass(frozen=True)
class PersonFacts:
    """What the registry knows of a person for one election: nationality (ISO code as stored,
    e.g. "TH"), birth date, alive, and since when their name has been in the community's house
    registration without a break up to election day (None: not registered there that day)."""

    nationality: str
    birth_date: date | None
    alive: bool
    registered_since: date | None


@dataclass(frozen=True)
class Problem:
    """A failed criterion: a stable code and a message (Thai and English through gettext)."""

    code: str
    message: str


def registered_from(election_day: date, days: int) -> date:
    """The latest start of registration that still gives `days` days before election day."""
    return election_day - timedelta(days=days)


def eligibility_problems(
    facts: PersonFacts, rules: Eligibility, election_day: date, role: str = VOTER
) -> list[Problem]:
    """Every criterion the person fails for `role` on `election_day` (empty: eligible)."""
    problems: list[Problem] = []
    if not facts.alive:
        problems.append(
            Problem(
                "not_alive",
                str(
                    _(
                        "The registry shows this person as not living in the community (deceased or moved out)."
                    )
                ),
            )
        )
    if rules.thai_only and (facts.nationality or "").upper() not in {"TH", "THA", "ไทย"}:
        problems.append(Problem("nationality", str(_("Thai nationality is required."))))
    min_age = rules.min_age(role)
    if facts.birth_date is None:
        problems.append(
            Problem(
                "age_unknown",
                str(
                    _(
                        "The registry has no birth date, so the age on election day (at least %(age)d) cannot be checked."
                    )
                    % {"age": min_age}
                ),
            )
        )
    elif age_on(facts.birth_date, election_day) < min_age:
        problems.append(
            Problem(
                "age",
                str(
                    _("Aged %(age)d on election day; at least %(min)d is required.")
                    % {"age": age_on(facts.birth_date, election_day), "min": min_age}
                ),
            )
        )
    days = rules.days(role)
    if facts.registered_since is None:
        problems.append(
            Problem(
                "not_registered",
                str(
                    _("The name is not in a house registration of this community on election day.")
                ),
            )
        )
    elif facts.registered_since > registered_from(election_day, days):
        problems.append(
            Problem(
                "residence",
                str(
                    _(
                        "In the community's house registration for %(have)d days before election day; at least %(need)d are required."
                    )
                    % {"have": (election_day - facts.registered_since).days, "need": days}
                ),
            )
        )
    return problems


# --- ballots ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotCounts:
    issued: int
    cast: int
    spoiled: int
    blank: int

    @property
    def valid(self) -> int:
        """Ballots that mark at least one candidate (cast minus spoiled minus blank)."""
        return self.cast - self.spoiled - self.blank


def ballot_problems(
    counts: BallotCounts, votes: dict[str, int], seats: int, eligible_voters: int
) -> dict[str, list[str]]:
    """Field -> messages for counts that cannot be right. `votes` maps a candidate key (the
    ballot number as text) to its votes."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for name, value in (
        ("ballots_issued", counts.issued),
        ("ballots_cast", counts.cast),
        ("ballots_spoiled", counts.spoiled),
        ("ballots_blank", counts.blank),
    ):
        if value < 0:
            add(name, str(_("Must be zero or more.")))
    if errors:
        return errors
    if counts.cast > counts.issued:
        add(
            "ballots_cast",
            str(
                _("Ballots cast (%(cast)d) cannot exceed ballots issued (%(issued)d).")
                % {"cast": counts.cast, "issued": counts.issued}
            ),
        )
    if counts.cast > eligible_voters:
        add(
            "ballots_cast",
            str(
                _("Ballots cast (%(cast)d) cannot exceed the eligible voters (%(voters)d).")
                % {"cast": counts.cast, "voters": eligible_voters}
            ),
        )
    if counts.spoiled + counts.blank > counts.cast:
        add(
            "ballots_spoiled",
            str(
                _("Spoiled plus blank ballots (%(n)d) cannot exceed ballots cast (%(cast)d).")
                % {"n": counts.spoiled + counts.blank, "cast": counts.cast}
            ),
        )
        return errors
    valid = counts.valid
    for key, value in votes.items():
        if value < 0:
            add(f"votes.{key}", str(_("Votes must be zero or more.")))
        elif value > valid:
            add(
                f"votes.{key}",
                str(
                    _(
                        "Candidate no. %(no)s has %(votes)d votes, more than the %(valid)d valid ballots."
                    )
                    % {"no": key, "votes": value, "valid": valid}
                ),
            )
    total = sum(v for v in votes.values() if v >= 0)
    if total > seats * valid:
        add(
            "votes",
            str(
                _(
                    "The votes add up to %(total)d, more than %(seats)d seats x %(valid)d valid ballots = %(max)d."
                )
                % {"total": total, "seats": seats, "valid": valid, "max": seats * valid}
            ),
        )
    return errors


def turnout(cast: int | None, eligible_voters: int | None) -> Decimal | None:
    """Ballots cast / eligible voters in percent, exact and rounded once half up to 2 places
    (`core.money.percent`); None when nothing was cast yet or nobody was eligible. The one
    turnout rule: the election page, the API and the announcement all show this."""
    if cast is None or not eligible_voters:
        return None
    return percent(cast, eligible_voters)


# --- ranking ----------------------------------------------------------------------------------


@dataclass
class Ranked:
    key: str
    votes: int
    rank: int
    elected: bool
    by_lot: bool = False


@dataclass
class Ranking:
    rows: list[Ranked] = field(default_factory=list)
    # groups of keys tied across the elected/reserve boundary or inside the list that need lots
    unresolved_ties: list[list[str]] = field(default_factory=list)


def rank_candidates(votes: dict[str, int], seats: int, lot_order: Sequence[str] = ()) -> Ranking:
    """Rank by votes (most first). Candidates with equal votes are ordered by `lot_order` (the
    recorded drawing of lots: keys in the order drawn); ties without a complete lot order are
    reported in `unresolved_ties` and keep their ballot-number order meanwhile. The top `seats`
    are elected, the rest form the reserve list in rank order."""
    lot_index = {key: i for i, key in enumerate(lot_order)}
    groups: dict[int, list[str]] = {}
    for key, value in votes.items():
        groups.setdefault(value, []).append(key)
    ordered: list[tuple[str, int, bool]] = []
    unresolved: list[list[str]] = []
    for value in sorted(groups, reverse=True):
        keys = sorted(groups[value], key=_ballot_order)
        by_lot = False
        if len(keys) > 1:
            if all(k in lot_index for k in keys):
                keys.sort(key=lambda k: lot_index[k])
                by_lot = True
            else:
                unresolved.append(keys)
        ordered.extend((k, value, by_lot) for k in keys)
    ranking = Ranking(unresolved_ties=unresolved)
    for position, (key, value, by_lot) in enumerate(ordered, start=1):
        ranking.rows.append(
            Ranked(key=key, votes=value, rank=position, elected=position <= seats, by_lot=by_lot)
        )
    return ranking


def ties_needing_lots(votes: dict[str, int], seats: int) -> list[list[str]]:
    """Tied groups whose order decides something: a group straddling the last elected seat.
    (Ties inside the elected group or deep in the reserve still get an order by lot if
    recorded, but only a straddling tie blocks certification.)"""
    ranking = rank_candidates(votes, seats)
    blocking = []
    for group in ranking.unresolved_ties:
        ranks = [row.rank for row in ranking.rows if row.key in group]
        if min(ranks) <= seats < max(ranks):
            blocking.append(group)
    return blocking


def _ballot_order(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (10**9, key)


# --- the committee's state --------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeState:
    has_term: bool
    complete: bool
    valid: bool
    expiring: bool


def committee_state(
    *,
    term_in_office: bool,
    seats: int,
    filled: int,
    minimum: int,
    positions_held: Iterable[str],
    ends_on: date | None,
    today: date,
) -> CommitteeState:
    """complete = every seat filled and all six named positions held; valid = a term in office
    today, filled seats at least the policy minimum, and a chair in office; expiring = the term
    ends within 90 days."""
    held = set(positions_held)
    if not term_in_office:
        return CommitteeState(has_term=False, complete=False, valid=False, expiring=False)
    complete = filled >= seats and all(code in held for code in NAMED_POSITIONS)
    valid = filled >= minimum and CHAIR in held
    expiring = ends_on is not None and today <= ends_on <= today + timedelta(days=EXPIRING_DAYS)
    return CommitteeState(has_term=True, complete=complete, valid=valid, expiring=expiring)


def term_end(starts_on: date, years: int) -> date:
    """The last day of a term of `years` years starting on `starts_on` (29 Feb -> 28 Feb)."""
    try:
        same_day = starts_on.replace(year=starts_on.year + years)
    except ValueError:  # 29 February into a common year
        same_day = starts_on.replace(year=starts_on.year + years, day=28) + timedelta(days=1)
    return same_day - timedelta(days=1)
