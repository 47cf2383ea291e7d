"""The periodic points jobs: the monthly allowance is awarded once per month (twice run, or a
concurrent insert, still once); expiry writes exactly the unused points once; and a hypothesis
property over awards, FEFO redemptions and expiry runs: no award below zero, the
beneficiary's sum equals the sum over its awards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import QuerySet, Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chumchon.core.periodic import DAILY, MONTHLY, REGISTRY

from .. import domain, ledger
from .. import periodic as _periodic  # noqa: F401  (registers the jobs)
from ..models import Allowance, Award, PointEntry
from ..services_points import _award_month, beneficiary_close, points_expire, points_monthly
from .factories import make_award, make_beneficiary, make_store, robot

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


@pytest.fixture
def store(communities):
    return make_store("1001")


def allowance_for(beneficiary, *, starts_on: date, points: int = 200, **values) -> Allowance:
    return Allowance.objects.create(
        beneficiary=beneficiary,
        points=points,
        starts_on=starts_on,
        valid_days=values.pop("valid_days", 30),
        reason="ผู้สูงอายุ",
        created_by=robot(),
        **values,
    )


def test_jobs_are_registered_monthly_and_daily():
    assert REGISTRY["foodbank.points_monthly"].every == MONTHLY
    assert REGISTRY["foodbank.points_expire"].every == DAILY


def test_monthly_allowance_is_awarded_once_even_when_run_twice(store):
    """A job that runs late in the month (on the 17th) gives the month's points that day, valid
    ``valid_days`` from then: they are never already expired when given."""
    beneficiary = make_beneficiary(store)
    allowance = allowance_for(beneficiary, starts_on=date(2024, 1, 1), valid_days=40)
    day = date(2024, 3, 17)
    assert points_monthly(day).startswith("1 monthly awards")
    assert points_monthly(day).startswith("0 monthly awards")
    award = allowance.awards.get()
    assert (award.month, award.awarded_on, award.expires_on) == (
        date(2024, 3, 1),
        date(2024, 3, 17),
        date(2024, 4, 26),
    )
    assert award.entries.get().points == 200
    points_monthly(date(2024, 4, 1))
    assert allowance.awards.count() == 2


def test_a_month_awarded_concurrently_is_not_duplicated(store, monkeypatch):
    """The other run inserted the month's award after our check: the constraint refuses ours
    inside a savepoint and the job goes on."""
    beneficiary = make_beneficiary(store)
    allowance = allowance_for(beneficiary, starts_on=date(2024, 1, 1))
    on = date(2024, 2, 1)
    assert _award_month(None, allowance, date(2024, 2, 1), on=on) is not None
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # our check sees nothing
    assert _award_month(None, allowance, date(2024, 2, 1), on=on) is None
    monkeypatch.undo()
    assert Award.objects.filter(allowance=allowance).count() == 1
    assert PointEntry.objects.filter(award__allowance=allowance).count() == 1


def test_monthly_job_skips_months_outside_the_allowance_and_closed_beneficiaries(store):
    ended = allowance_for(
        make_beneficiary(store), starts_on=date(2024, 1, 1), ends_on=date(2024, 2, 10)
    )
    later = allowance_for(make_beneficiary(store), starts_on=date(2024, 5, 1))
    stopped = allowance_for(
        make_beneficiary(store), starts_on=date(2024, 1, 1), stopped_on=date(2024, 3, 1)
    )
    mid_month = allowance_for(
        make_beneficiary(store), starts_on=date(2024, 1, 1), stopped_on=date(2024, 3, 15)
    )
    closed = make_beneficiary(store)
    closed_allowance = allowance_for(closed, starts_on=date(2024, 1, 1))
    beneficiary_close(actor=robot(), beneficiary=closed, reason="ย้าย")
    points_monthly(date(2024, 3, 5))
    assert not ended.awards.exists()
    assert not later.awards.exists()
    assert not stopped.awards.exists()
    assert mid_month.awards.get().month == date(2024, 3, 1)
    assert not closed_allowance.awards.exists()
    points_monthly(date(2024, 2, 5))
    assert ended.awards.get().month == date(2024, 2, 1)


def test_expiry_writes_exactly_the_unused_points_once(store):
    beneficiary = make_beneficiary(store)
    expired = make_award(
        beneficiary,
        100,
        awarded_on=today() - timedelta(days=40),
        expires_on=today() - timedelta(days=2),
    )
    used = make_award(
        beneficiary,
        80,
        awarded_on=today() - timedelta(days=40),
        expires_on=today() - timedelta(days=1),
    )
    ledger.post_points(
        actor=robot(), award=used, kind="redeem", points=-30, on=today() - timedelta(days=5)
    )
    last_day = make_award(
        beneficiary, 50, awarded_on=today() - timedelta(days=3), expires_on=today()
    )
    assert points_expire(today()) == "2 awards expired, 150 points"
    assert points_expire(today()) == "0 awards expired, 0 points"
    entries = {e.award_id: e for e in PointEntry.objects.filter(kind="expire")}
    assert entries[expired.pk].points == -100
    assert entries[expired.pk].on == expired.expires_on + timedelta(days=1)
    assert entries[used.pk].points == -50
    assert last_day.pk not in entries
    assert ledger.points_balance(beneficiary) == 50


def test_a_reversed_award_has_nothing_left_to_expire(store):
    beneficiary = make_beneficiary(store)
    award = make_award(
        beneficiary,
        60,
        awarded_on=today() - timedelta(days=20),
        expires_on=today() - timedelta(days=1),
    )
    ledger.post_points(
        actor=robot(), award=award, kind="reverse", points=-60, on=today() - timedelta(days=2)
    )
    assert points_expire(today()).startswith("0 awards")


# --- the ledger's invariants under random sequences ---------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("award"), st.integers(1, 500), st.integers(0, 60)),
        st.tuples(st.just("redeem"), st.integers(1, 400), st.just(0)),
        st.tuples(st.just("expire"), st.just(0), st.just(0)),
        st.tuples(st.just("advance"), st.integers(1, 30), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_points_never_go_below_zero_and_the_sums_agree(store, ops):
    beneficiary = make_beneficiary(store)
    day = today() - timedelta(days=400)
    for op, a, b in ops:
        if op == "award":
            make_award(beneficiary, a, awarded_on=day, expires_on=day + timedelta(days=b))
        elif op == "redeem":
            usable = ledger.usable_awards(beneficiary, day)
            buckets = [
                domain.Bucket(award.pk, left, award.expires_on, award.awarded_on)
                for award, left in usable
            ]
            wanted = min(a, sum(left for _award, left in usable))
            if wanted:
                taken, short = domain.fefo(buckets, wanted, on=day)
                assert short == 0
                awards = {award.pk: award for award, _left in usable}
                for key, points in taken:
                    ledger.post_points(
                        actor=robot(), award=awards[key], kind="redeem", points=-points, on=day
                    )
                # FEFO: nothing was taken from a later-expiring award while an earlier one
                # still has points left
                after = ledger.award_left(beneficiary)
                taken_keys = {key for key, _p in taken}
                for award, _left in usable:
                    if after.get(award.pk, 0) > 0:
                        assert all(
                            awards[k].expires_on <= award.expires_on or k == award.pk
                            for k in taken_keys
                        )
        elif op == "expire":
            points_expire(day)
            for award in beneficiary.awards.filter(expires_on__lt=day):
                assert ledger.award_left(beneficiary).get(award.pk, 0) == 0
        else:
            day += timedelta(days=a)
        per_award = dict(
            PointEntry.objects.filter(beneficiary=beneficiary)
            .values_list("award_id")
            .annotate(s=Sum("points"))
        )
        assert all(total >= 0 for total in per_award.values())
        total = PointEntry.objects.filter(beneficiary=beneficiary).aggregate(s=Sum("points"))["s"]
        assert (total or 0) == sum(per_award.values()) == ledger.points_balance(beneficiary)
        assert ledger.points_balance(beneficiary, day) <= (total or 0)


def test_monthly_job_rechecks_under_the_lock_an_allowance_stopped_meanwhile(store, monkeypatch):
    """Review: the list of allowances due was read before each store lock and not checked
    again, so an allowance stopped (or a beneficiary closed) meanwhile was still awarded."""
    from .. import services_points

    stopped = allowance_for(make_beneficiary(store), starts_on=date(2024, 1, 1))
    closed = make_beneficiary(store)
    allowance_for(closed, starts_on=date(2024, 1, 1))
    running = allowance_for(make_beneficiary(store), starts_on=date(2024, 1, 1))
    due = list(services_points.allowances_due(date(2024, 3, 1)))
    assert len(due) == 3
    Allowance.objects.filter(pk=stopped.pk).update(stopped_on=date(2024, 2, 20))
    beneficiary_close(actor=robot(), beneficiary=closed, reason="ย้าย")
    monkeypatch.setattr(services_points, "allowances_due", lambda month: due)
    assert points_monthly(date(2024, 3, 5)).startswith("1 monthly awards")
    assert list(Award.objects.values_list("allowance_id", flat=True)) == [running.pk]
