"""Closing a fund's months and accounting years.

Months close in order (the first open month only), once they have ended, when no entry dated
in them waits for confirmation; interest and late fees of every loan due through the month's
end are charged first (``services_loans.accrue`` / ``charge_late_fees``). A year closes its
remaining months, then itself. Nothing reopens: an entry dated on or before the last closed
day is refused by the ledger, and corrections go in the open period.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import record_event
from chumchon.core.dates import format_date

from . import domain, ledger
from .models import Entry, Fund, Loan, PeriodClose


def month_label(day: date) -> str:
    """ "ตุลาคม 2569" / "October 2569 BE" """
    return format_date(day.replace(day=1)).split(" ", 1)[1]


def open_period_start(fund: Fund) -> date:
    """The first day an entry may be dated: the day after the last closed day, or the day the
    books start."""
    last = ledger.closed_through(fund)
    if last is None or last < fund.books_start:
        return fund.books_start
    return last + timedelta(days=1)


def _month_problems(fund: Fund, first: date, last: date) -> domain.Problems:
    problems: domain.Problems = {}
    label = {"month": month_label(first)}
    if last < fund.books_start:
        domain.add(
            problems,
            "month",
            _("The books start on %(start)s: there is nothing to close in %(month)s.")
            % {**label, "start": format_date(fund.books_start)},
        )
        return problems
    open_first = domain.month_bounds(open_period_start(fund))[0]
    if first < open_first:
        domain.add(
            problems,
            "month",
            _("%(month)s is already closed (the books are closed through %(last)s).")
            % {**label, "last": format_date(ledger.closed_through(fund))},
        )
        return problems
    if first > open_first:
        domain.add(
            problems,
            "month",
            _("Close %(first)s first: months are closed in order.")
            % {"first": month_label(open_first)},
        )
        return problems
    today = timezone.localdate()
    if last >= today:
        domain.add(
            problems,
            "month",
            _("%(month)s has not ended: it can be closed from %(day)s.")
            % {**label, "day": format_date(last + timedelta(days=1))},
        )
    pending = list(
        Entry.objects.filter(
            fund=fund,
            status=Entry.Status.PENDING,
            entry_date__gte=first,
            entry_date__lte=last,
        )
        .order_by("number")
        .values_list("number", flat=True)
    )
    if pending:
        domain.add(
            problems,
            "month",
            _(
                "%(count)s entries dated in %(month)s are awaiting confirmation (numbers "
                "%(numbers)s): confirm or reject them first."
            )
            % {**label, "count": len(pending), "numbers": ", ".join(str(n) for n in pending)},
        )
    return problems


def _close(
    *, actor: Any, fund: Fund, kind: str, first: date, last: date, note: str = ""
) -> PeriodClose:
    close = PeriodClose(
        fund=fund,
        kind=kind,
        starts_on=first,
        ends_on=last,
        closed_by=actor if getattr(actor, "pk", None) else None,
        closed_at=timezone.now(),
        note=note,
    )
    close.full_clean()
    close.save()
    record_event(
        actor=actor,
        action=f"funds.close_{kind}",
        obj=close,
        changes={"kind": kind, "starts_on": first.isoformat(), "ends_on": last.isoformat()},
        area_path=fund.area.path,
        object_label=f"{fund.name}: {format_date(first)} – {format_date(last)}",
    )
    return close


@transaction.atomic
def close_month(*, actor: Any, fund: Fund, month: date) -> PeriodClose:
    """Close the month containing ``month`` (any date in it): it must be the first open month,
    have ended, and hold no entry awaiting confirmation. Interest and late fees due through
    its last day are charged first; the balances on its last day are then carried forward
    (``PeriodClose.save`` -> ``ledger.carry_forward``; a year close adds none)."""
    from . import services_loans  # layer-internal; written alongside (loans helper)

    fund = ledger.lock_fund(fund)
    first, last = domain.month_bounds(month)
    domain.raise_problems(_month_problems(fund, first, last))
    for loan in Loan.objects.filter(fund=fund).order_by("number"):
        services_loans.accrue(loan=loan, through=last, actor=actor)
        services_loans.charge_late_fees(loan=loan, on=last, actor=actor)
    # saving the month close carries its balances forward (PeriodClose.save -> ClosingBalance)
    return _close(actor=actor, fund=fund, kind=PeriodClose.Kind.MONTH, first=first, last=last)


@transaction.atomic
def close_year(*, actor: Any, fund: Fund, year_start: date) -> PeriodClose:
    """Close the fund's accounting year starting on ``year_start`` (any date in the year is
    read as that year): years close in order, once ended; the months still open are closed
    first (each with the month's rules), then the year."""
    fund = ledger.lock_fund(fund)
    first, last = domain.accounting_year_bounds(year_start, fund.year_start_month)
    label = {"year": domain.year_label(first, last)}
    problems: domain.Problems = {}
    if last < fund.books_start:
        domain.add(
            problems,
            "year_start",
            _("The books start on %(start)s: there is nothing to close in the year %(year)s.")
            % {**label, "start": format_date(fund.books_start)},
        )
    elif PeriodClose.objects.filter(
        fund=fund, kind=PeriodClose.Kind.YEAR, starts_on=first
    ).exists():
        domain.add(problems, "year_start", _("The year %(year)s is already closed.") % label)
    else:
        previous_first, previous_last = domain.accounting_year_bounds(
            first - timedelta(days=1), fund.year_start_month
        )
        if (
            previous_last >= fund.books_start
            and not PeriodClose.objects.filter(
                fund=fund, kind=PeriodClose.Kind.YEAR, starts_on=previous_first
            ).exists()
        ):
            domain.add(
                problems,
                "year_start",
                _("Close the year %(previous)s first: years are closed in order.")
                % {"previous": domain.year_label(previous_first, previous_last)},
            )
        elif last >= timezone.localdate():
            domain.add(
                problems,
                "year_start",
                _("The year %(year)s has not ended: it can be closed from %(day)s.")
                % {**label, "day": format_date(last + timedelta(days=1))},
            )
    domain.raise_problems(problems)
    month = domain.month_bounds(open_period_start(fund))[0]
    while month <= last:
        close_month(actor=actor, fund=fund, month=month)
        month = domain.add_months(month, 1)
    return _close(actor=actor, fund=fund, kind=PeriodClose.Kind.YEAR, first=first, last=last)
