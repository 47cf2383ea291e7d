"""Writes on committee elections: plan, update, cancel, candidates, results (entered once, then
corrected with a reason), certification (which starts the new term or fills a term's vacancies).

Every function: keyword-only, `actor` first, atomic, validated (nothing half-saved), audited.
Who may call them is checked by the views and the API (permissions.py); the services check the
state of the records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.communities.models import Community, Household, Person
from chumchon.core.audit import model_changes, record_event, snapshot
from chumchon.core.dates import format_date

from . import domain
from .models import Candidate, CommitteeMember, CommitteeTerm, Election, SeatPolicy
from .selectors_elections import (
    active_candidates,
    open_seats,
    person_facts,
    reserve_list,
    voter_count,
)
from .services_terms import term_finish

OPEN_STATUSES = (Election.Status.PLANNED, Election.Status.RESULTS)
UPDATABLE = ("held_on", "place", "announcement_no", "announced_on", "note")
BALLOT_FIELDS = ("ballots_issued", "ballots_cast", "ballots_spoiled", "ballots_blank")


def _today() -> date:
    return timezone.localdate()


def _audit(actor: Any, action: str, obj: Any, election: Election, **kwargs: Any) -> None:
    record_event(actor=actor, action=action, obj=obj, area_path=election.area_path, **kwargs)


def _lock(election: Election) -> Election:
    return (
        Election.objects.select_for_update(of=("self",))
        .select_related("community__area", "policy", "term")
        .get(pk=election.pk)
    )


def _require_status(election: Election, *statuses: str, message: str) -> None:
    if election.status not in statuses:
        raise ValidationError(message % {"status": election.get_status_display()}, code="status")


# --- planning ---------------------------------------------------------------------------------


def policy_on(day: date) -> SeatPolicy | None:
    return SeatPolicy.objects.in_force_on(day).order_by("-valid_from").first()


def counted_for(policy: SeatPolicy, community: Community) -> int:
    """What the policy counts for the seat rule, as the community stands now."""
    if policy.counted == SeatPolicy.Counted.HOUSES:
        if community.declared_households is None:
            raise ValidationError(
                {
                    "community": _(
                        "The seat policy counts declared houses, but %(community)s has none "
                        "declared: declare the houses first."
                    )
                    % {"community": community.name}
                },
                code="no_houses",
            )
        return community.declared_households
    if policy.counted == SeatPolicy.Counted.REGISTRY_HOUSEHOLDS:
        return Household.objects.filter(community=community, is_active=True).count()
    return community.declared_families


def _latest_term(community: Community) -> CommitteeTerm | None:
    return CommitteeTerm.objects.filter(community=community).order_by("-starts_on").first()


def _check_date(community: Community, held_on: date, errors: dict[str, list[str]]) -> None:
    latest = _latest_term(community)
    if latest is not None and held_on < latest.starts_on:
        errors.setdefault("held_on", []).append(
            _("An election dated before the previous term started (%(start)s) cannot be planned.")
            % {"start": format_date(latest.starts_on)}
        )


def _check_no_open_election(community: Community, exclude: Election | None = None) -> None:
    others = Election.objects.filter(community=community, status__in=OPEN_STATUSES)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.order_by("held_on").first()
    if other is not None:
        raise ValidationError(
            {
                "community": _(
                    "%(community)s already has an election on %(day)s that is not certified "
                    "or cancelled: finish or cancel it first."
                )
                % {"community": community.name, "day": format_date(other.held_on)}
            },
            code="open_election",
        )


@transaction.atomic
def election_plan(
    *,
    actor: Any,
    community: Community,
    held_on: date,
    place: str,
    announcement_no: str = "",
    announced_on: date | None = None,
    note: str = "",
    kind: str = Election.Kind.GENERAL,
    term: CommitteeTerm | None = None,
) -> Election:
    """Plan an election: the policy in force on `held_on` gives the seats (from what it counts,
    snapshotted now); a by-election fills the vacancies of `term` once its reserve list is
    exhausted."""
    community = (
        Community.objects.select_for_update(of=("self",))
        .select_related("area")
        .get(pk=community.pk)
    )
    errors: dict[str, list[str]] = {}
    if community.is_dissolved:
        raise ValidationError(
            {
                "community": _("%(community)s is dissolved: it holds no elections.")
                % {"community": community.name}
            },
            code="dissolved",
        )
    if held_on is None:
        raise ValidationError({"held_on": _("Enter the election date.")}, code="required")
    if not (place or "").strip():
        errors.setdefault("place", []).append(_("Enter the place of the election."))
    if kind not in Election.Kind.values:
        errors.setdefault("kind", []).append(
            _("Unknown kind of election “%(kind)s”.") % {"kind": kind}
        )
    policy = policy_on(held_on)
    if policy is None:
        errors.setdefault("held_on", []).append(
            _("No committee seat policy is in force on %(day)s.") % {"day": format_date(held_on)}
        )
    _check_date(community, held_on, errors)
    if errors:
        raise ValidationError(errors)
    _check_no_open_election(community)
    if kind == Election.Kind.BY_ELECTION:
        seats = _by_election_seats(community, term)
        counted = counted_for(policy, community)
    else:
        if term is not None:
            raise ValidationError(
                {"term": _("Only a by-election belongs to an existing term.")}, code="term"
            )
        counted = counted_for(policy, community)
        seats = policy.seats_for(counted)
    election = Election(
        community=community,
        kind=kind,
        term=term if kind == Election.Kind.BY_ELECTION else None,
        policy=policy,
        held_on=held_on,
        place=place.strip(),
        announcement_no=(announcement_no or "").strip(),
        announced_on=announced_on,
        note=(note or "").strip(),
        counted=counted,
        seats=seats,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    election.full_clean()
    election.save()
    _audit(actor, "committee.election_plan", election, election, changes=snapshot(election))
    return election


def _by_election_seats(community: Community, term: CommitteeTerm | None) -> int:
    if term is None:
        raise ValidationError(
            {"term": _("Choose the term whose vacancies the by-election fills.")},
            code="required",
        )
    if term.community_id != community.pk:
        raise ValidationError(
            {"term": _("The term belongs to another community.")}, code="other_community"
        )
    if term.status != CommitteeTerm.Status.IN_OFFICE:
        raise ValidationError(
            {
                "term": _("A by-election fills vacancies of a term in office; this term is %(s)s.")
                % {"s": term.get_status_display()}
            },
            code="not_in_office",
        )
    vacancies = open_seats(term)
    if vacancies <= 0:
        raise ValidationError(
            {
                "term": _("The term has no vacant seat: every one of its %(n)d seats is held.")
                % {"n": term.seats}
            },
            code="no_vacancy",
        )
    reserve = reserve_list(term)
    if reserve:
        raise ValidationError(
            {
                "term": _(
                    "The reserve list still has %(n)d candidate(s): fill the vacancies from it "
                    "before holding a by-election."
                )
                % {"n": len(reserve)}
            },
            code="reserve_left",
        )
    return vacancies


@transaction.atomic
def election_update(*, actor: Any, election: Election, **values: Any) -> Election:
    """Change a planned election's date, place or announcement. A new date must keep the same
    policy (the seats were computed with it)."""
    election = _lock(election)
    _require_status(
        election,
        Election.Status.PLANNED,
        message=_("Only a planned election can be changed; this one is %(status)s."),
    )
    unknown = sorted(set(values) - set(UPDATABLE))
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed.") for name in unknown}, code="unknown"
        )
    before = snapshot(election)
    errors: dict[str, list[str]] = {}
    if "held_on" in values:
        held_on = values["held_on"]
        if held_on is None:
            errors.setdefault("held_on", []).append(_("Enter the election date."))
        else:
            policy = policy_on(held_on)
            if policy is None or policy.pk != election.policy_id:
                errors.setdefault("held_on", []).append(
                    _(
                        "On %(day)s another seat policy is in force (or none): cancel this "
                        "election and plan a new one."
                    )
                    % {"day": format_date(held_on)}
                )
            _check_date(election.community, held_on, errors)
    if "place" in values and not (values["place"] or "").strip():
        errors.setdefault("place", []).append(_("Enter the place of the election."))
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(election, name, value.strip() if isinstance(value, str) else value)
    election.full_clean()
    election.save()
    changes = model_changes(before, snapshot(election))
    _audit(actor, "committee.election_update", election, election, changes=changes)
    return election


@transaction.atomic
def election_cancel(*, actor: Any, election: Election, reason: str) -> Election:
    election = _lock(election)
    _require_status(
        election,
        *OPEN_STATUSES,
        message=_("Only an election not yet certified can be cancelled; this one is %(status)s."),
    )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the election is cancelled.")})
    old = election.status
    election.status = Election.Status.CANCELLED
    election.cancel_reason = reason.strip()
    election.save(update_fields=["status", "cancel_reason", "updated_at"])
    _audit(
        actor,
        "committee.election_cancel",
        election,
        election,
        changes={"status": [old, election.status]},
        reason=reason.strip(),
    )
    return election


# --- candidates -------------------------------------------------------------------------------


def candidate_problems(election: Election, person: Person) -> list[domain.Problem]:
    """Every criterion the person fails as a candidate (empty: may register)."""
    problems: list[domain.Problem] = []
    existing = election.candidates.filter(person=person).first()
    if existing is not None:
        if existing.withdrawn_on:
            message = _(
                "Already registered as candidate no. %(no)d and withdrew on %(day)s: a "
                "withdrawn candidate cannot register again in the same election."
            ) % {"no": existing.number, "day": format_date(existing.withdrawn_on)}
        else:
            message = _("Already a candidate (ballot number %(no)d).") % {"no": existing.number}
        problems.append(domain.Problem("already_candidate", message))
    if person.area_id != election.community.area_id:
        problems.append(
            domain.Problem(
                "not_member",
                _("Not a member of this community: the registry places the person elsewhere."),
            )
        )
    if (
        election.term_id
        and CommitteeMember.objects.filter(
            term_id=election.term_id, person=person, ends_on__isnull=True
        ).exists()
    ):
        problems.append(
            domain.Problem("seated", _("Already holds a seat in the term this by-election fills."))
        )
    facts = person_facts(election, person)
    problems.extend(
        domain.eligibility_problems(
            facts, election.policy.eligibility, election.held_on, domain.CANDIDATE
        )
    )
    return problems


def _refusal(problems: Sequence[domain.Problem], field: str = "person") -> ValidationError:
    return ValidationError({field: [p.message for p in problems]}, code="ineligible")


@transaction.atomic
def candidate_register(
    *, actor: Any, election: Election, person: Person, number: int | None = None
) -> Candidate:
    """Register an eligible candidate under the next free ballot number (or `number`)."""
    election = _lock(election)
    _require_status(
        election,
        Election.Status.PLANNED,
        message=_("Candidates register only while the election is planned; it is %(status)s."),
    )
    problems = candidate_problems(election, person)
    if problems:
        raise _refusal(problems)
    if number is None:
        number = (election.candidates.aggregate(n=Max("number"))["n"] or 0) + 1
    elif number < 1:
        raise ValidationError({"number": _("A ballot number is 1 or more.")}, code="number")
    elif election.candidates.filter(number=number).exists():
        raise ValidationError(
            {
                "number": _("Ballot number %(no)d is already taken in this election.")
                % {"no": number}
            },
            code="number_taken",
        )
    candidate = Candidate(
        election=election,
        person=person,
        number=number,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    candidate.full_clean()
    candidate.save()
    _audit(
        actor,
        "committee.candidate_register",
        candidate,
        election,
        changes={"number": [None, number], "person": [None, str(person.pk)]},
        object_label=f"{election} #{number}",
    )
    return candidate


@transaction.atomic
def candidate_withdraw(*, actor: Any, candidate: Candidate, reason: str) -> Candidate:
    election = _lock(candidate.election)
    candidate = Candidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk)
    _require_status(
        election,
        Election.Status.PLANNED,
        message=_("A candidate withdraws only while the election is planned; it is %(status)s."),
    )
    if candidate.withdrawn_on is not None:
        raise ValidationError(
            _("Candidate no. %(no)d already withdrew on %(day)s.")
            % {"no": candidate.number, "day": format_date(candidate.withdrawn_on)},
            code="withdrawn",
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the candidate withdraws.")})
    candidate.withdrawn_on = _today()
    candidate.save(update_fields=["withdrawn_on", "updated_at"])
    _audit(
        actor,
        "committee.candidate_withdraw",
        candidate,
        election,
        changes={"withdrawn_on": [None, candidate.withdrawn_on.isoformat()]},
        reason=reason.strip(),
        object_label=f"{election} #{candidate.number}",
    )
    return candidate


# --- results ----------------------------------------------------------------------------------


def _apply_results(
    election: Election,
    *,
    ballots_issued: int,
    ballots_cast: int,
    ballots_spoiled: int,
    ballots_blank: int,
    votes: dict[int, int],
    tie_break_method: str,
    tie_break_note: str,
    lot_order: Sequence[int],
) -> list[Candidate]:
    """Check the counts and rank the candidates (the election is locked); nothing is saved
    when anything is wrong."""
    candidates = list(active_candidates(election).order_by("number"))
    if len(candidates) <= election.seats:
        raise ValidationError(
            _(
                "Unopposed: %(n)d candidate(s) for %(seats)d seats, so there is no vote entry; "
                "certify the election directly."
            )
            % {"n": len(candidates), "seats": election.seats},
            code="unopposed",
        )
    errors: dict[str, list[str]] = {}
    numbers = {c.number for c in candidates}
    votes = {int(k): v for k, v in (votes or {}).items()}
    for number in sorted(set(votes) - numbers):
        errors.setdefault(f"votes.{number}", []).append(
            _("There is no candidate with ballot number %(no)d in this election.") % {"no": number}
        )
    for number in sorted(numbers - set(votes)):
        errors.setdefault(f"votes.{number}", []).append(
            _("Enter the votes of candidate no. %(no)d.") % {"no": number}
        )
    counts = domain.BallotCounts(
        issued=ballots_issued, cast=ballots_cast, spoiled=ballots_spoiled, blank=ballots_blank
    )
    known = {str(n): v for n, v in votes.items() if n in numbers}
    for field, messages in domain.ballot_problems(
        counts, known, election.seats, election.eligible_voters or 0
    ).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    lots = [str(n) for n in lot_order or ()]
    ranking = domain.rank_candidates(known, election.seats, lots)
    straddling = domain.ties_needing_lots(known, election.seats)
    undrawn = [group for group in straddling if not all(key in lots for key in group)]
    if undrawn:
        raise ValidationError(
            {
                "lot_order": [
                    _(
                        "Candidates no. %(numbers)s are tied for the last seat: draw lots and "
                        "give the order drawn (lot_order) and the tie-break method."
                    )
                    % {"numbers": ", ".join(group)}
                    for group in undrawn
                ]
            },
            code="tie",
        )
    if straddling and not (tie_break_method or "").strip():
        raise ValidationError(
            {
                "tie_break_method": [
                    _(
                        "Candidates no. %(numbers)s are tied for the last seat: record the "
                        "tie-break method (e.g. drawing lots)."
                    )
                    % {"numbers": ", ".join(group)}
                    for group in straddling
                ]
            },
            code="tie_method",
        )
    by_number = {str(c.number): c for c in candidates}
    for row in ranking.rows:
        candidate = by_number[row.key]
        candidate.votes = row.votes
        candidate.rank = row.rank
        candidate.by_lot = row.by_lot
        candidate.outcome = Candidate.Outcome.ELECTED if row.elected else Candidate.Outcome.RESERVE
    for name, value in zip(
        BALLOT_FIELDS, (ballots_issued, ballots_cast, ballots_spoiled, ballots_blank), strict=True
    ):
        setattr(election, name, value)
    election.tie_break_method = (tie_break_method or "").strip()
    election.tie_break_note = (tie_break_note or "").strip()
    return candidates


def _save_results(election: Election, candidates: list[Candidate]) -> None:
    election.full_clean()
    election.save()
    for candidate in candidates:
        candidate.save(update_fields=["votes", "rank", "by_lot", "outcome", "updated_at"])


def _counts(election: Election) -> dict[str, Any]:
    values = {name: getattr(election, name) for name in BALLOT_FIELDS}
    values["votes"] = {
        str(c.number): c.votes
        for c in election.candidates.order_by("number")
        if c.votes is not None
    }
    values["tie_break_method"] = election.tie_break_method
    return values


@transaction.atomic
def results_enter(
    *,
    actor: Any,
    election: Election,
    ballots_issued: int,
    ballots_cast: int,
    ballots_spoiled: int,
    ballots_blank: int,
    votes: dict[int, int],
    tie_break_method: str = "",
    tie_break_note: str = "",
    lot_order: Sequence[int] = (),
) -> Election:
    """Enter the counts once (a later change is `results_correct`): the eligible voters are
    snapshotted, the candidates ranked, the top N elected and the rest kept as the reserve."""
    election = _lock(election)
    _require_status(
        election,
        Election.Status.PLANNED,
        message=_(
            "Results are entered once, for a planned election; this one is %(status)s "
            "(a change is a correction with a reason)."
        ),
    )
    if election.held_on > _today():
        raise ValidationError(
            {
                "held_on": _("The election is on %(day)s: results come after election day.")
                % {"day": format_date(election.held_on)}
            },
            code="future",
        )
    election.eligible_voters = voter_count(election)
    candidates = _apply_results(
        election,
        ballots_issued=ballots_issued,
        ballots_cast=ballots_cast,
        ballots_spoiled=ballots_spoiled,
        ballots_blank=ballots_blank,
        votes=votes,
        tie_break_method=tie_break_method,
        tie_break_note=tie_break_note,
        lot_order=lot_order,
    )
    election.status = Election.Status.RESULTS
    election.results_entered_at = timezone.now()
    election.results_entered_by = actor if getattr(actor, "is_authenticated", False) else None
    _save_results(election, candidates)
    changes = {name: [None, value] for name, value in _counts(election).items()}
    changes["eligible_voters"] = [None, election.eligible_voters]
    changes["status"] = [Election.Status.PLANNED, Election.Status.RESULTS]
    _audit(actor, "committee.results_enter", election, election, changes=changes)
    return election


@transaction.atomic
def results_correct(
    *,
    actor: Any,
    election: Election,
    reason: str,
    ballots_issued: int,
    ballots_cast: int,
    ballots_spoiled: int,
    ballots_blank: int,
    votes: dict[int, int],
    tie_break_method: str = "",
    tie_break_note: str = "",
    lot_order: Sequence[int] = (),
) -> Election:
    """Correct entered results before certification (audited with the old and new counts)."""
    election = _lock(election)
    _require_status(
        election,
        Election.Status.RESULTS,
        message=_(
            "Only entered, uncertified results can be corrected; this election is %(status)s."
        ),
    )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the results are corrected.")})
    before = _counts(election)
    candidates = _apply_results(
        election,
        ballots_issued=ballots_issued,
        ballots_cast=ballots_cast,
        ballots_spoiled=ballots_spoiled,
        ballots_blank=ballots_blank,
        votes=votes,
        tie_break_method=tie_break_method,
        tie_break_note=tie_break_note,
        lot_order=lot_order,
    )
    _save_results(election, candidates)
    after = _counts(election)
    changes = {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }
    _audit(
        actor,
        "committee.results_correct",
        election,
        election,
        changes=changes,
        reason=reason.strip(),
    )
    return election


# --- certification ----------------------------------------------------------------------------


def _covering_terms(community: Community, day: date) -> Any:
    """Terms of the community in office (or planned) on `day`."""
    return (
        CommitteeTerm.objects.filter(community=community, starts_on__lte=day)
        .exclude(status=CommitteeTerm.Status.PLANNED, starts_on__gt=day)
        .filter(
            Q(ended_on__isnull=True, ends_on__gte=day) | Q(ended_on__isnull=False, ended_on__gt=day)
        )
    )


@transaction.atomic
def election_certify(
    *, actor: Any, election: Election, starts_on: date | None = None
) -> CommitteeTerm:
    """Certify the result (the division head): a general election starts a new term and ends
    the one in office; a by-election seats its winners in the existing term. With no more
    candidates than seats, everyone is elected unopposed and unfilled seats stay vacant."""
    election = _lock(election)
    candidates = list(active_candidates(election).order_by("number"))
    unopposed = election.status == Election.Status.PLANNED and len(candidates) <= election.seats
    if election.status == Election.Status.PLANNED and not unopposed:
        raise ValidationError(
            _("%(n)d candidates stand for %(seats)d seats: enter the results before certifying.")
            % {"n": len(candidates), "seats": election.seats},
            code="no_results",
        )
    _require_status(
        election,
        Election.Status.PLANNED,
        Election.Status.RESULTS,
        message=_(
            "Only an election with results (or unopposed) can be certified; this one is %(status)s."
        ),
    )
    if unopposed and not candidates:
        raise ValidationError(
            _("The election has no candidate: there is nobody to certify."), code="empty"
        )
    starts_on = starts_on or _today()
    if starts_on < election.held_on:
        raise ValidationError(
            {
                "starts_on": _("The term cannot start before the election day (%(day)s).")
                % {"day": format_date(election.held_on)}
            },
            code="before_election",
        )
    if starts_on > _today():
        raise ValidationError(
            {"starts_on": _("The start cannot be in the future: certify on or after it.")},
            code="future",
        )
    if unopposed:
        for rank, candidate in enumerate(candidates, start=1):
            candidate.rank, candidate.outcome, candidate.by_lot = (
                rank,
                Candidate.Outcome.ELECTED,
                False,
            )
            candidate.save(update_fields=["rank", "outcome", "by_lot", "updated_at"])
        elected = candidates
        source = CommitteeMember.Source.UNOPPOSED
    else:
        elected = [c for c in candidates if c.outcome == Candidate.Outcome.ELECTED]
        source = CommitteeMember.Source.ELECTED
    if election.kind == Election.Kind.BY_ELECTION:
        term = _certify_by_election(election, elected, starts_on)
    else:
        term = _certify_general(actor, election, elected, starts_on, source)
    old = election.status
    election.status = Election.Status.CERTIFIED
    election.unopposed = unopposed
    election.certified_at = timezone.now()
    election.certified_by = actor if getattr(actor, "is_authenticated", False) else None
    election.full_clean()
    election.save()
    _audit(
        actor,
        "committee.election_certify",
        election,
        election,
        changes={
            "status": [old, election.status],
            "unopposed": [False, unopposed],
            "term": [None, str(term.pk)],
            "starts_on": [None, starts_on.isoformat()],
            "elected": [None, [c.number for c in elected]],
        },
    )
    return term


def _certify_general(
    actor: Any, election: Election, elected: list[Candidate], starts_on: date, source: str
) -> CommitteeTerm:
    community = election.community
    current = (
        CommitteeTerm.objects.select_for_update(of=("self",))
        .filter(community=community, status=CommitteeTerm.Status.IN_OFFICE)
        .first()
    )
    overlapping = _covering_terms(community, starts_on)
    if current is not None:
        overlapping = overlapping.exclude(pk=current.pk)
        if starts_on <= current.starts_on:
            raise ValidationError(
                {
                    "starts_on": _(
                        "The new term must start after the term in office started (%(day)s)."
                    )
                    % {"day": format_date(current.starts_on)}
                },
                code="before_current",
            )
    clash = overlapping.first()
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": _(
                    "Another term of the community (%(start)s to %(end)s) already covers "
                    "%(day)s: terms cannot overlap."
                )
                % {
                    "start": format_date(clash.starts_on),
                    "end": format_date(clash.last_day),
                    "day": format_date(starts_on),
                }
            },
            code="overlap",
        )
    if current is not None:
        term_finish(actor=actor, term=current, on=starts_on, reason=_("A new term started."))
    policy = election.policy
    term = CommitteeTerm(
        community=community,
        policy=policy,
        election=election,
        seats=election.seats,
        starts_on=starts_on,
        ends_on=domain.term_end(starts_on, policy.term_years),
        status=CommitteeTerm.Status.IN_OFFICE,
    )
    term.full_clean()
    term.save()
    for candidate in elected:
        CommitteeMember.objects.create(
            term=term,
            person=candidate.person,
            candidate=candidate,
            source=source,
            starts_on=starts_on,
        )
    record_event(
        actor=actor,
        action="committee.term_start",
        obj=term,
        changes={
            "seats": [None, term.seats],
            "starts_on": [None, starts_on.isoformat()],
            "ends_on": [None, term.ends_on.isoformat()],
            "members": [None, len(elected)],
        },
        area_path=term.area_path,
    )
    return term


def _certify_by_election(
    election: Election, elected: list[Candidate], starts_on: date
) -> CommitteeTerm:
    term = CommitteeTerm.objects.select_for_update(of=("self",)).get(pk=election.term_id)
    if term.status != CommitteeTerm.Status.IN_OFFICE:
        raise ValidationError(
            {
                "term": _("The term is %(status)s: a by-election fills a term in office.")
                % {"status": term.get_status_display()}
            },
            code="not_in_office",
        )
    if starts_on > term.ends_on or starts_on < term.starts_on:
        raise ValidationError(
            {
                "starts_on": _("The start must fall within the term (%(start)s to %(end)s).")
                % {"start": format_date(term.starts_on), "end": format_date(term.ends_on)}
            },
            code="outside_term",
        )
    vacancies = open_seats(term)
    if len(elected) > vacancies:
        raise ValidationError(
            _("The term has %(v)d vacant seat(s) now, fewer than the %(n)d elected.")
            % {"v": vacancies, "n": len(elected)},
            code="no_vacancy",
        )
    for candidate in elected:
        member = CommitteeMember(
            term=term,
            person=candidate.person,
            candidate=candidate,
            source=CommitteeMember.Source.BY_ELECTION,
            starts_on=starts_on,
        )
        member.full_clean()
        member.save()
    return term
