"""Seat policies: add, end (or correct while unused), the policy in force on a day, and the
public seat calculator's answer.

Policies are dated and never overlap: on any day at most one is in force. Once an election or
a term used a policy it is never edited (past seat counts would no longer match their rule);
it is only ended (`policy_end`) and a new policy is added from the next day. Every write is
atomic, validated and audited.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chumchon.core.audit import model_changes, record_event, snapshot
from chumchon.core.dates import format_date

from . import domain
from .models import SeatPolicy

#: the fields a policy is made of (what `policy_add` accepts)
POLICY_FIELDS = (
    "name_th",
    "name_en",
    "valid_from",
    "valid_to",
    "counted",
    "minimum",
    "threshold",
    "step",
    "maximum",
    "remainder_over",
    "thai_only",
    "voter_min_age",
    "candidate_min_age",
    "voter_days",
    "candidate_days",
    "term_years",
    "note",
)


class NoPolicyInForce(LookupError):
    """No seat policy is in force on the day asked (before the first one, or in a gap)."""

    def __init__(self, day: date) -> None:
        self.day = day
        super().__init__(
            _("No committee seat policy is in force on %(date)s (%(iso)s).")
            % {"date": format_date(day), "iso": day.isoformat()}
        )


def _period(valid_from: date, valid_to: date | None) -> str:
    return f"{format_date(valid_from)} – {format_date(valid_to) if valid_to else '…'}"


def policy_in_use(policy: SeatPolicy) -> bool:
    """Whether an election or a term used the policy (then it is only ever ended)."""
    return policy.elections.exists() or policy.terms.exists()


def _rule_errors(policy: SeatPolicy) -> dict[str, list[str]]:
    """Clear messages for the rules the database constraints also enforce."""
    errors: dict[str, list[str]] = {}
    if policy.minimum is not None and policy.minimum < 1:
        errors.setdefault("minimum", []).append(_("The minimum must be at least 1 seat."))
    if policy.step is not None and policy.step < 1:
        errors.setdefault("step", []).append(
            _("The step must be at least 1 (one more seat for every N counted).")
        )
    if (
        policy.minimum is not None
        and policy.maximum is not None
        and policy.maximum < policy.minimum
    ):
        errors.setdefault("maximum", []).append(
            _("The maximum (%(max)d seats) cannot be below the minimum (%(min)d seats).")
            % {"max": policy.maximum, "min": policy.minimum}
        )
    if policy.valid_from and policy.valid_to and policy.valid_to < policy.valid_from:
        errors.setdefault("valid_to", []).append(
            _("The end date (%(end)s) cannot be before the start date (%(start)s).")
            % {"end": format_date(policy.valid_to), "start": format_date(policy.valid_from)}
        )
    if policy.term_years is not None and policy.term_years < 1:
        errors.setdefault("term_years", []).append(_("A term lasts at least 1 year."))
    return errors


def _check_no_overlap(
    valid_from: date, valid_to: date | None, *, exclude_pk: Any = None, field: str = "valid_from"
) -> None:
    """Refuse a period that overlaps another policy's, naming that policy."""
    others = SeatPolicy.objects.select_for_update(of=("self",)).order_by("valid_from")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    overlapping = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    clash = overlapping.first()
    if clash is None:
        return
    message = _(
        "The period %(period)s overlaps the policy “%(name)s” (%(other)s): on any day only one "
        "policy may be in force."
    ) % {
        "period": _period(valid_from, valid_to),
        "name": clash.name,
        "other": _period(clash.valid_from, clash.valid_to),
    }
    if clash.valid_to is None and clash.valid_from < valid_from:
        message += " " + _("End that policy the day before (%(day)s) first.") % {
            "day": format_date(valid_from - timedelta(days=1))
        }
    raise ValidationError({field: message}, code="overlap")


def _validate(policy: SeatPolicy, *, exclude_pk: Any = None) -> None:
    errors = _rule_errors(policy)
    try:
        policy.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                if message not in errors.get(name, []):
                    errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)
    _check_no_overlap(policy.valid_from, policy.valid_to, exclude_pk=exclude_pk)


@transaction.atomic
def policy_add(*, actor: Any, **fields: Any) -> SeatPolicy:
    """Add a policy from `valid_from` (to `valid_to`, or open). Refused with a message on the
    field: minimum above maximum, a step of 0, an end before the start, or a period that
    overlaps another policy's (named)."""
    unknown = sorted(set(fields) - set(POLICY_FIELDS))
    if unknown:
        raise TypeError(f"policy_add() got unknown fields: {', '.join(unknown)}")
    values = {k: v for k, v in fields.items() if v is not None or k in ("valid_to",)}
    for name in ("name_th", "name_en", "note"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    policy = SeatPolicy(**values)
    _validate(policy)
    policy.save()
    record_event(actor=actor, action="committees.policy_add", obj=policy, changes=snapshot(policy))
    return policy


@transaction.atomic
def policy_update(*, actor: Any, policy: SeatPolicy, **fields: Any) -> SeatPolicy:
    """Correct a policy that no election or term used yet (a typing mistake). A policy in use
    is refused: end it (`policy_end`) and add a new one instead."""
    policy = SeatPolicy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    unknown = sorted(set(fields) - set(POLICY_FIELDS))
    if unknown:
        raise TypeError(f"policy_update() got unknown fields: {', '.join(unknown)}")
    changing = {k: v for k, v in fields.items() if getattr(policy, k) != v}
    if not changing:
        return policy
    if policy_in_use(policy) and set(changing) != {"valid_to"}:
        raise ValidationError(
            _(
                "The policy “%(name)s” was used by an election or a term and cannot be changed: "
                "end it and add a new policy from the next day."
            )
            % {"name": policy.name},
            code="in_use",
        )
    if set(changing) == {"valid_to"} and changing["valid_to"] is not None:
        return policy_end(actor=actor, policy=policy, valid_to=changing["valid_to"])
    before = snapshot(policy)
    for name, value in changing.items():
        setattr(policy, name, value.strip() if isinstance(value, str) else value)
    _validate(policy, exclude_pk=policy.pk)
    policy.save()
    record_event(
        actor=actor,
        action="committees.policy_update",
        obj=policy,
        changes=model_changes(before, snapshot(policy)),
    )
    return policy


@transaction.atomic
def policy_end(*, actor: Any, policy: SeatPolicy, valid_to: date) -> SeatPolicy:
    """End a policy on `valid_to` (its last day; also moves an earlier end later). The only
    change a policy takes once an election used it. Refused when the end is before the start,
    when an election held after that day used the policy, or when the longer period would
    overlap the next policy."""
    policy = SeatPolicy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    if valid_to is None:
        raise ValidationError({"valid_to": _("Give the last day of the policy.")})
    if valid_to < policy.valid_from:
        raise ValidationError(
            {
                "valid_to": _(
                    "The last day (%(end)s) cannot be before the policy started (%(start)s)."
                )
                % {"end": format_date(valid_to), "start": format_date(policy.valid_from)}
            },
            code="before_start",
        )
    later = policy.elections.filter(held_on__gt=valid_to).order_by("held_on")
    first = later.select_related("community__area").first()
    if first is not None:
        raise ValidationError(
            {
                "valid_to": _(
                    "%(n)d election(s) held after %(end)s used this policy (the first: "
                    "%(community)s on %(date)s): end it on or after the last of them."
                )
                % {
                    "n": later.count(),
                    "end": format_date(valid_to),
                    "community": first.community.area.name,
                    "date": format_date(first.held_on),
                }
            },
            code="used_later",
        )
    _check_no_overlap(policy.valid_from, valid_to, exclude_pk=policy.pk, field="valid_to")
    before = snapshot(policy)
    policy.valid_to = valid_to
    policy.full_clean()
    policy.save()
    record_event(
        actor=actor,
        action="committees.policy_end",
        obj=policy,
        changes=model_changes(before, snapshot(policy)),
    )
    return policy


def policy_in_force(day: date) -> SeatPolicy | None:
    """The policy in force on `day` (periods never overlap), or None."""
    return SeatPolicy.objects.in_force_on(day).order_by("-valid_from").first()


def policy_summary(policy: SeatPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "name": policy.name_th,
        "name_en": policy.name_en,
        "valid_from": policy.valid_from.isoformat(),
        "valid_to": policy.valid_to.isoformat() if policy.valid_to else None,
        "counted": policy.counted,
    }


def seats_answer(families: int, on: date) -> dict[str, Any]:
    """The public calculator's answer: seats for `families` (what the policy counts) under the
    policy in force on `on`. Raises NoPolicyInForce when there is none, ValueError when the
    count is outside 0..domain.MAX_COUNTED."""
    if not 0 <= families <= domain.MAX_COUNTED:
        raise ValueError(f"families must be 0..{domain.MAX_COUNTED}")
    policy = policy_in_force(on)
    if policy is None:
        raise NoPolicyInForce(on)
    return {
        "families": families,
        "seats": policy.seats_for(families),
        "policy": policy_summary(policy),
    }


_COUNT_TEXT = re.compile(r"[0-9\u0e50-\u0e59]{1,7}")


def parse_count(text: str | None, field: str = "families") -> int:
    """A count typed for the calculator: a whole number from 0 to 1,000,000 written in digits
    only (ASCII or Thai digits ๐-๙; leading zeros allowed). Anything else (a sign, a decimal
    point, an exponent, spaces, other scripts' digits) is refused with a ValidationError on
    `field`."""
    text = text if isinstance(text, str) else ""
    if not _COUNT_TEXT.fullmatch(text) or int(text) > domain.MAX_COUNTED:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise ValidationError(
            {
                field: _(
                    "Give the number of families as a whole number from 0 to 1,000,000, "
                    "written in digits only (got “%(value)s”)."
                )
                % {"value": shown}
            },
            code="invalid_count",
        )
    return int(text)


def _first_count_with(rule: domain.SeatRule, seats: int) -> int | None:
    """The smallest count giving at least `seats` seats (None when not reached by
    domain.MAX_COUNTED). Seats never fall as the count grows: a binary search."""
    low, high = 0, domain.MAX_COUNTED
    if domain.seats(high, rule) < seats:
        return None
    while low < high:
        middle = (low + high) // 2
        if domain.seats(middle, rule) >= seats:
            high = middle
        else:
            low = middle + 1
    return low


def seat_table(policy: SeatPolicy) -> list[dict[str, Any]]:
    """Rows {from, to (None: "or more"), seats} for the policy's seat rule, from the minimum
    to the maximum: B.E. 2534 gives 0-159 -> 7, 160-179 -> 8, ..., 500 or more -> 25."""
    rule = policy.seat_rule
    rows: list[dict[str, Any]] = []
    starts = []
    for seats in range(rule.minimum, rule.maximum + 1):
        start = 0 if seats == rule.minimum else _first_count_with(rule, seats)
        if start is None:
            break
        starts.append((seats, start))
    for index, (seats, start) in enumerate(starts):
        end = starts[index + 1][1] - 1 if index + 1 < len(starts) else None
        rows.append({"from": start, "to": end, "seats": seats})
    return rows
