"""Access-matrix rules: the fund's reports (statement, year, trial balance, passbook), loans in
arrears per district, and the opening import.

Reading a fund's reports is `funds.view` on the fund (404 outside reach, 403 inside without:
the committee member of the own community holds no fund permission). The arrears report lists
the funds the user may read: anyone holding `funds.view` somewhere gets the page. The import
is `funds.record` on the fund; an empty POST re-renders the form with its error (200). The
template download has no fund: anyone holding `funds.record` somewhere."""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, anywhere, scoped

from .access_objects import fund_pk, member_kwargs

VIEW = scoped("funds.view")
RECORD = scoped("funds.record")

ACCESS = {
    "fund-statement": Rule({"GET": VIEW}, fund_pk),
    "fund-year": Rule({"GET": VIEW}, fund_pk),
    "fund-trial-balance": Rule({"GET": VIEW}, fund_pk),
    "fund-passbook-pdf": Rule({"GET": VIEW}, member_kwargs),
    "fund-arrears": Rule({"GET": anywhere("funds.view")}),
    "fund-import": Rule({"GET": RECORD, "POST": RECORD}, fund_pk),
    "fund-import-template": Rule({"GET": anywhere("funds.record")}),
}
