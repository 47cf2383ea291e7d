"""Periodic jobs of the funds module (run by `manage.py run_periodic`): every day, each loan
that owes something has its interest accrued and its late fees charged through the day, and
its arrears flag set or cleared (`services_loans.loans_daily`)."""

from __future__ import annotations

from datetime import date

from chumchon.core.periodic import DAILY, periodic

from .services_loans import loans_daily


@periodic("funds.loans_daily", every=DAILY)
def run_loans_daily(today: date) -> str:
    return loans_daily(today)
