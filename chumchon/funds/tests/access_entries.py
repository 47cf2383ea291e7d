"""Access-matrix rules: the books' pages (urls_entries.py). Objects come from
access_objects.py: a fund in T-1001-01 ("own") and T-1004-01 ("other") with a member, a loan,
and per actor an entry awaiting confirmation (confirm, reject) and a posted one (reverse).

Reading needs funds.view on the fund, recording and reversing funds.record, confirming and
rejecting funds.confirm; the queue lists entries in every fund where the user confirms. An
empty POST re-renders the form (200), except the confirmation, which needs no input (302).

The entry awaiting confirmation is a grant here (money in), made per actor: a pending
decrease per actor (access_objects.pending_entry moves 25,000 out of cash each time) would
run the fund's 100,000 of cash below zero after four actors."""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, anywhere, scoped

from .access_objects import DAY, fund, fund_pk, loan_kwargs, maker, posted_kwargs
from .factories import post_simple

VIEW, RECORD, CONFIRM = "funds.view", "funds.record", "funds.confirm"


def both(perm: str) -> dict:
    return {"GET": scoped(perm), "POST": scoped(perm)}


def pending_grant_kwargs(objects, actor, which):
    key = ("books", "pending", actor, which)
    if key not in objects._cache:
        objects._cache[key] = post_simple(
            fund(objects, which),
            "grant",
            "cash",
            "grants",
            "25000",
            on=DAY,
            actor=maker(objects),
            confirm=True,
        )
    made = objects._cache[key]
    return {"pk": made.fund_id, "entry_pk": made.pk}


def entry_new_kwargs(objects, actor, which):
    return {"pk": fund(objects, which).pk, "op": "deposit"}


ACCESS = {
    "fund-entries": Rule({"GET": scoped(VIEW)}, fund_pk),
    "fund-entry-new": Rule(both(RECORD), entry_new_kwargs),
    "fund-entry": Rule({"GET": scoped(VIEW)}, posted_kwargs),
    "fund-entry-confirm": Rule(both(CONFIRM), pending_grant_kwargs),
    "fund-entry-reject": Rule(both(CONFIRM), pending_grant_kwargs),
    "fund-entry-reverse": Rule(both(RECORD), posted_kwargs),
    "fund-queue": Rule({"GET": anywhere(CONFIRM)}),
    "fund-loans": Rule({"GET": scoped(VIEW)}, fund_pk),
    "fund-loan": Rule({"GET": scoped(VIEW)}, loan_kwargs),
    "fund-periods": Rule({"GET": scoped(VIEW), "POST": scoped(RECORD)}, fund_pk),
}
