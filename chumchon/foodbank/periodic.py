"""Periodic jobs of the food bank (run by `manage.py run_periodic`): each month, every running
allowance gets its month's points (`services_points.points_monthly`); every day, what is left of
awards past their expiry is written off the points ledger (`services_points.points_expire`).
Both are idempotent: running them twice does the work once."""

from __future__ import annotations

from datetime import date

from chumchon.core.periodic import DAILY, MONTHLY, periodic

from .services_points import points_expire, points_monthly


@periodic("foodbank.points_monthly", every=MONTHLY)
def run_points_monthly(today: date) -> str:
    return points_monthly(today)


@periodic("foodbank.points_expire", every=DAILY)
def run_points_expire(today: date) -> str:
    return points_expire(today)
