"""Access rule of the classification rules page (see accounts/testing/access.py)."""

from __future__ import annotations

from chumchon.accounts.testing.access import LOGIN, Rule

# the criteria are public policy, not personal data: any signed-in user reads them
ACCESS = {"survey-rule-list": Rule({"GET": LOGIN})}
