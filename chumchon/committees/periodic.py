"""Periodic jobs of the committees module (run by `manage.py run_periodic`): every day, terms
whose first day has come take office and terms whose last day has passed end
(`services_terms.terms_roll`)."""

from __future__ import annotations

from datetime import date

from chumchon.core.periodic import DAILY, periodic

from .services_terms import terms_roll


@periodic("committees.terms_roll", every=DAILY)
def roll_terms(today: date) -> str:
    counts = terms_roll(on=today)
    return "ended {ended}, started {started}, blocked {blocked}".format(**counts)
