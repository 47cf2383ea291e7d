"""Access-matrix rules: fund setup pages. Reads need ``funds.view`` on the fund (404 outside
reach, 403 inside without it: the community committee member does not read funds), writes
``funds.manage`` (rules, chart, committee) or ``funds.record`` (members); the list needs
``funds.view`` somewhere and creating ``funds.manage`` somewhere. Empty POSTs re-render the
form with its errors (200)."""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, anywhere, scoped
from chumchon.communities.tests.factories import make_person

from ..models import FundOfficer
from ..services_setup import officer_appoint
from .access_objects import DAY, fund, fund_pk, member_kwargs

VIEW, MANAGE, RECORD = scoped("funds.view"), scoped("funds.manage"), scoped("funds.record")


def officer(objects, which: str) -> FundOfficer:
    key = ("funds", "officer", which)
    if key not in objects._cache:
        the_fund = fund(objects, which)
        objects._cache[key] = officer_appoint(
            actor=None,
            fund=the_fund,
            person=make_person(area=the_fund.area, first_name="กรรมการ"),
            position="member",
            starts_on=DAY,
        )
    return objects._cache[key]


def officer_kwargs(objects, actor, which):
    made = officer(objects, which)
    return {"pk": made.fund_id, "officer_pk": made.pk}


ACCESS = {
    "fund-list": Rule({"GET": anywhere("funds.view")}),
    "fund-create": Rule({"GET": anywhere("funds.manage"), "POST": anywhere("funds.manage")}),
    "fund-detail": Rule({"GET": VIEW}, fund_pk),
    "fund-edit": Rule({"GET": MANAGE, "POST": MANAGE}, fund_pk),
    "fund-accounts": Rule({"GET": VIEW, "POST": MANAGE}, fund_pk),
    "fund-members": Rule({"GET": VIEW, "POST": RECORD}, fund_pk),
    "fund-member": Rule({"GET": VIEW}, member_kwargs),
    "fund-member-leave": Rule({"GET": RECORD, "POST": RECORD}, member_kwargs),
    "fund-committee": Rule({"GET": VIEW, "POST": MANAGE}, fund_pk),
    "fund-officer-end": Rule({"GET": MANAGE, "POST": MANAGE}, officer_kwargs),
    "fund-officer-grant": Rule({"GET": MANAGE, "POST": MANAGE}, officer_kwargs),
}
