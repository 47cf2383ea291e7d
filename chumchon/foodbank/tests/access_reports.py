"""Access-matrix rules: the food bank's home, the district overview and the reports (pages and
the summary API).

- ``foodbank-home`` and ``foodbank-report``: anyone holding ``foodbank.view`` somewhere (all
  staff; the community committee member holds no food bank permission: 403). The home page
  answers 200 or sends a one-district user to their district (302): both are allowed.
- ``foodbank-district`` and ``foodbank-district-report``: ``foodbank.view`` on the district
  (404 outside reach, 403 inside without the permission).
- ``api:foodbank_report_summary``: like the report page (the user's broadest area).
"""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, anywhere, scoped

from .access_objects import district_kwargs

VIEW = "foodbank.view"

ACCESS = {
    "foodbank-home": Rule({"GET": anywhere(VIEW)}),
    "foodbank-report": Rule({"GET": anywhere(VIEW)}),
    "foodbank-district": Rule({"GET": scoped(VIEW)}, district_kwargs),
    "foodbank-district-report": Rule({"GET": scoped(VIEW)}, district_kwargs),
    "api:foodbank_report_summary": Rule({"GET": anywhere(VIEW)}, None, api=True),
}
