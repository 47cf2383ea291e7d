"""Dated parameters: settings that change over time (a poverty line, a conversion factor).

Each value is valid from a date (inclusive) to an optional end date (inclusive); periods of one
key never overlap, so past records keep the values of their day. Central staff start a new
period with `parameter_start_period`, which closes the open period the day before.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .audit import record_event
from .dates import format_date
from .models import DatedParameter


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
) -> DatedParameter:
    """Add a period for `key`; refuses overlaps."""
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
    )
    return row


@transaction.atomic
def parameter_start_period(
    *, actor: Any, key: str, value: Any, valid_from: date, note: str = ""
) -> DatedParameter:
    """Start a new period: the open period (if any) ends the day before `valid_from`.

    If the latest period already has an end date, the new period must start the day after it.
    """
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
            last.save(update_fields=["valid_to"])
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
        actor=actor, key=key, value=value, valid_from=valid_from, name=name, note=note
    )
