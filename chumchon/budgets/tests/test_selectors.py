"""The read-side sums: figures of an area, per child area, what lags, the API's summary and
the money of each allocation; exact sums, drafts/recorded/cancelled rows left out, and a
constant number of queries whatever the number of communities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chumchon.communities.tests.factories import community_for_area, make_community
from chumchon.organizations.models import Area

from .. import selectors
from ..models import Allocation, Application, Disbursement, FundReturn
from .factories import (
    make_allocation,
    make_application,
    make_carry_over,
    make_disbursement,
    make_programme,
    make_transferred,
)

D = Decimal


@pytest.fixture
def scenario(role_users, communities):
    """Own community (1001): approved 150,000, 100,000 paid in the year, 10,000 recorded, a
    cancelled payment, 40,000 carried over of which 30,000 paid; other community (1004):
    submitted; a third 1001 community with a draft only (and a return of 200,000); a fourth
    1001 community dropped."""
    officer, head = role_users["district_officer"], role_users["district_head"]
    programme = make_programme(2567)
    own = community_for_area(communities["T-1001-01"])
    other = community_for_area(communities["T-1004-01"])
    third = make_community("T-1001-03", district="1001")
    fourth = make_community("T-1001-04", district="1001")
    a_own = make_transferred(programme, own, user=officer)
    approved = make_application(
        a_own,
        prepared_by=officer,
        status=Application.Status.APPROVED,
        items=[("materials", "วัสดุ", "120000.00"), ("food", "อาหาร", "30000.00")],
        decided_by=head,
    )
    make_disbursement(approved, "60000.50", recorded_by=officer, confirmed_by=head)
    make_disbursement(approved, "39999.50", recorded_by=officer, confirmed_by=head)
    make_disbursement(approved, "10000.00", recorded_by=officer)
    cancelled = make_disbursement(approved, "5000.00", recorded_by=officer)
    cancelled.status = Disbursement.Status.CANCELLED
    cancelled.save(update_fields=["status"])
    make_carry_over(approved, "40000.00", recorded_by=head)
    make_disbursement(
        approved,
        "30000.00",
        recorded_by=officer,
        confirmed_by=head,
        paid_on=date(2024, 11, 1),
        against=Disbursement.Against.CARRY_OVER,
    )
    a_other = make_transferred(programme, other, user=officer)
    make_application(a_other, prepared_by=role_users["committee_member"])
    a_third = make_transferred(programme, third, user=officer)
    make_application(a_third, prepared_by=officer, status=Application.Status.DRAFT)
    FundReturn.objects.create(
        programme=programme,
        allocation=a_third,
        community=third,
        amount=D("200000.00"),
        returned_on=date(2024, 10, 15),
        recorded_by=officer,
    )
    make_allocation(programme, fourth, status=Allocation.Status.DROPPED, drop_reason="ยุบชุมชน")
    return {
        "programme": programme,
        "own": a_own,
        "other": a_other,
        "third": a_third,
        "approved": approved,
    }


def test_figures_of_the_whole_programme_are_exact_sums(scenario):
    f = selectors.figures(scenario["programme"])
    assert f.communities_budgeted == 4
    assert f.amount_budgeted == D("800000.00")
    assert f.communities_dropped == 1
    assert f.communities_transferred == 3
    assert f.amount_transferred == D("600000.00")
    assert f.communities_applied == 2  # the draft does not count
    assert f.applied_pct == D("66.67")
    assert f.communities_approved == 1
    assert f.amount_approved == D("150000.00")
    assert f.amount_disbursed == D("100000.00")  # confirmed within the year only
    assert f.amount_carried_over == D("40000.00")
    assert f.amount_paid_from_carry_over == D("30000.00")
    assert f.amount_returned == D("200000.00")
    assert f.spent_and_carried_pct == D("23.33")
    assert f.applications_waiting == 1
    assert f.payments_waiting == 1  # recorded, not the cancelled one


def test_figures_of_a_district_count_only_its_communities(scenario):
    f = selectors.figures(scenario["programme"], Area.objects.get(code="1001"))
    assert (f.communities_budgeted, f.communities_transferred, f.communities_applied) == (3, 2, 1)
    assert f.amount_transferred == D("400000.00")
    assert f.applied_pct == D("50.00")
    assert f.spent_and_carried_pct == D("35.00")
    other = selectors.figures(scenario["programme"], Area.objects.get(code="1004"))
    assert (other.communities_transferred, other.communities_applied) == (1, 1)
    assert other.amount_disbursed == D("0")
    assert other.spent_and_carried_pct == D("0.00")


def test_figures_of_an_area_without_allocations_are_zero_and_percentages_none(scenario):
    f = selectors.figures(scenario["programme"], Area.objects.get(code="1050"))
    assert f.communities_budgeted == 0 and f.amount_budgeted == D("0")
    assert f.applied_pct is None and f.spent_and_carried_pct is None


def test_figures_by_child_lists_zones_then_districts_then_communities(scenario):
    programme = scenario["programme"]
    zones = selectors.figures_by_child(programme, Area.objects.get(code="BKK"))
    assert [z.code for z, _f in zones] == [f"BKK-0{n}" for n in range(1, 7)]
    by_code = {z.code: f for z, f in zones}
    assert by_code["BKK-01"].communities_budgeted == 3
    assert by_code["BKK-02"].communities_applied == 1
    assert by_code["BKK-03"].communities_budgeted == 0
    districts = dict(selectors.figures_by_child(programme, Area.objects.get(code="BKK-01")))
    assert {d.code: f.amount_budgeted for d, f in districts.items() if f.communities_budgeted} == {
        "1001": D("600000.00")
    }
    communities = selectors.figures_by_child(programme, Area.objects.get(code="1001"))
    assert [c.code for c, _f in communities] == ["T-1001-01", "T-1001-03", "T-1001-04"]
    assert communities[0][1].amount_disbursed == D("100000.00")
    assert communities[2][1].communities_dropped == 1


def test_lagging_names_districts_below_the_city_non_applicants_and_waiting_work(scenario):
    lag = selectors.lagging(scenario["programme"])
    assert lag["average"] == D("23.33")
    assert [(d.code, f.spent_and_carried_pct) for d, f in lag["districts_below"]] == [
        ("1004", D("0.00"))
    ]
    assert [a.pk for a in lag["not_applied"]] == [scenario["third"].pk]
    assert [a.allocation_id for a in lag["applications_waiting"]] == [scenario["other"].pk]
    assert [p.amount for p in lag["payments_waiting"]] == [D("10000.00")]
    own_district = selectors.lagging(scenario["programme"], Area.objects.get(code="1001"))
    assert own_district["districts_below"] == []  # 35.00 % is above the city's 23.33 %
    assert own_district["applications_waiting"] == []


def test_lagging_limits_its_lists_but_counts_them_all(scenario):
    everything = selectors.lagging(scenario["programme"])
    none_listed = selectors.lagging(scenario["programme"], limit=0)
    for name in ("not_applied", "applications_waiting", "payments_waiting"):
        assert none_listed[name] == []
        assert none_listed[f"{name}_count"] == everything[f"{name}_count"] == 1


def test_summary_dict_gives_amounts_and_percentages_as_strings_with_two_decimals(scenario):
    summary = selectors.summary_dict(selectors.figures(scenario["programme"]))
    assert summary["amount_transferred"] == "600000.00"
    assert summary["applied_pct"] == "66.67"
    assert summary["spent_and_carried_pct"] == "23.33"
    assert summary["amount_disbursed"] == "100000.00"
    assert summary["communities_applied"] == 2
    empty = selectors.summary_dict(
        selectors.figures(scenario["programme"], Area.objects.get(code="1050"))
    )
    assert empty["applied_pct"] is None and empty["amount_budgeted"] == "0.00"


def test_allocation_money_gives_each_allocations_approved_paid_carried_and_remaining(scenario):
    money = selectors.allocation_money([scenario["own"], scenario["other"], scenario["third"]])
    own = money[scenario["own"].pk]
    assert own["approved"] == D("150000.00")
    assert own["paid_year"] == D("100000.00")
    assert own["paid_carry"] == D("30000.00")
    assert own["carried"] == D("40000.00")
    assert own["pending"] == D("10000.00")
    assert own["remaining"] == D("10000.00")
    assert money[scenario["other"].pk]["approved"] == D("0")
    assert money[scenario["third"].pk]["returned"] == D("200000.00")
    assert selectors.allocation_money([]) == {}


def _count(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_selectors_run_a_constant_number_of_queries_whatever_the_number_of_communities(
    scenario, role_users
):
    programme = scenario["programme"]
    city, district = Area.objects.get(code="BKK"), Area.objects.get(code="1001")
    calls = [
        lambda: selectors.figures(programme),
        lambda: selectors.figures_by_child(programme, city),
        lambda: selectors.figures_by_child(programme, district),
        lambda: selectors.lagging(programme),
        lambda: selectors.allocation_money(list(Allocation.objects.all())),
    ]
    before = [_count(call) for call in calls]
    officer, head = role_users["district_officer"], role_users["district_head"]
    for n in range(12):
        community = make_community(f"T-10{n % 3 + 1:02d}-9{n:02d}", district=f"10{n % 3 + 1:02d}")
        allocation = make_transferred(programme, community, user=officer)
        if n % 2:
            application = make_application(
                allocation, prepared_by=officer, status="approved", decided_by=head
            )
            make_disbursement(application, "1000.00", recorded_by=officer, confirmed_by=head)
    after = [_count(call) for call in calls]
    assert after == before
