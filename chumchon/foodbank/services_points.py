"""Who the district food bank serves, and their points (helper "beneficiaries").

- ``beneficiary_register`` / ``beneficiary_quick_register`` / ``beneficiary_close``: a person or
  a household of the district (one active registration per person or household per store); a
  person in no house registration is registered quickly in the registry first (the minimal
  person of ``communities.services.person_quick_register``), in the same transaction.
- ``assess``: the registry's welfare flags at the time (a household: its current members' flags
  and "poor_household") and a score per active ``Criterion``.
- ``award_grant`` (a one-off grant), ``allowance_start`` / ``allowance_stop`` (a monthly
  allowance), ``award_reverse`` (take back what is left of an award).
- The periodic jobs: ``points_monthly(today)`` gives each running allowance its month's award
  (once: the (allowance, month) constraint), ``points_expire(today)`` writes an "expire" entry
  for what is left of every award past its expiry (once: after it the award has nothing left).

Rules of the issue checked here (not only in the views): a beneficiary served by another
district's store gets no award or allowance from this one, and a person or household living in
another district is not registered here. Every write of points goes through
``ledger.post_points`` under ``ledger.lock_store``; numbers are max + 1 after the lock.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.communities import services as registry
from chumchon.communities.models import Household, Membership, Person
from chumchon.core.audit import record_event
from chumchon.core.dates import format_date
from chumchon.organizations.models import Area

from . import domain, ledger
from .models import Allowance, Assessment, Award, Beneficiary, Criterion, PointEntry, Store

#: the order welfare flags are kept and shown in (codes of Person.welfare_flags())
FLAG_ORDER = (
    "elderly",
    "disability",
    "bedridden",
    "chronic_illness",
    "child_in_need",
    "disaster_victim",
    "poor_household",
)
MAX_VALID_DAYS = 3650


def _today() -> date:
    return timezone.localdate()


def district_of(area: Area) -> Area | None:
    """The district an area lies in (itself when it is one)."""
    if area.kind.code == "district":
        return area
    for ancestor in reversed(area.ancestors(include_self=False)):
        if ancestor.kind.code == "district":
            return ancestor
    return None


def in_district(area: Area, district: Area) -> bool:
    return area.path.startswith(district.path)


def _district_name(area: Area | None) -> str:
    return area.display_name if area is not None else _("another area")


def _not_future(problems: dict, field: str, value: date | None, label: str) -> None:
    if value is not None and value > _today():
        domain.add(
            problems,
            field,
            _("%(label)s cannot be in the future (%(date)s).")
            % {"label": label, "date": format_date(value)},
        )


def _required_text(problems: dict, field: str, value: str | None, message: str) -> str:
    text = (value or "").strip()
    if not text:
        domain.add(problems, field, message)
    return text


def beneficiary_label(beneficiary: Beneficiary) -> str:
    """ "B12 (name)" for messages: the person's name, or the household's house number."""
    if beneficiary.kind == Beneficiary.Kind.PERSON and beneficiary.person_id:
        who = beneficiary.person.full_name
    elif beneficiary.household_id:
        who = str(beneficiary.household)
    else:
        who = ""
    return f"B{beneficiary.number} ({who})" if who else f"B{beneficiary.number}"


def _check_serves(problems: dict, store: Store, beneficiary: Beneficiary) -> None:
    """A beneficiary of another store, or a closed one, gets no points here."""
    if beneficiary.store_id != store.pk:
        domain.add(
            problems,
            "beneficiary",
            _(
                "%(who)s is served by %(there)s, not %(here)s: only that district awards them points."
            )
            % {
                "who": f"B{beneficiary.number}",
                "there": _district_name(beneficiary.store.area),
                "here": _district_name(store.area),
            },
        )
    elif beneficiary.state != Beneficiary.State.ACTIVE:
        domain.add(
            problems,
            "beneficiary",
            _("%(who)s was closed on %(date)s: register them again to award points.")
            % {"who": beneficiary_label(beneficiary), "date": format_date(beneficiary.closed_on)},
        )


def _lock_and_reread(store: Store, beneficiary: Beneficiary) -> tuple[Store, Beneficiary]:
    """Lock the store FIRST, then read the beneficiary again: a registration closed by another
    request a moment ago is seen closed (its check is not made on a stale copy)."""
    store = ledger.lock_store(store)
    beneficiary = Beneficiary.objects.select_related("store__area", "person", "household").get(
        pk=beneficiary.pk
    )
    return store, beneficiary


def _next_number(store: Store) -> int:
    return (Beneficiary.objects.filter(store=store).aggregate(n=Max("number"))["n"] or 0) + 1


def month_label(day: date) -> str:
    """ "มีนาคม 2567" / "March 2567 BE"."""
    return format_date(day).split(" ", 1)[1]


def _month(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


# --- registering -------------------------------------------------------------------------------


def _target_label(target: Person | Household, *, masked: bool) -> str:
    if isinstance(target, Person):
        return target.masked_name if masked else target.full_name
    return _("House %(no)s in %(community)s") % {
        "no": target.house_no,
        "community": target.community.area.name,
    }


def _already_registered(store: Store, field: str, target: Any) -> str | None:
    existing = Beneficiary.objects.filter(
        store=store, state=Beneficiary.State.ACTIVE, **{field: target}
    ).first()
    if existing is None:
        return None
    return _("%(who)s is already registered here as beneficiary B%(number)s.") % {
        "who": _target_label(target, masked=False),
        "number": existing.number,
    }


def registration_problems(
    store: Store, kind: str, target: Person | Household | None
) -> dict[str, list[str]]:
    """Why ``target`` cannot be registered at ``store`` (empty: it can): another district
    serves them, not alive / not active in the registry, already registered here."""
    problems: dict[str, list[str]] = {}
    district = store.area
    if kind == Beneficiary.Kind.PERSON:
        field = "person"
        if not isinstance(target, Person):
            domain.add(problems, field, _("Choose the person to register."))
            return problems
    elif kind == Beneficiary.Kind.HOUSEHOLD:
        field = "household"
        if not isinstance(target, Household):
            domain.add(problems, field, _("Choose the household to register."))
            return problems
    else:
        domain.add(
            problems,
            "kind",
            _("“%(value)s” is not a kind of beneficiary: choose a person or a household.")
            % {"value": kind},
        )
        return problems
    if not in_district(target.area, district):
        domain.add(
            problems,
            field,
            _("%(who)s lives in %(there)s, not %(here)s: that district serves them.")
            % {
                "who": _target_label(target, masked=True),
                "there": _district_name(district_of(target.area)),
                "here": _district_name(district),
            },
        )
        return problems
    if isinstance(target, Person) and target.status != Person.Status.ALIVE:
        domain.add(
            problems,
            field,
            _("%(who)s is recorded as %(status)s in the registry and cannot be registered.")
            % {"who": target.full_name, "status": target.get_status_display()},
        )
    elif isinstance(target, Household) and not target.is_active:
        domain.add(
            problems,
            field,
            _("%(who)s is no longer an active household in the registry.")
            % {"who": _target_label(target, masked=False)},
        )
    message = _already_registered(store, field, target)
    if message:
        domain.add(problems, field, message)
    return problems


@transaction.atomic
def beneficiary_register(
    *,
    actor: Any,
    store: Store,
    kind: str,
    person: Person | None = None,
    household: Household | None = None,
    registered_on: date | None = None,
    note: str = "",
) -> Beneficiary:
    """Register a person or a household of the store's district (one active registration per
    person or household per store). A person whose household is already a beneficiary may be
    registered too (the page warns)."""
    target = person if kind == Beneficiary.Kind.PERSON else household
    problems = registration_problems(store, kind, target)
    registered_on = registered_on or _today()
    _not_future(problems, "registered_on", registered_on, _("The registration date"))
    domain.raise_problems(problems)
    ledger.lock_store(store)
    field = "person" if kind == Beneficiary.Kind.PERSON else "household"
    message = _already_registered(store, field, target)  # again, under the lock
    if message:
        domain.raise_problems({field: [message]})
    beneficiary = Beneficiary(
        store=store,
        number=_next_number(store),
        kind=kind,
        person=target if kind == Beneficiary.Kind.PERSON else None,
        household=target if kind == Beneficiary.Kind.HOUSEHOLD else None,
        registered_on=registered_on,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    beneficiary.save()
    record_event(
        actor=actor,
        action="foodbank.beneficiary_register",
        obj=beneficiary,
        changes={"kind": kind, "number": beneficiary.number},
        area_path=store.area.path,
    )
    return beneficiary


@transaction.atomic
def beneficiary_quick_register(
    *,
    actor: Any,
    store: Store,
    first_name: str,
    last_name: str = "",
    approximate_age: int | None = None,
    sex: str = "",
    missing_id_reason: str = Person.MissingId.UNKNOWN,
    phone: str = "",
    registered_on: date | None = None,
    note: str = "",
) -> Beneficiary:
    """A person in no house registration (homeless, migrant): the registry's minimal person at
    the store's district, then registered here; both or neither."""
    person = registry.person_quick_register(
        actor=actor,
        area=store.area,
        first_name=first_name,
        last_name=last_name,
        approximate_age=approximate_age,
        sex=sex,
        missing_id_reason=missing_id_reason,
        phone=phone,
    )
    return beneficiary_register(
        actor=actor,
        store=store,
        kind=Beneficiary.Kind.PERSON,
        person=person,
        registered_on=registered_on,
        note=note,
    )


@transaction.atomic
def beneficiary_close(
    *, actor: Any, beneficiary: Beneficiary, reason: str, closed_on: date | None = None
) -> Beneficiary:
    """Close a registration (moved away, no longer in need, died): its running allowance stops
    the same day; points already awarded stay on the ledger until they expire."""
    problems: dict[str, list[str]] = {}
    closed_on = closed_on or _today()
    reason = _required_text(problems, "reason", reason, _("Give the reason for closing."))
    _not_future(problems, "closed_on", closed_on, _("The closing date"))
    if closed_on < beneficiary.registered_on:
        domain.add(
            problems,
            "closed_on",
            _("The closing date (%(date)s) is before the registration (%(registered)s).")
            % {
                "date": format_date(closed_on),
                "registered": format_date(beneficiary.registered_on),
            },
        )
    ledger.lock_store(beneficiary.store)
    beneficiary.refresh_from_db(fields=["state", "closed_on", "close_reason"])
    if beneficiary.state != Beneficiary.State.ACTIVE:
        domain.add(
            problems,
            "__all__",
            _("B%(number)s was already closed on %(date)s.")
            % {"number": beneficiary.number, "date": format_date(beneficiary.closed_on)},
        )
    domain.raise_problems(problems)
    beneficiary.state = Beneficiary.State.CLOSED
    beneficiary.closed_on = closed_on
    beneficiary.close_reason = reason
    beneficiary.save(update_fields=["state", "closed_on", "close_reason"])
    for allowance in Allowance.objects.filter(beneficiary=beneficiary, stopped_on__isnull=True):
        if allowance.ends_on is not None and allowance.ends_on < closed_on:
            continue
        allowance.stopped_on = max(closed_on, allowance.starts_on)
        allowance.stop_reason = _("Beneficiary closed: %(reason)s") % {"reason": reason}
        allowance.save(update_fields=["stopped_on", "stop_reason"])
    record_event(
        actor=actor,
        action="foodbank.beneficiary_close",
        obj=beneficiary,
        changes={"state": ["active", "closed"], "closed_on": closed_on.isoformat()},
        reason=reason,
        area_path=beneficiary.store.area.path,
    )
    return beneficiary


# --- assessing ---------------------------------------------------------------------------------


def current_flags(beneficiary: Beneficiary, on: date | None = None) -> list[str]:
    """The registry's welfare flags now: the person's, or the union of the household's current
    members' flags plus "poor_household" when the household is poor."""
    on = on or _today()
    if beneficiary.kind == Beneficiary.Kind.PERSON:
        flags = set(beneficiary.person.welfare_flags())
    else:
        household = beneficiary.household
        flags = set()
        memberships = (
            Membership.objects.open_on(on)
            .filter(household=household, person__status=Person.Status.ALIVE)
            .select_related("person__household")
        )
        for membership in memberships:
            flags.update(membership.person.welfare_flags())
        if household.is_poor:
            flags.add("poor_household")
    return [code for code in FLAG_ORDER if code in flags] + sorted(flags - set(FLAG_ORDER))


def _score_problem(value: Any, *, label: str, maximum: int) -> tuple[int | None, str | None]:
    """A whole number 0..maximum (a string from a form, a JSON number)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("%(label)s: enter a score from 0 to %(max)s.") % {
            "label": label,
            "max": maximum,
        }
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None:
        return None, _("%(label)s: “%(value)s” is not a whole number.") % {
            "label": label,
            "value": value,
        }
    if number < 0 or number > maximum:
        return None, _("%(label)s must be from 0 to %(max)s (got %(value)s).") % {
            "label": label,
            "max": maximum,
            "value": number,
        }
    return number, None


@transaction.atomic
def assess(
    *,
    actor: Any,
    beneficiary: Beneficiary,
    scores: dict[str, Any],
    assessed_on: date | None = None,
    note: str = "",
) -> Assessment:
    """Score every active criterion (0..its highest score, whole numbers) and keep the registry
    flags of the day with the total."""
    problems: dict[str, list[str]] = {}
    assessed_on = assessed_on or _today()
    scores = scores or {}
    if not isinstance(scores, dict):
        domain.add(problems, "scores", _("Give a score for each criterion."))
        scores = {}
    _not_future(problems, "assessed_on", assessed_on, _("The assessment date"))
    if beneficiary.state != Beneficiary.State.ACTIVE:
        domain.add(
            problems,
            "beneficiary",
            _("%(who)s was closed on %(date)s and is not assessed any more.")
            % {"who": beneficiary_label(beneficiary), "date": format_date(beneficiary.closed_on)},
        )
    criteria = list(Criterion.objects.filter(active=True))
    known = {c.code for c in criteria}
    parsed: dict[str, int] = {}
    for criterion in criteria:
        value, problem = _score_problem(
            scores.get(criterion.code), label=criterion.name, maximum=criterion.max_score
        )
        if problem:
            domain.add(problems, f"scores.{criterion.code}", problem)
        else:
            parsed[criterion.code] = value  # type: ignore[assignment]
    for code in sorted(set(map(str, scores)) - known):
        domain.add(
            problems,
            "scores",
            _("“%(code)s” is not a criterion of the assessment form.") % {"code": code},
        )
    domain.raise_problems(problems)
    assessment = Assessment.objects.create(
        beneficiary=beneficiary,
        assessed_on=assessed_on,
        flags=current_flags(beneficiary, assessed_on),
        scores=parsed,
        total=sum(parsed.values()),
        note=(note or "").strip(),
        assessed_by=actor,
    )
    record_event(
        actor=actor,
        action="foodbank.assess",
        obj=beneficiary,
        changes={"total": assessment.total, "flags": assessment.flags},
        area_path=beneficiary.store.area.path,
    )
    return assessment


# --- awards ------------------------------------------------------------------------------------


@transaction.atomic
def award_grant(
    *,
    actor: Any,
    store: Store,
    beneficiary: Beneficiary,
    points: Any,
    reason: str,
    awarded_on: date | None = None,
    expires_on: date | None = None,
) -> Award:
    """A one-off grant of ``points`` (raw: parsed here) valid until ``expires_on`` (default:
    the store's validity after ``awarded_on``)."""
    problems: dict[str, list[str]] = {}
    store, beneficiary = _lock_and_reread(store, beneficiary)
    _check_serves(problems, store, beneficiary)
    amount, problem = domain.count_problem(points, label=_("Points"), maximum=domain.MAX_POINTS)
    if problem:
        domain.add(problems, "points", problem)
    reason = _required_text(problems, "reason", reason, _("Give the reason for the award."))
    awarded_on = awarded_on or _today()
    _not_future(problems, "awarded_on", awarded_on, _("The award date"))
    if expires_on is None:
        expires_on = awarded_on + timedelta(days=store.award_valid_days)
    if expires_on < awarded_on:
        domain.add(
            problems,
            "expires_on",
            _("The points cannot expire (%(expires)s) before they are awarded (%(awarded)s).")
            % {"expires": format_date(expires_on), "awarded": format_date(awarded_on)},
        )
    elif expires_on < _today():
        domain.add(
            problems,
            "expires_on",
            _("The expiry date %(date)s is already past: the points could never be used.")
            % {"date": format_date(expires_on)},
        )
    domain.raise_problems(problems)
    award = Award(
        beneficiary=beneficiary,
        kind=Award.Kind.ONE_OFF,
        points=amount,
        awarded_on=awarded_on,
        expires_on=expires_on,
        reason=reason,
        awarded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    award.save()
    ledger.post_points(
        actor=actor, award=award, kind=PointEntry.Kind.AWARD, points=amount, on=awarded_on
    )
    record_event(
        actor=actor,
        action="foodbank.award",
        obj=beneficiary,
        changes={"points": amount, "expires_on": expires_on.isoformat()},
        reason=reason,
        area_path=store.area.path,
    )
    return award


def running_allowance(beneficiary: Beneficiary, on: date | None = None) -> Allowance | None:
    """The allowance still giving points from ``on`` (not stopped, not ended before it)."""
    on = on or _today()
    return (
        Allowance.objects.filter(beneficiary=beneficiary, stopped_on__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=_month(on)))
        .order_by("starts_on", "id")
        .first()
    )


@transaction.atomic
def allowance_start(
    *,
    actor: Any,
    store: Store,
    beneficiary: Beneficiary,
    points: Any,
    starts_on: date | None,
    reason: str,
    ends_on: date | None = None,
    valid_days: Any = None,
) -> Allowance:
    """A monthly allowance from the month of ``starts_on`` (this month or later) until
    ``ends_on`` (inclusive) or until stopped. When it starts this month, this month's points
    are awarded at once (the monthly job would otherwise wait for next month)."""
    problems: dict[str, list[str]] = {}
    today = _today()
    store, beneficiary = _lock_and_reread(store, beneficiary)
    _check_serves(problems, store, beneficiary)
    amount, problem = domain.count_problem(
        points, label=_("Points a month"), maximum=domain.MAX_POINTS
    )
    if problem:
        domain.add(problems, "points", problem)
    if valid_days is None or (isinstance(valid_days, str) and not valid_days.strip()):
        days = store.award_valid_days
    else:
        days, problem = domain.count_problem(
            valid_days, label=_("Days each month's points are valid"), maximum=MAX_VALID_DAYS
        )
        if problem:
            domain.add(problems, "valid_days", problem)
    reason = _required_text(problems, "reason", reason, _("Give the reason for the allowance."))
    if starts_on is None:
        domain.add(problems, "starts_on", _("Give the month the allowance starts."))
    else:
        starts_on = _month(starts_on)
        if starts_on < _month(today):
            domain.add(
                problems,
                "starts_on",
                _(
                    "The allowance cannot start in a past month (%(month)s): start it this "
                    "month or later."
                )
                % {"month": month_label(starts_on)},
            )
        if ends_on is not None and ends_on < starts_on:
            domain.add(
                problems,
                "ends_on",
                _("The allowance cannot end (%(end)s) before it starts (%(start)s).")
                % {"end": format_date(ends_on), "start": format_date(starts_on)},
            )
    if problems:
        domain.raise_problems(problems)
    current = running_allowance(beneficiary, today)
    if current is not None:
        domain.raise_problems(
            {
                "beneficiary": [
                    _(
                        "%(who)s already has a running allowance of %(points)s points a month "
                        "since %(since)s: stop it before starting another."
                    )
                    % {
                        "who": beneficiary_label(beneficiary),
                        "points": current.points,
                        "since": month_label(current.starts_on),
                    }
                ]
            }
        )
    allowance = Allowance(
        beneficiary=beneficiary,
        points=amount,
        starts_on=starts_on,
        ends_on=ends_on,
        valid_days=days,
        reason=reason,
        created_by=actor,
    )
    allowance.full_clean()
    allowance.save()
    record_event(
        actor=actor,
        action="foodbank.allowance_start",
        obj=beneficiary,
        changes={
            "points": amount,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
            "valid_days": days,
        },
        reason=reason,
        area_path=store.area.path,
    )
    if starts_on <= _month(today):
        _award_month(actor, allowance, _month(today), on=today)
    return allowance


@transaction.atomic
def allowance_stop(*, actor: Any, allowance: Allowance, stopped_on: date | None, reason: str):
    """Stop an allowance: no month starting on or after ``stopped_on`` is awarded. Months already
    awarded stay (reverse them with ``award_reverse``)."""
    problems: dict[str, list[str]] = {}
    reason = _required_text(problems, "reason", reason, _("Give the reason for stopping."))
    store = allowance.beneficiary.store
    ledger.lock_store(store)
    allowance = Allowance.objects.select_related("beneficiary").get(pk=allowance.pk)
    if stopped_on is None:
        domain.add(problems, "stopped_on", _("Give the date the allowance stops."))
    else:
        _not_future(problems, "stopped_on", stopped_on, _("The stop date"))
        awarded = (
            Award.objects.filter(allowance=allowance, month__gte=stopped_on)
            .order_by("-month")
            .first()
        )
        if awarded is not None:
            domain.add(
                problems,
                "stopped_on",
                _(
                    "The points of %(month)s were already awarded: stop the allowance after "
                    "%(date)s, or take that award back first."
                )
                % {
                    "month": month_label(awarded.month),
                    "date": format_date(awarded.month),
                },
            )
    if allowance.stopped_on is not None:
        domain.add(
            problems,
            "__all__",
            _("This allowance was already stopped on %(date)s.")
            % {"date": format_date(allowance.stopped_on)},
        )
    domain.raise_problems(problems)
    allowance.stopped_on = stopped_on
    allowance.stop_reason = reason
    allowance.save(update_fields=["stopped_on", "stop_reason"])
    record_event(
        actor=actor,
        action="foodbank.allowance_stop",
        obj=allowance.beneficiary,
        changes={"allowance": allowance.pk, "stopped_on": stopped_on.isoformat()},
        reason=reason,
        area_path=store.area.path,
    )
    return allowance


def award_points_left(award: Award) -> int:
    return int(PointEntry.objects.filter(award=award).aggregate(s=Sum("points"))["s"] or 0)


@transaction.atomic
def award_reverse(*, actor: Any, award: Award, reason: str) -> PointEntry:
    """Take back what is left of an award (a "reverse" entry of minus the points left)."""
    problems: dict[str, list[str]] = {}
    reason = _required_text(problems, "reason", reason, _("Give the reason for taking it back."))
    store = award.beneficiary.store
    ledger.lock_store(store)
    left = award_points_left(award)
    if left <= 0:
        domain.add(
            problems,
            "award",
            _("Nothing is left of this award (%(points)s points on %(date)s) to take back.")
            % {"points": award.points, "date": format_date(award.awarded_on)},
        )
    domain.raise_problems(problems)
    original = PointEntry.objects.filter(award=award, kind=PointEntry.Kind.AWARD).first()
    already = original is not None and PointEntry.objects.filter(reverses=original).exists()
    entry = ledger.post_points(
        actor=actor,
        award=award,
        kind=PointEntry.Kind.REVERSE,
        points=-left,
        on=max(_today(), award.awarded_on),
        reverses=None if already else original,
        reason=reason,
    )
    record_event(
        actor=actor,
        action="foodbank.award_reverse",
        obj=award.beneficiary,
        changes={"award": award.pk, "points": -left},
        reason=reason,
        area_path=store.area.path,
    )
    return entry


# --- periodic jobs -----------------------------------------------------------------------------


def _award_month(actor: Any, allowance: Allowance, month: date, *, on: date) -> Award | None:
    """The month's award of an allowance, made once (the caller holds the store's lock): None
    when it exists already (checked, then guarded by the (allowance, month) constraint).

    It is given on ``on`` (the job's day, or the day an allowance starting this month is
    granted), never before the month starts, and is valid ``valid_days`` from then: points
    given on the 20th with 5 days' validity are not already expired when given."""
    if Award.objects.filter(allowance=allowance, month=month).exists():
        return None
    given = max(month, on)
    try:
        with transaction.atomic():
            award = Award.objects.create(
                beneficiary_id=allowance.beneficiary_id,
                kind=Award.Kind.MONTHLY,
                points=allowance.points,
                awarded_on=given,
                expires_on=given + timedelta(days=allowance.valid_days),
                allowance=allowance,
                month=month,
                reason=allowance.reason,
                awarded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            ledger.post_points(
                actor=actor,
                award=award,
                kind=PointEntry.Kind.AWARD,
                points=allowance.points,
                on=given,
            )
    except IntegrityError:
        return None
    return award


def _due(month: date):
    return (
        Allowance.objects.filter(beneficiary__state=Beneficiary.State.ACTIVE, starts_on__lte=month)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=month))
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gt=month))
    )


def allowances_due(month: date):
    """Allowances of active beneficiaries that give points for ``month``."""
    return (
        _due(month)
        .exclude(awards__month=month)
        .select_related("beneficiary__store")
        .order_by("beneficiary__store_id", "id")
    )


def points_monthly(today: date) -> str:
    """Give every running allowance its award for the month of ``today`` (idempotent)."""
    month = _month(today)
    made = skipped = gone = 0
    for allowance in allowances_due(month):
        with transaction.atomic():
            ledger.lock_store(allowance.beneficiary.store)
            # again under the lock: stopped or its beneficiary closed since the list was read
            if not _due(month).filter(pk=allowance.pk).exists():
                gone += 1
            elif _award_month(None, allowance, month, on=today) is None:
                skipped += 1
            else:
                made += 1
    return (
        f"{made} monthly awards for {month:%Y-%m}"
        + (f" ({skipped} already made)" if skipped else "")
        + (f" ({gone} stopped meanwhile)" if gone else "")
    )


def points_expire(today: date) -> str:
    """For every award past its expiry (expires_on < today) with points left: an "expire" entry
    of minus what is left, dated the day after the expiry (idempotent)."""
    rows = (
        PointEntry.objects.filter(award__expires_on__lt=today)
        .values("award_id", "award__beneficiary__store_id")
        .annotate(left=Sum("points"))
        .filter(left__gt=0)
        .order_by("award__beneficiary__store_id", "award_id")
    )
    by_store: dict[int, list[int]] = {}
    for row in rows:
        by_store.setdefault(row["award__beneficiary__store_id"], []).append(row["award_id"])
    expired = points = 0
    for store_id, award_ids in by_store.items():
        with transaction.atomic():
            ledger.lock_store(Store(pk=store_id))
            for award in Award.objects.filter(pk__in=award_ids).order_by("id"):
                left = award_points_left(award)
                if left <= 0:
                    continue
                ledger.post_points(
                    actor=None,
                    award=award,
                    kind=PointEntry.Kind.EXPIRE,
                    points=-left,
                    on=award.expires_on + timedelta(days=1),
                    reason="expired",
                )
                expired += 1
                points += left
    return f"{expired} awards expired, {points} points"
