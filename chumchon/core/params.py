"""Dated parameters: settings that change over time (a poverty line, a conversion factor).

Each value is valid from a date (inclusive) to an optional end date (inclusive); periods of one
key never overlap, so past records keep the values of their day. Central staff start a new
period with `parameter_start_period`, which closes the open period the day before; a period
starts today or later, unless a reason for a retroactive change is given (audited).

Values are JSON. Store amounts and factors as strings ("3000.50", "4.2") or Decimals (stored
as their string) and read them with `parameter_decimal`, which gives the exact Decimal. A value
stored as a JSON number comes back as a float; `parameter_decimal` reads it through `str()`
(4.2 -> Decimal("4.2")), never through the float's binary value.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import record_event
from .dates import format_date
from .models import DatedParameter
from .money import to_decimal


class ParameterMissing(LookupError):
    pass


def parameter_period(key: str, on: date) -> DatedParameter:
    row = (
        DatedParameter.objects.filter(key=key, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )
    if row is None:
        raise ParameterMissing(f"No value of {key!r} is valid on {on.isoformat()}")
    return row


def parameter_value(key: str, on: date) -> Any:
    """The value of `key` valid on date `on`."""
    return parameter_period(key, on).value


def parameter_decimal(key: str, on: date) -> Decimal:
    """The value of `key` valid on `on` as an exact Decimal ("3000.50" -> Decimal("3000.50")).

    Values should be stored as strings (or Decimals, which are stored as strings). A value
    stored as a JSON number is read back as a float: it is converted through `str()` (its
    shortest form, 4.2 -> "4.2"), never through its binary value. A value that is not a
    number raises ValidationError (text) or TypeError (any other type).
    """
    value = parameter_value(key, on)
    if isinstance(value, float):
        value = str(value)
    try:
        return to_decimal(value)
    except TypeError as exc:
        raise TypeError(
            f"parameter {key!r} on {on.isoformat()} is {value!r}, not a number: {exc}"
        ) from exc


def parameter_history(key: str) -> list[DatedParameter]:
    return list(DatedParameter.objects.filter(key=key).order_by("valid_from"))


def _check_no_overlap(key: str, valid_from: date, valid_to: date | None, exclude_pk=None) -> None:
    qs = DatedParameter.objects.filter(key=key)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    overlap = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        overlap = overlap.filter(valid_from__lte=valid_to)
    if overlap.exists():
        raise ValidationError(
            {
                "valid_from": _(
                    "The period %(start)s to %(end)s overlaps an existing period of %(key)s."
                )
                % {
                    "start": format_date(valid_from),
                    "end": format_date(valid_to) if valid_to else "…",
                    "key": key,
                }
            },
            code="overlap",
        )


@transaction.atomic
def parameter_define(
    *,
    actor: Any,
    key: str,
    value: Any,
    valid_from: date,
    valid_to: date | None = None,
    name: str = "",
    note: str = "",
    reason: str = "",
) -> DatedParameter:
    """Add a period for `key`; refuses overlaps. `reason` goes into the audit event."""
    list(DatedParameter.objects.select_for_update().filter(key=key))
    _check_no_overlap(key, valid_from, valid_to)
    row = DatedParameter(
        key=key,
        value=value,
        valid_from=valid_from,
        valid_to=valid_to,
        name=name,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.full_clean()
    row.save()
    record_event(
        actor=actor,
        action="parameter.define",
        obj=row,
        changes={"value": value, "valid_from": valid_from, "valid_to": valid_to},
        reason=reason,
    )
    return row


@transaction.atomic
def parameter_start_period(
    *,
    actor: Any,
    key: str,
    value: Any,
    valid_from: date,
    note: str = "",
    retroactive_reason: str = "",
) -> DatedParameter:
    """Start a new period: the open period (if any) ends the day before `valid_from`.

    If the latest period already has an end date, the new period must start the day after it.
    `valid_from` must be today (in Bangkok) or later: an earlier start would change the values
    that records already made have used. A retroactive start is allowed only with a
    `retroactive_reason`, which goes into the audit events of the new and the closed period.
    The closing of the previous period is validated and audited ("parameter.close").
    """
    reason = (retroactive_reason or "").strip()
    today = timezone.localdate()
    if valid_from < today and not reason:
        raise ValidationError(
            {
                "valid_from": ValidationError(
                    _(
                        "%(date)s is in the past: a new period of %(key)s starts today "
                        "(%(today)s) or later, so that records already made keep their values. "
                        "To change past values, give the reason for the retroactive change."
                    )
                    % {"date": format_date(valid_from), "key": key, "today": format_date(today)},
                    code="in_the_past",
                )
            }
        )
    rows = list(DatedParameter.objects.select_for_update().filter(key=key).order_by("valid_from"))
    if rows:
        last = rows[-1]
        if valid_from <= last.valid_from:
            raise ValidationError(
                {
                    "valid_from": _("A new period of %(key)s must start after %(date)s.")
                    % {"key": key, "date": format_date(last.valid_from)}
                },
                code="too_early",
            )
        if last.valid_to is None:
            last.valid_to = valid_from - timedelta(days=1)
            last.full_clean()
            last.save(update_fields=["valid_to"])
            record_event(
                actor=actor,
                action="parameter.close",
                obj=last,
                changes={"valid_to": [None, last.valid_to]},
                reason=reason,
            )
        elif valid_from != last.valid_to + timedelta(days=1):
            raise ValidationError(
                {
                    "valid_from": _(
                        "The previous period of %(key)s ends on %(end)s: the new one must start on %(next)s."
                    )
                    % {
                        "key": key,
                        "end": format_date(last.valid_to),
                        "next": format_date(last.valid_to + timedelta(days=1)),
                    }
                },
                code="gap",
            )
        name = last.name
    else:
        name = ""
    return parameter_define(
        actor=actor,
        key=key,
        value=value,
        valid_from=valid_from,
        name=name,
        note=note,
        reason=reason,
    )


def parameter_value_from_text(key: str, text: str) -> Any:
    """A value typed on a page, in the shape of the key's latest value.

    Numbers stay exact decimal strings (never floats); structured values (dicts, lists) are
    changed by their own module's pages, not typed here.
    """
    from decimal import Decimal, InvalidOperation

    from .money import to_decimal

    history = parameter_history(key)
    latest = history[-1].value if history else ""
    text = (text or "").strip()
    if isinstance(latest, dict | list):
        raise ValidationError(
            _("This parameter has a structured value: its own module's page changes it."),
            code="structured",
        )
    numeric = isinstance(latest, int | float | Decimal) and not isinstance(latest, bool)
    if isinstance(latest, str):
        try:
            Decimal(latest.replace(",", ""))
            numeric = True
        except InvalidOperation:
            numeric = False
    if not numeric:
        return text
    try:
        return str(to_decimal(text))
    except ValidationError as exc:
        raise ValidationError({"value": _("Enter a number, e.g. 4.2")}, code="number") from exc
