"""Row locks under real concurrency (PostgreSQL): two counters redeeming the same
beneficiary's last points at the same moment, and two beneficiaries taking the same last unit
at the same moment. Both threads pass a barrier just before asking for the store's lock; the
second waits for the first to commit, then sees what it left and is refused.

Without ``ledger.lock_store`` in ``services_counter.redeem`` both threads read the same
balance and both would write: these tests fail (checked by hand when they were written)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from chumchon.conftest import make_user

from .. import ledger, services_counter
from ..models import PointEntry, Redemption, StockMovement
from .factories import make_award, make_beneficiary, make_item, make_lot, make_store


def _together(monkeypatch, parties: int = 2) -> None:
    """Every thread waits at a barrier before its FIRST request for the store's lock."""
    barrier = threading.Barrier(parties, timeout=10)
    original = ledger.lock_store
    seen = threading.local()

    def lock_together(store):
        if not getattr(seen, "waited", False):
            seen.waited = True
            barrier.wait()
        return original(store)

    monkeypatch.setattr(ledger, "lock_store", lock_together)


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
def test_two_counters_redeeming_the_same_last_points_cannot_both_succeed(communities, monkeypatch):
    store = make_store("1001")
    rice = make_item(store, name="ข้าวสาร", points=60)
    make_lot(rice, 10, expires_on=timezone.localdate() + timedelta(days=100))
    who = make_beneficiary(store, birth_date=date(1950, 1, 1))
    make_award(who, 100)  # enough for one bag, not two
    clerks = [make_user(f"clerk-{n}", "foodbank_clerk", "1001") for n in (1, 2)]
    _together(monkeypatch)

    def redeem(clerk) -> None:
        services_counter.redeem(
            actor=clerk, store=store, beneficiary=who, redeemed_by=who.person, lines=[(rice, 1)]
        )

    results = _run_threads(redeem, [(clerk,) for clerk in clerks])
    monkeypatch.undo()
    assert sorted(r.split(":")[0] for r in results) == ["ok", "refused"], results
    refusal = next(r for r in results if r.startswith("refused"))
    assert "60" in refusal and "40" in refusal  # what is needed, what is left
    assert ledger.points_balance(who, timezone.localdate()) == 40
    assert Redemption.objects.filter(beneficiary=who).count() == 1
    assert PointEntry.objects.filter(kind="redeem").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_beneficiaries_taking_the_same_last_unit_cannot_both_succeed(communities, monkeypatch):
    store = make_store("1001")
    milk = make_item(store, name="นมผง", points=10, unit="กระป๋อง")
    make_lot(milk, 1, expires_on=timezone.localdate() + timedelta(days=100))
    people = []
    for n in (1, 2):
        who = make_beneficiary(store, first_name=f"คนที่{n}", birth_date=date(1950, 1, 1))
        make_award(who, 100)
        people.append(who)
    clerks = [make_user(f"clerk-{n}", "foodbank_clerk", "1001") for n in (1, 2)]
    _together(monkeypatch)

    def redeem(clerk, who) -> None:
        services_counter.redeem(
            actor=clerk, store=store, beneficiary=who, redeemed_by=who.person, lines=[(milk, 1)]
        )

    results = _run_threads(redeem, list(zip(clerks, people, strict=True)))
    monkeypatch.undo()
    assert sorted(r.split(":")[0] for r in results) == ["ok", "refused"], results
    refusal = next(r for r in results if r.startswith("refused"))
    assert "นมผง" in refusal and "0" in refusal
    assert ledger.item_stock(store).get(milk.pk, 0) == 0
    assert StockMovement.objects.filter(kind="redemption").count() == 1
    assert Redemption.objects.count() == 1
