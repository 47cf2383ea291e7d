"""Row locks under real concurrency (PostgreSQL): two clerks withdrawing a member's last
savings at the same moment, and two committee members confirming the same entry at the same
moment. Both threads pass a barrier just before asking for the fund's lock; the second waits
for the first to commit, then sees its result and is refused."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from chumchon.conftest import make_user
from chumchon.funds import ledger, services_entries
from chumchon.funds.models import Entry

from .factories import make_fund, make_member, post_simple

DAY = date(2025, 1, 15)


def _together(monkeypatch, parties: int = 2) -> None:
    """Every thread waits at a barrier before its FIRST request for the fund's lock (the
    ledger asks again inside ``post``: that one goes straight through)."""
    barrier = threading.Barrier(parties, timeout=10)
    original = ledger.lock_fund
    seen = threading.local()

    def lock_together(fund):
        if not getattr(seen, "waited", False):
            seen.waited = True
            barrier.wait()
        return original(fund)

    monkeypatch.setattr(ledger, "lock_fund", lock_together)


def _run_threads(work, args_list) -> list[str]:
    results: list[str] = []

    def target(*args) -> None:
        try:
            with transaction.atomic():
                work(*args)
            results.append("ok")
        except ValidationError as exc:
            results.append("refused: " + "; ".join(exc.messages))
        except BaseException as exc:  # reported by the main thread
            results.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_withdrawing_the_last_savings_at_once_cannot_both_succeed(
    communities, monkeypatch
):
    fund = make_fund()
    member = make_member(fund)
    post_simple(fund, "deposit", "cash", "savings", "1000", on=DAY, member=member)
    clerks = [make_user(f"clerk-{n}", "district_officer", "1001") for n in (1, 2)]
    _together(monkeypatch)

    def withdraw(clerk) -> None:
        services_entries.withdrawal(
            actor=clerk, fund=fund, member=member, amount="1000", entry_date=DAY
        )

    results = _run_threads(withdraw, [(clerk,) for clerk in clerks])
    monkeypatch.undo()
    assert sorted(r.split(":")[0] for r in results) == ["ok", "refused"], results
    refusal = next(r for r in results if r.startswith("refused"))
    assert "0.00" in refusal and "1,000.00" in refusal  # what is left, what was asked
    assert ledger.savings_of(member) == Decimal("0.00")
    assert Entry.objects.filter(fund=fund, kind="withdrawal").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_confirmations_of_the_same_entry_at_once_one_wins(communities, monkeypatch):
    fund = make_fund()
    member = make_member(fund)
    clerk = make_user("clerk", "district_officer", "1001")
    pending = services_entries.deposit(
        actor=clerk, fund=fund, member=member, amount="25000", entry_date=DAY
    )
    assert pending.status == "pending"
    checkers = [make_user(f"checker-{n}", "district_head", "1001") for n in (1, 2)]
    _together(monkeypatch)

    def confirm(checker) -> None:
        services_entries.confirm(actor=checker, entry=pending)

    results = _run_threads(confirm, [(checker,) for checker in checkers])
    monkeypatch.undo()
    assert sorted(r.split(":")[0] for r in results) == ["ok", "refused"], results
    assert str(pending.number) in next(r for r in results if r.startswith("refused"))
    pending.refresh_from_db()
    assert pending.status == "posted" and pending.decided_by in checkers
    assert ledger.savings_of(member) == Decimal("25000.00")
