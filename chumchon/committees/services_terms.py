"""Writes on committee terms, seats, positions, advisers, working groups and reports.

Every function: keyword-only, `actor` first, atomic, validated, audited. Elections (and the
certification that starts a term) are in services_elections.py and call `term_finish` here to
end the previous term.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.accounts.models import Role, RoleAssignment
from chumchon.accounts.roles import COMMITTEE_MEMBER
from chumchon.accounts.services import role_assign, role_assignment_end
from chumchon.communities.models import Person
from chumchon.core.attachments import attachment_add, validate_upload
from chumchon.core.audit import record_event
from chumchon.core.dates import format_date

from . import domain
from .models import (
    Adviser,
    Candidate,
    CommitteeMember,
    CommitteeReport,
    CommitteeTerm,
    Position,
    WorkingGroup,
    WorkingGroupMember,
)

# term status transitions (the only ones any service performs)
TERM_TRANSITIONS: dict[str, set[str]] = {
    CommitteeTerm.Status.PLANNED: {CommitteeTerm.Status.IN_OFFICE},
    CommitteeTerm.Status.IN_OFFICE: {CommitteeTerm.Status.ENDED, CommitteeTerm.Status.ENDED_EARLY},
    CommitteeTerm.Status.ENDED: set(),
    CommitteeTerm.Status.ENDED_EARLY: set(),
}


def _check_transition(term: CommitteeTerm, to: str) -> None:
    if to not in TERM_TRANSITIONS[term.status]:
        raise ValidationError(
            _("A term that is %(status)s cannot become %(to)s.")
            % {"status": term.get_status_display(), "to": CommitteeTerm.Status(to).label},
            code="transition",
        )


def _end_role(actor: Any, assignment: RoleAssignment | None, on: date, reason: str) -> None:
    """End a committee member role granted for the seat (the day before `on`, the first day
    without the seat), unless it already ends earlier."""
    if assignment is None:
        return
    last_day = max(assignment.valid_from, on.fromordinal(on.toordinal() - 1))
    if assignment.valid_to is not None and assignment.valid_to <= last_day:
        return
    role_assignment_end(actor=actor, assignment=assignment, valid_to=last_day, reason=reason)


@transaction.atomic
def term_finish(
    *,
    actor: Any,
    term: CommitteeTerm,
    on: date,
    status: str = CommitteeTerm.Status.ENDED,
    reason: str = "",
    order_no: str = "",
) -> CommitteeTerm:
    """End a term in office from `on` (the first day it is no longer in office): its open
    seats end (reason: term ended), their positions end, and committee member roles granted for
    those seats end the day before. `status` is ENDED (a new term took over, or the term ran
    out) or ENDED_EARLY (a district order: `order_no` and `reason` required)."""
    term = CommitteeTerm.objects.select_for_update(of=("self",)).get(pk=term.pk)
    _check_transition(term, status)
    errors: dict[str, str] = {}
    if on < term.starts_on:
        errors["on"] = _("The end date cannot be before the term started (%(start)s).") % {
            "start": format_date(term.starts_on)
        }
    if status == CommitteeTerm.Status.ENDED_EARLY:
        if not reason.strip():
            errors["reason"] = _("Give the reason for ending the term early.")
        if not order_no.strip():
            errors["order_no"] = _("Give the number of the district order.")
    if errors:
        raise ValidationError(errors)
    note = reason.strip() or _("Term ended")
    for member in term.members.filter(ends_on__isnull=True).select_related("role_assignment"):
        member.ends_on = max(on, member.starts_on)
        member.end_reason = CommitteeMember.EndReason.TERM_ENDED
        member.full_clean()
        member.save(update_fields=["ends_on", "end_reason", "updated_at"])
        _end_role(actor, member.role_assignment, member.ends_on, note)
    for position in Position.objects.filter(term=term, ends_on__isnull=True):
        position.ends_on = max(on, position.starts_on)
        position.save(update_fields=["ends_on", "updated_at"])
    old = term.status
    term.status = status
    term.ended_on = on
    term.end_reason = reason.strip()
    term.end_order_no = order_no.strip()
    term.full_clean()
    term.save()
    record_event(
        actor=actor,
        action="committee.term_end",
        obj=term,
        changes={"status": [old, status], "ended_on": [None, on.isoformat()]},
        reason=reason,
        area_path=term.area_path,
    )
    return term


# --- seats ------------------------------------------------------------------------------------

#: reasons a member leaves before the term ends (TERM_ENDED is term_finish's)
MEMBER_END_REASONS = (
    CommitteeMember.EndReason.RESIGNED,
    CommitteeMember.EndReason.DIED,
    CommitteeMember.EndReason.MOVED_OUT,
    CommitteeMember.EndReason.REMOVED,
)
OPEN_TERM = (CommitteeTerm.Status.PLANNED, CommitteeTerm.Status.IN_OFFICE)


def _day(value: date) -> str:
    return format_date(value)


def _check_open_term(term: CommitteeTerm) -> None:
    if term.status not in OPEN_TERM:
        raise ValidationError(
            _("The term %(start)s – %(end)s is %(status)s: it can no longer be changed.")
            % {
                "start": _day(term.starts_on),
                "end": _day(term.ends_on),
                "status": term.get_status_display(),
            },
            code="term_closed",
        )


def _check_in_term(term: CommitteeTerm, on: date, field: str = "on") -> None:
    if on < term.starts_on or on > term.ends_on:
        raise ValidationError(
            {
                field: _("The date must lie within the term (%(start)s – %(end)s).")
                % {"start": _day(term.starts_on), "end": _day(term.ends_on)}
            },
            code="outside_term",
        )


def _seated_on(member: CommitteeMember, day: date) -> bool:
    return member.starts_on <= day and (member.ends_on is None or member.ends_on > day)


def _name(person: Person | None) -> str:
    return person.full_name if person is not None else ""


@transaction.atomic
def member_end(
    *, actor: Any, member: CommitteeMember, on: date, reason: str, note: str = ""
) -> CommitteeMember:
    """End a seat before the term ends: from `on` (the first day without the seat) the member
    no longer sits; their open position ends and the committee member role granted for the
    seat ends the day before. `reason`: resigned, died, moved_out or removed."""
    member = (
        CommitteeMember.objects.select_for_update(of=("self",))
        .select_related("term__community__area", "person", "role_assignment")
        .get(pk=member.pk)
    )
    term = member.term
    _check_open_term(term)
    errors: dict[str, str] = {}
    if reason not in MEMBER_END_REASONS:
        errors["reason"] = _("Choose why the membership ends (resigned, died, moved out, removed).")
    if member.ends_on is not None:
        errors["on"] = _("%(name)s's membership already ended on %(day)s.") % {
            "name": _name(member.person),
            "day": _day(member.ends_on),
        }
    elif on < member.starts_on:
        errors["on"] = _("The end date cannot be before the membership started (%(day)s).") % {
            "day": _day(member.starts_on)
        }
    elif on > term.ends_on:
        errors["on"] = _("The end date cannot be after the term ends (%(day)s).") % {
            "day": _day(term.ends_on)
        }
    if errors:
        raise ValidationError(errors)
    member.ends_on = on
    member.end_reason = reason
    member.end_note = note.strip()
    member.full_clean()
    member.save(update_fields=["ends_on", "end_reason", "end_note", "updated_at"])
    ended_positions = []
    for position in member.positions.filter(ends_on__isnull=True):
        position.ends_on = max(on, position.starts_on)
        position.save(update_fields=["ends_on", "updated_at"])
        ended_positions.append(position.code)
    label = str(CommitteeMember.EndReason(reason).label)
    _end_role(actor, member.role_assignment, on, note.strip() or label)
    record_event(
        actor=actor,
        action="committee.member_end",
        obj=member,
        changes={
            "ends_on": [None, on.isoformat()],
            "end_reason": ["", reason],
            "positions_ended": ended_positions,
        },
        reason=note.strip() or label,
        area_path=term.area_path,
    )
    return member


def reserve_candidates(term: CommitteeTerm) -> list[Candidate]:
    """Unused reserve candidates of the term's election in rank order (the contract's
    `selectors_elections.reserve_list`; imported here to avoid an import cycle)."""
    from .selectors_elections import reserve_list

    return list(reserve_list(term))


def reserve_problem(term: CommitteeTerm, person: Person, on: date) -> str:
    """Why a reserve candidate cannot sit on `on` ("" when they can): alive, and registered
    in the community's house registrations that day."""
    if person.status == Person.Status.DECEASED:
        return _("deceased")
    if person.status == Person.Status.MOVED_OUT:
        return _("moved out")
    registered = (
        Person.objects.members_on(on).filter(pk=person.pk, area_id=term.community.area_id).exists()
    )
    if not registered:
        return _("no longer registered in the community")
    return ""


@transaction.atomic
def vacancy_fill_from_reserve(*, actor: Any, term: CommitteeTerm, on: date) -> CommitteeMember:
    """Seat the next unused reserve candidate (rank order) who can still sit from `on` until
    the term's end. Candidates who died, moved out or left the house registration are skipped
    (the audit event records why). Refused when no seat is vacant or the reserve is exhausted."""
    term = (
        CommitteeTerm.objects.select_for_update(of=("self",))
        .select_related("community__area")
        .get(pk=term.pk)
    )
    _check_open_term(term)
    _check_in_term(term, on)
    seated = term.members.current(on).count()
    if seated >= term.seats:
        raise ValidationError(
            _("No seat is vacant on %(day)s: %(seated)d members hold the %(seats)d seats.")
            % {"day": _day(on), "seated": seated, "seats": term.seats},
            code="no_vacancy",
        )
    skipped: list[dict[str, Any]] = []
    chosen = None
    for candidate in reserve_candidates(term):
        if term.members.filter(person_id=candidate.person_id).exists():
            continue
        problem = reserve_problem(term, candidate.person, on)
        if problem:
            skipped.append(
                {"candidate": candidate.number, "name": _name(candidate.person), "why": problem}
            )
            continue
        chosen = candidate
        break
    if chosen is None:
        detail = "; ".join(f"{s['candidate']} {s['name']}: {s['why']}" for s in skipped)
        message = _(
            "The reserve list of this term is exhausted: nobody can take the vacant seat. "
            "A by-election may be held."
        )
        if detail:
            message = f"{message} ({_('skipped')}: {detail})"
        raise ValidationError(message, code="reserve_exhausted")
    member = CommitteeMember(
        term=term,
        person=chosen.person,
        candidate=chosen,
        source=CommitteeMember.Source.RESERVE,
        starts_on=on,
    )
    member.full_clean()
    member.save()
    record_event(
        actor=actor,
        action="committee.vacancy_fill",
        obj=member,
        changes={
            "person": _name(chosen.person),
            "candidate": chosen.number,
            "rank": chosen.rank,
            "starts_on": on.isoformat(),
            "skipped": skipped,
        },
        area_path=term.area_path,
    )
    return member


# --- positions --------------------------------------------------------------------------------


@transaction.atomic
def position_assign(
    *, actor: Any, member: CommitteeMember, code: str, title: str = "", on: date
) -> Position:
    """`member` holds position `code` from `on`. The six named positions have at most one
    holder at a time; a member holds one position at a time; "other" needs a title."""
    member = (
        CommitteeMember.objects.select_for_update(of=("self",))
        .select_related("term__community__area", "person")
        .get(pk=member.pk)
    )
    term = member.term
    _check_open_term(term)
    title = title.strip()
    codes = {c for c, _label in domain.POSITION_CHOICES}
    if code not in codes:
        raise ValidationError({"code": _("Choose a position from the list.")}, code="code")
    if code == domain.OTHER and not title:
        raise ValidationError(
            {"title": _("Give the title of a position the committee defines.")}, code="title"
        )
    if code != domain.OTHER:
        title = ""
    _check_in_term(term, on)
    if not _seated_on(member, on):
        raise ValidationError(
            {
                "on": _("%(name)s does not sit on the committee on %(day)s.")
                % {"name": _name(member.person), "day": _day(on)}
            },
            code="not_seated",
        )
    label = str(dict(domain.POSITION_CHOICES)[code]) if code != domain.OTHER else title
    if code != domain.OTHER:
        holder = (
            Position.objects.filter(term=term, code=code, ends_on__isnull=True)
            .select_related("member__person")
            .first()
        )
        if holder is not None:
            raise ValidationError(
                {
                    "code": _(
                        "%(holder)s already holds the position %(position)s since %(day)s: "
                        "end that position first (one holder at a time)."
                    )
                    % {
                        "holder": _name(holder.member.person),
                        "position": label,
                        "day": _day(holder.starts_on),
                    }
                },
                code="taken",
            )
    held = member.positions.filter(ends_on__isnull=True).first()
    if held is not None:
        raise ValidationError(
            {
                "code": _(
                    "%(name)s already holds the position %(position)s: end it first (one "
                    "position per member)."
                )
                % {"name": _name(member.person), "position": held.label}
            },
            code="one_per_member",
        )
    position = Position(term=term, member=member, code=code, title=title, starts_on=on)
    position.full_clean()
    position.save()
    record_event(
        actor=actor,
        action="committee.position_assign",
        obj=position,
        changes={"member": _name(member.person), "code": code, "title": title, "from": str(on)},
        area_path=term.area_path,
        object_label=f"{label} – {_name(member.person)}",
    )
    return position


@transaction.atomic
def position_end(*, actor: Any, position: Position, on: date) -> Position:
    """`position` is no longer held from `on`."""
    position = (
        Position.objects.select_for_update(of=("self",))
        .select_related("term__community__area", "member__person")
        .get(pk=position.pk)
    )
    if position.ends_on is not None:
        raise ValidationError(
            {"on": _("This position already ended on %(day)s.") % {"day": _day(position.ends_on)}},
            code="ended",
        )
    if on < position.starts_on:
        raise ValidationError(
            {
                "on": _("The end date cannot be before the position started (%(day)s).")
                % {"day": _day(position.starts_on)}
            },
            code="before_start",
        )
    position.ends_on = on
    position.full_clean()
    position.save(update_fields=["ends_on", "updated_at"])
    record_event(
        actor=actor,
        action="committee.position_end",
        obj=position,
        changes={"ends_on": [None, on.isoformat()]},
        area_path=position.term.area_path,
        object_label=f"{position.label} – {_name(position.member.person)}",
    )
    return position


# --- the committee member role ----------------------------------------------------------------


def active_user_named(username: str) -> Any:
    """The active user account named `username` (surrounding spaces ignored), to be given the
    committee member role; a ValidationError on `username` when there is none."""
    username = (username or "").strip()
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError(
            {"username": _("No active user account is named %(name)s.") % {"name": username}}
        )
    return user


@transaction.atomic
def member_grant_role(*, actor: Any, member: CommitteeMember, user: Any) -> RoleAssignment:
    """Give `user` the community committee member role at the member's community until the
    term ends, and link the user account to the member's registry person."""
    member = (
        CommitteeMember.objects.select_for_update(of=("self",))
        .select_related("term__community__area", "person__user", "role_assignment")
        .get(pk=member.pk)
    )
    term = member.term
    _check_open_term(term)
    today = timezone.localdate()
    person = member.person
    if member.ends_on is not None and member.ends_on <= today:
        raise ValidationError(
            _("%(name)s no longer sits on the committee (since %(day)s).")
            % {"name": _name(person), "day": _day(member.ends_on)},
            code="not_seated",
        )
    if term.ends_on < today:
        raise ValidationError(
            _("The term ended on %(day)s.") % {"day": _day(term.ends_on)}, code="term_over"
        )
    linked = Person.objects.filter(user=user).exclude(pk=person.pk).first()
    if linked is not None:
        raise ValidationError(
            {
                "user": _(
                    "The user account %(user)s is already linked to another person in the registry."
                )
                % {"user": user.get_username()}
            },
            code="user_linked",
        )
    if person.user_id is not None and person.user_id != user.pk:
        raise ValidationError(
            {
                "user": _("%(name)s is already linked to the user account %(user)s.")
                % {"name": _name(person), "user": person.user.get_username()}
            },
            code="person_linked",
        )
    current = member.role_assignment
    if current is not None and (current.valid_to is None or current.valid_to >= today):
        raise ValidationError(
            _("%(name)s already holds the committee member role (until %(day)s).")
            % {"name": _name(person), "day": _day(current.valid_to or term.ends_on)},
            code="granted",
        )
    role = Role.objects.get(code=COMMITTEE_MEMBER)
    assignment = role_assign(
        actor=actor,
        user=user,
        role=role,
        area=term.community.area,
        valid_from=max(today, member.starts_on, term.starts_on),
        valid_to=member.ends_on - timedelta(days=1) if member.ends_on else term.ends_on,
        note=_("Committee member of %(community)s") % {"community": term.community.area.name},
    )
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    member.role_assignment = assignment
    member.save(update_fields=["role_assignment", "updated_at"])
    record_event(
        actor=actor,
        action="committee.member_grant_role",
        obj=member,
        changes={"user": user.get_username(), "valid_to": str(assignment.valid_to)},
        area_path=term.area_path,
    )
    return assignment


# --- the term -----------------------------------------------------------------------------------


def term_end_early(
    *, actor: Any, term: CommitteeTerm, on: date, order_no: str, reason: str
) -> CommitteeTerm:
    """End a term in office by district order (`records.dissolve`: checked by the caller)."""
    return term_finish(
        actor=actor,
        term=term,
        on=on,
        status=CommitteeTerm.Status.ENDED_EARLY,
        reason=reason,
        order_no=order_no,
    )


@transaction.atomic
def terms_roll(*, on: date) -> dict[str, int]:
    """The daily roll: terms in office whose end has passed end (from the day after their
    last day); planned terms whose first day has come take office (unless the community
    still has another term in office: counted as `blocked`)."""
    ended = started = blocked = 0
    for term in CommitteeTerm.objects.filter(
        status=CommitteeTerm.Status.IN_OFFICE, ends_on__lt=on
    ).select_related("community__area"):
        term_finish(actor=None, term=term, on=term.ends_on + timedelta(days=1))
        ended += 1
    for term in CommitteeTerm.objects.filter(
        status=CommitteeTerm.Status.PLANNED, starts_on__lte=on
    ).select_related("community__area"):
        if CommitteeTerm.objects.filter(
            community_id=term.community_id, status=CommitteeTerm.Status.IN_OFFICE
        ).exists():
            blocked += 1
            continue
        _check_transition(term, CommitteeTerm.Status.IN_OFFICE)
        term.status = CommitteeTerm.Status.IN_OFFICE
        term.save(update_fields=["status", "updated_at"])
        record_event(
            actor=None,
            action="committee.term_start",
            obj=term,
            changes={"status": [CommitteeTerm.Status.PLANNED, CommitteeTerm.Status.IN_OFFICE]},
            area_path=term.area_path,
        )
        started += 1
    return {"ended": ended, "started": started, "blocked": blocked}


# --- advisers, working groups, reports ------------------------------------------------------


def _person_in_community(term: CommitteeTerm, person: Person | None, field: str) -> None:
    if person is not None and person.area_id != term.community.area_id:
        raise ValidationError(
            {
                field: _("%(name)s is not registered in this community.")
                % {"name": person.full_name}
            },
            code="other_community",
        )


@transaction.atomic
def adviser_add(
    *,
    actor: Any,
    term: CommitteeTerm,
    starts_on: date,
    name: str = "",
    person: Person | None = None,
    expertise: str = "",
) -> Adviser:
    """An adviser appointed by the committee: a registry person of the community or a named
    outsider."""
    term = CommitteeTerm.objects.select_related("community__area").get(pk=term.pk)
    _check_open_term(term)
    _person_in_community(term, person, "person")
    name = (name.strip() or _name(person)).strip()
    if not name:
        raise ValidationError({"name": _("Give the adviser's name.")}, code="name")
    _check_in_term(term, starts_on, "starts_on")
    adviser = Adviser(
        term=term, person=person, name=name, expertise=expertise.strip(), starts_on=starts_on
    )
    adviser.full_clean()
    adviser.save()
    record_event(
        actor=actor,
        action="committee.adviser_add",
        obj=adviser,
        changes={"name": name, "expertise": adviser.expertise, "from": str(starts_on)},
        area_path=term.area_path,
    )
    return adviser


def _end_dated(actor: Any, obj: Any, on: date, action: str, area_path: str) -> Any:
    if obj.ends_on is not None:
        raise ValidationError(
            {
                "on": _("%(name)s already ended on %(day)s.")
                % {"name": obj, "day": _day(obj.ends_on)}
            },
            code="ended",
        )
    if on < obj.starts_on:
        raise ValidationError(
            {
                "on": _("The end date cannot be before the start (%(day)s).")
                % {"day": _day(obj.starts_on)}
            },
            code="before_start",
        )
    obj.ends_on = on
    obj.full_clean()
    obj.save(update_fields=["ends_on", "updated_at"])
    record_event(
        actor=actor,
        action=action,
        obj=obj,
        changes={"ends_on": [None, on.isoformat()]},
        area_path=area_path,
    )
    return obj


@transaction.atomic
def adviser_end(*, actor: Any, adviser: Adviser, on: date) -> Adviser:
    adviser = (
        Adviser.objects.select_for_update(of=("self",))
        .select_related("term__community__area")
        .get(pk=adviser.pk)
    )
    return _end_dated(actor, adviser, on, "committee.adviser_end", adviser.term.area_path)


@transaction.atomic
def working_group_add(
    *, actor: Any, term: CommitteeTerm, name: str, purpose: str, starts_on: date
) -> WorkingGroup:
    term = CommitteeTerm.objects.select_related("community__area").get(pk=term.pk)
    _check_open_term(term)
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the working group's name.")
    if not purpose.strip():
        errors["purpose"] = _("Say what the working group is for.")
    if errors:
        raise ValidationError(errors)
    _check_in_term(term, starts_on, "starts_on")
    group = WorkingGroup(term=term, name=name.strip(), purpose=purpose.strip(), starts_on=starts_on)
    group.full_clean()
    group.save()
    record_event(
        actor=actor,
        action="committee.working_group_add",
        obj=group,
        changes={"name": group.name, "purpose": group.purpose, "from": str(starts_on)},
        area_path=term.area_path,
    )
    return group


@transaction.atomic
def working_group_member_add(
    *,
    actor: Any,
    group: WorkingGroup,
    name: str = "",
    person: Person | None = None,
    role: str = "",
) -> WorkingGroupMember:
    group = WorkingGroup.objects.select_related("term__community__area").get(pk=group.pk)
    _check_open_term(group.term)
    if group.ends_on is not None:
        raise ValidationError(
            _("The working group %(name)s ended on %(day)s.")
            % {"name": group.name, "day": _day(group.ends_on)},
            code="ended",
        )
    _person_in_community(group.term, person, "person")
    name = name.strip() or _name(person)
    if not name:
        raise ValidationError({"name": _("Give the member's name.")}, code="name")
    if person is not None and group.members.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(name)s is already in this working group.") % {"name": name}},
            code="duplicate",
        )
    row = WorkingGroupMember(group=group, person=person, name=name, role=role.strip())
    row.full_clean()
    row.save()
    record_event(
        actor=actor,
        action="committee.working_group_member_add",
        obj=group,
        changes={"member": name, "role": row.role},
        area_path=group.term.area_path,
    )
    return row


@transaction.atomic
def working_group_end(*, actor: Any, group: WorkingGroup, on: date) -> WorkingGroup:
    group = (
        WorkingGroup.objects.select_for_update(of=("self",))
        .select_related("term__community__area")
        .get(pk=group.pk)
    )
    return _end_dated(actor, group, on, "committee.working_group_end", group.term.area_path)


@transaction.atomic
def report_add(
    *,
    actor: Any,
    term: CommitteeTerm,
    reported_on: date,
    subject: str,
    body: str,
    files: Iterable[Any] = (),
) -> CommitteeReport:
    """The committee's report to the district director, with attachments (each checked by
    core.attachments: a refused file refuses the whole report)."""
    term = CommitteeTerm.objects.select_related("community__area").get(pk=term.pk)
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Give the report's subject.")
    if not body.strip():
        errors["body"] = _("Write the report.")
    if reported_on < term.starts_on:
        errors["reported_on"] = _(
            "The report date cannot be before the term started (%(day)s)."
        ) % {"day": _day(term.starts_on)}
    if errors:
        raise ValidationError(errors)
    for uploaded in files:  # every file is checked before anything is saved
        validate_upload(uploaded)
    report = CommitteeReport(
        term=term,
        reported_on=reported_on,
        subject=subject.strip(),
        body=body.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    report.full_clean()
    report.save()
    names = []
    for uploaded in files:
        attachment_add(actor=actor, owner=report, uploaded=uploaded)
        names.append(uploaded.name)
    record_event(
        actor=actor,
        action="committee.report_add",
        obj=report,
        changes={"subject": report.subject, "reported_on": str(reported_on), "files": names},
        area_path=term.area_path,
    )
    return report
