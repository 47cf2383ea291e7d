"""Fund objects for the access matrix, made lazily on the matrix's ``objects`` cache: a fund in
the own community T-1001-01 ("own") and in T-1004-01 ("other"), with a member holding savings,
a loan, and per actor an entry awaiting confirmation (recorded by a user who is none of the
actors, so one actor's confirmation never changes another's answer)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chumchon.accounts.models import User
from chumchon.communities.tests import access_objects as registry
from chumchon.conftest import OTHER_COMMUNITY, OWN_COMMUNITY
from chumchon.organizations.models import Area

from ..models import Loan
from .factories import make_fund, make_member, post_simple

DAY = date(2025, 1, 15)


def maker(objects) -> User:
    key = ("funds", "maker")
    if key not in objects._cache:
        objects._cache[key] = User.objects.create_user(username="funds-maker")
    return objects._cache[key]


def fund(objects, which: str):
    key = ("funds", "fund", which)
    if key not in objects._cache:
        registry.community(objects, which)
        code = OWN_COMMUNITY if which == "own" else OTHER_COMMUNITY
        made = make_fund(Area.objects.get(code=code), name=f"กองทุนทดสอบสิทธิ์ {which}")
        post_simple(made, "grant", "cash", "grants", "1000000", on=DAY)
        objects._cache[key] = made
    return objects._cache[key]


def member(objects, which: str):
    key = ("funds", "member", which)
    if key not in objects._cache:
        made = make_member(fund(objects, which))
        post_simple(made.fund, "deposit", "cash", "savings", "5000", on=DAY, member=made)
        objects._cache[key] = made
    return objects._cache[key]


def loan(objects, which: str) -> Loan:
    key = ("funds", "loan", which)
    if key not in objects._cache:
        borrower = member(objects, which)
        made = Loan.objects.create(
            fund=borrower.fund,
            member=borrower,
            number=1,
            principal=Decimal("12000.00"),
            interest_method="declining",
            interest_rate=Decimal("12.00"),
            instalments=12,
            first_due_on=date(2025, 2, 15),
        )
        post_simple(made.fund, "loan", "loans", "cash", "12000", on=DAY, loan=made)
        objects._cache[key] = made
    return objects._cache[key]


def pending_entry(objects, actor: str, which: str):
    key = ("funds", "pending", actor, which)
    if key not in objects._cache:
        the_fund = fund(objects, which)
        objects._cache[key] = post_simple(
            the_fund,
            "transfer",
            "bank",
            "cash",
            "25000",
            on=DAY,
            actor=maker(objects),
            confirm=True,
        )
    return objects._cache[key]


def posted_entry(objects, actor: str, which: str):
    key = ("funds", "posted", actor, which)
    if key not in objects._cache:
        the_fund = fund(objects, which)
        objects._cache[key] = post_simple(
            the_fund, "transfer", "bank", "cash", "10", on=DAY, actor=maker(objects)
        )
    return objects._cache[key]


def fund_pk(objects, actor, which):
    return {"pk": fund(objects, which).pk}


def fund_id(objects, actor, which):
    return {"fund_id": fund(objects, which).pk}


def member_kwargs(objects, actor, which):
    made = member(objects, which)
    return {"pk": made.fund_id, "member_pk": made.pk}


def loan_kwargs(objects, actor, which):
    made = loan(objects, which)
    return {"pk": made.fund_id, "loan_pk": made.pk}


def pending_kwargs(objects, actor, which):
    made = pending_entry(objects, actor, which)
    return {"pk": made.fund_id, "entry_pk": made.pk}


def posted_kwargs(objects, actor, which):
    made = posted_entry(objects, actor, which)
    return {"pk": made.fund_id, "entry_pk": made.pk}
