"""Access-matrix rules: the fund API (/api/v1/funds/...). Objects from access_objects.py: a
fund in the own community T-1001-01 and in T-1004-01 ("other") with a member, a loan, and per
actor a posted entry and an entry awaiting confirmation recorded by a user who is none of the
actors (so the head's confirmation passes maker-checker).

Everyone logged in lists funds (the list is scoped: committee members see none); creating needs
``funds.manage`` somewhere. Reading a fund needs ``funds.view`` there, recording
``funds.record``, confirming and rejecting ``funds.confirm``. Writes answer 422 on an empty
body (invalid_ok); so does the statement without its month. One path with two operations
(GET and POST) gives two route names: both carry both methods.
"""

from __future__ import annotations

from chumchon.accounts.testing.access import LOGIN, Rule, anywhere, scoped

from . import access_objects as objects_
from .factories import post_simple

VIEW, MANAGE, RECORD, CONFIRM = "funds.view", "funds.manage", "funds.record", "funds.confirm"
INVALID_OK = {"invalid_ok": True}


def fund_kwargs(objects, actor, which):
    return {"fund_id": objects_.fund(objects, which).pk}


def member_kwargs(objects, actor, which):
    made = objects_.member(objects, which)
    return {"fund_id": made.fund_id, "member_id": made.pk}


def loan_kwargs(objects, actor, which):
    made = objects_.loan(objects, which)
    return {"fund_id": made.fund_id, "loan_id": made.pk}


def pending_grant(objects, actor: str, which: str):
    """Per actor, a grant awaiting confirmation recorded by the maker. (A grant, not
    access_objects.pending_entry's 25,000 transfer out of cash: eight of those pending at once
    would overdraw the fund's cash, which pending decreases count against.)"""
    key = ("funds-api", "pending", actor, which)
    if key not in objects._cache:
        objects._cache[key] = post_simple(
            objects_.fund(objects, which),
            "grant",
            "bank",
            "grants",
            "25000",
            on=objects_.DAY,
            actor=objects_.maker(objects),
            confirm=True,
        )
    return objects._cache[key]


def pending_kwargs(objects, actor, which):
    made = pending_grant(objects, actor, which)
    return {"fund_id": made.fund_id, "entry_id": made.pk}


def posted_kwargs(objects, actor, which):
    made = objects_.posted_entry(objects, actor, which)
    return {"fund_id": made.fund_id, "entry_id": made.pk}


def _read(kwargs, **extra) -> Rule:
    return Rule({"GET": scoped(VIEW)}, kwargs, api=True, extra=extra)


def _write(perm: str, kwargs) -> Rule:
    return Rule({"POST": scoped(perm)}, kwargs, api=True, extra=INVALID_OK)


FUNDS = {"GET": LOGIN, "POST": anywhere(MANAGE)}
READ_RECORD = {"GET": scoped(VIEW), "POST": scoped(RECORD)}

ACCESS = {
    "api:list_funds": Rule(FUNDS, None, api=True, extra=INVALID_OK),
    "api:create_fund": Rule(FUNDS, None, api=True, extra=INVALID_OK),
    "api:get_fund": _read(fund_kwargs),
    "api:list_fund_members": Rule(READ_RECORD, fund_kwargs, api=True, extra=INVALID_OK),
    "api:add_fund_member": Rule(READ_RECORD, fund_kwargs, api=True, extra=INVALID_OK),
    "api:fund_member_passbook": _read(member_kwargs),
    "api:list_fund_entries": Rule(READ_RECORD, fund_kwargs, api=True, extra=INVALID_OK),
    "api:record_fund_entry": Rule(READ_RECORD, fund_kwargs, api=True, extra=INVALID_OK),
    "api:reverse_fund_entry": _write(RECORD, posted_kwargs),
    "api:confirm_fund_entry": _write(CONFIRM, pending_kwargs),
    "api:reject_fund_entry": _write(CONFIRM, pending_kwargs),
    "api:fund_statement": _read(fund_kwargs, **INVALID_OK),
    "api:fund_trial_balance": _read(fund_kwargs),
    "api:list_fund_loans": _read(fund_kwargs),
    "api:get_fund_loan": _read(loan_kwargs),
}
