"""Programme services: set-up, allocation eligibility, transfers, drops, closing; every
refusal leaves nothing saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chumchon.budgets import services_programmes as services
from chumchon.budgets.models import Allocation, FundReturn, Programme, Transfer
from chumchon.committees.tests.factories import make_term
from chumchon.communities.tests.factories import make_community

from .factories import (
    make_allocation,
    make_application,
    make_carry_over,
    make_disbursement,
    make_programme,
    make_transferred,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English here (the Thai ones are the catalogue's)."""
    with translation.override("en"):
        yield


@pytest.fixture
def officer(role_users):
    return role_users["central_officer"]


def create(officer, **values):
    values.setdefault("fiscal_year", 2567)
    values.setdefault("name_th", "โครงการทดสอบ")
    values.setdefault("budget_code", "50101000")
    values.setdefault("amount_per_community", "200000.00")
    return services.programme_create(actor=officer, **values)


def errors(exc) -> dict:
    return exc.value.message_dict


# --- create ------------------------------------------------------------------------------------


def test_create_programme_with_default_category(officer):
    programme = create(officer, community_types=["slum"], refused=[("CCTV", "ไม่อยู่ในวัตถุประสงค์")])
    assert programme.status == Programme.Status.DRAFT
    assert programme.owner_area.code == "BKK"
    assert programme.amount_per_community == Decimal("200000.00")
    assert [c.code for c in programme.categories.all()] == ["general"]
    assert list(programme.refused.values_list("term", flat=True)) == ["CCTV"]


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "100.001", 100.005])
def test_create_refuses_bad_amounts(officer, amount):
    with pytest.raises(ValidationError) as exc:
        create(officer, amount_per_community=amount)
    assert "amount_per_community" in errors(exc)
    assert not Programme.objects.exists()


def test_create_refuses_fixed_rule_without_amount(officer):
    with pytest.raises(ValidationError) as exc:
        create(officer, amount_per_community=None)
    assert "amount_per_community" in errors(exc)


def test_create_refuses_same_year_and_name(officer):
    create(officer)
    with pytest.raises(ValidationError) as exc:
        create(officer)
    assert "name_th" in errors(exc)
    assert Programme.objects.count() == 1


def test_create_names_every_problem_at_once(officer):
    with pytest.raises(ValidationError) as exc:
        services.programme_create(
            actor=officer,
            fiscal_year="x",
            name_th="",
            budget_code="",
            amount_per_community="-1",
            community_types=["nope"],
            owner_area="ZZZ",
            categories=[{"code": "a", "name_th": "", "max_share": "150"}],
            refused=[("", "")],
        )
    assert set(errors(exc)) >= {
        "fiscal_year",
        "name_th",
        "budget_code",
        "amount_per_community",
        "community_types",
        "owner_area",
        "categories.1.name_th",
        "categories.1.max_share",
        "refused.1.term",
    }


def test_create_refuses_deadline_inside_the_fiscal_year(officer):
    with pytest.raises(ValidationError) as exc:
        create(officer, carry_over_deadline=date(2024, 9, 30))
    assert "carry_over_deadline" in errors(exc)


def test_update_after_allocation_refuses_amount_change(officer, communities):
    programme = make_programme()
    with pytest.raises(ValidationError) as exc:
        services.programme_update(actor=officer, programme=programme, amount_per_community="1")
    assert "amount_per_community" in errors(exc)
    services.programme_update(actor=officer, programme=programme, note="ok")
    programme.refresh_from_db()
    assert programme.note == "ok"


def test_deadline_cannot_drop_carry_over_payments(officer, role_users, communities):
    from datetime import date

    from chumchon.communities.tests.factories import community_for_area
    from chumchon.organizations.models import Area

    programme = make_programme(carry_over_deadline=date(2025, 3, 31))
    head = role_users["district_head"]
    community = community_for_area(Area.objects.get(code="T-1001-01"))
    allocation = make_transferred(programme, community, user=head)
    application = make_application(
        allocation, prepared_by=role_users["district_officer"], status="approved", decided_by=head
    )
    make_carry_over(application, "100000.00", recorded_by=head)
    make_disbursement(
        application,
        "50000.00",
        recorded_by=role_users["district_officer"],
        paid_on=date(2025, 2, 1),
        against="carry_over",
        confirmed_by=head,
    )
    for deadline, words in ((None, "is needed"), (date(2025, 1, 31), "cannot be earlier")):
        with pytest.raises(ValidationError) as exc:
            services.programme_update(
                actor=officer, programme=programme, carry_over_deadline=deadline
            )
        assert words in errors(exc)["carry_over_deadline"][0]
    programme.refresh_from_db()
    assert programme.carry_over_deadline == date(2025, 3, 31)
    services.programme_update(
        actor=officer, programme=programme, carry_over_deadline=date(2025, 2, 1)
    )
    programme.refresh_from_db()
    assert programme.carry_over_deadline == date(2025, 2, 1)


def test_category_save_remove_and_refused_items(officer, role_users):
    programme = make_programme(status=Programme.Status.DRAFT)
    category = services.category_save(
        actor=officer, programme=programme, code="food", name_th="อาหาร", max_share="25"
    )
    assert category.max_share == Decimal("25.00")
    with pytest.raises(ValidationError):
        services.category_save(
            actor=officer, programme=programme, code="x", name_th="x", max_share="101"
        )
    item = services.refused_add(actor=officer, programme=programme, term="กล้อง วงจรปิด")
    with pytest.raises(ValidationError) as exc:
        services.refused_add(actor=officer, programme=programme, term="กล้องวงจรปิด")
    assert "term" in errors(exc)
    services.refused_remove(actor=officer, item=item)
    services.category_remove(actor=officer, category=category)
    assert not programme.categories.filter(code="food").exists()


def test_category_in_use_cannot_be_removed(officer, communities, role_users):
    programme = make_programme()
    community = make_community()
    allocation = make_transferred(programme, community, user=officer)
    make_application(allocation, prepared_by=role_users["district_officer"])
    with pytest.raises(ValidationError) as exc:
        services.category_remove(actor=officer, category=programme.categories.get(code="materials"))
    assert "category" in errors(exc)


# --- allocation ---------------------------------------------------------------------------------


def test_allocate_fixed_takes_eligible_communities_only(officer):
    programme = create(officer, community_types=["slum", "suburban"])
    slum = make_community(type_code="slum")
    suburban = make_community(type_code="suburban", district="1004")
    make_community(type_code="housing")  # another type
    make_community(type_code="slum", announced_on=date(2024, 1, 1))  # not yet announced
    gone = make_community(type_code="slum")
    gone.status, gone.dissolved_on = "dissolved", date(2023, 10, 1)
    gone.save()
    count = services.programme_allocate(actor=officer, programme=programme, as_of=date(2023, 11, 1))
    assert count == 2
    got = dict(programme.allocations.values_list("community_id", "district__code"))
    assert got == {slum.pk: "1001", suburban.pk: "1004"}
    programme.refresh_from_db()
    assert programme.status == Programme.Status.OPEN
    assert programme.eligibility_on == date(2023, 11, 1)


def test_allocate_requires_a_valid_committee_when_asked(officer):
    programme = create(officer, require_valid_committee=True)
    with_term = make_community()
    make_term(with_term, starts_on=date(2023, 1, 1))
    make_community()  # no committee
    count = services.programme_allocate(actor=officer, programme=programme, as_of=date(2023, 11, 1))
    assert count == 1
    assert programme.allocations.get().community == with_term


def test_allocating_twice_is_refused(officer):
    programme = create(officer)
    make_community()
    services.programme_allocate(actor=officer, programme=programme, as_of=date(2023, 11, 1))
    with pytest.raises(ValidationError) as exc:
        services.programme_allocate(actor=officer, programme=programme, as_of=date(2023, 11, 1))
    assert "status" in errors(exc)
    assert programme.allocations.count() == 1


def test_allocate_with_no_eligible_community_is_refused(officer):
    programme = create(officer, community_types=["estate"])
    make_community()
    with pytest.raises(ValidationError) as exc:
        services.programme_allocate(actor=officer, programme=programme, as_of=date(2023, 11, 1))
    assert "as_of" in errors(exc)


def test_allocate_per_community_amounts_and_their_refusals(officer):
    programme = create(officer, allocation_rule="per_community", amount_per_community=None)
    a = make_community()
    b = make_community()
    with pytest.raises(ValidationError) as exc:
        services.programme_allocate(
            actor=officer,
            programme=programme,
            as_of=date(2023, 11, 1),
            amounts={a.area.code: "0", "NOPE": "10", b.area.code: "1.005"},
        )
    assert set(errors(exc)) == {f"amounts.{a.area.code}", "amounts.NOPE", f"amounts.{b.area.code}"}
    assert not programme.allocations.exists()
    count = services.programme_allocate(
        actor=officer,
        programme=programme,
        as_of=date(2023, 11, 1),
        amounts={a.area.code: "150000", b.area.code: 99999.5},
    )
    assert count == 2
    assert programme.allocations.get(community=b).amount == Decimal("99999.50")


def test_allocation_queries_are_constant(officer, django_assert_max_num_queries):
    programme = create(officer)
    for _ in range(30):
        make_community()
    with django_assert_max_num_queries(15):
        assert (
            services.programme_allocate(actor=officer, programme=programme, as_of=date(2023, 11, 1))
            == 30
        )


# --- drops and transfers ------------------------------------------------------------------------


def test_drop_dissolved_uses_the_dissolution_reason(officer):
    programme = make_programme()
    gone = make_community()
    kept = make_community()
    a = make_allocation(programme, gone)
    make_allocation(programme, kept)
    gone.status, gone.dissolved_on, gone.dissolution_reason = (
        "dissolved",
        date(2023, 11, 20),
        "ถูกเวนคืน",
    )
    gone.save()
    assert (
        services.allocations_drop_dissolved(
            actor=officer, programme=programme, on=date(2023, 12, 1)
        )
        == 1
    )
    a.refresh_from_db()
    assert a.status == Allocation.Status.DROPPED
    assert "ถูกเวนคืน" in a.drop_reason


def test_drop_needs_a_reason_and_refuses_a_transferred_one(officer):
    programme = make_programme()
    allocation = make_allocation(programme, make_community())
    with pytest.raises(ValidationError) as exc:
        services.allocation_drop(
            actor=officer, allocation=allocation, on=date(2023, 12, 1), reason=""
        )
    assert "reason" in errors(exc)
    moved = make_transferred(programme, make_community(), user=officer)
    with pytest.raises(ValidationError) as exc:
        services.allocation_drop(actor=officer, allocation=moved, on=date(2023, 12, 1), reason="x")
    assert "status" in errors(exc)


def test_transfer_moves_the_district_communities(officer):
    programme = make_programme()
    a = make_allocation(programme, make_community())
    b = make_allocation(programme, make_community())
    transfer = services.transfer_record(
        actor=officer,
        programme=programme,
        district="1001",
        transferred_on=date(2023, 12, 1),
        community_codes=[a.community.area.code, b.community.area.code],
        reference="กท 1/2567",
    )
    assert set(transfer.allocations.values_list("status", flat=True)) == {"transferred"}
    assert transfer.district.code == "1001"


def test_transfer_refuses_every_bad_community_and_saves_nothing(officer):
    programme = make_programme()
    other = make_allocation(programme, make_community(district="1004"))
    done = make_transferred(programme, make_community(), user=officer)
    dropped = make_allocation(
        programme, make_community(), status="dropped", dropped_on=date(2023, 11, 1), drop_reason="x"
    )
    gone_community = make_community()
    gone = make_allocation(programme, gone_community)
    gone_community.status, gone_community.dissolved_on = "dissolved", date(2023, 11, 30)
    gone_community.save()
    not_allocated = make_community()
    codes = [
        other.community.area.code,
        done.community.area.code,
        dropped.community.area.code,
        gone.community.area.code,
        not_allocated.area.code,
        "UNKNOWN",
    ]
    before = Transfer.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.transfer_record(
            actor=officer,
            programme=programme,
            district="1001",
            transferred_on=date(2023, 12, 1),
            community_codes=codes,
        )
    messages = errors(exc)["community_codes"]
    assert len(messages) == 6
    assert any("drop it first" in m for m in messages)
    assert Transfer.objects.count() == before


def test_transfer_refused_before_allocation_and_for_a_non_district(officer):
    programme = make_programme(status=Programme.Status.DRAFT)
    with pytest.raises(ValidationError) as exc:
        services.transfer_record(
            actor=officer,
            programme=programme,
            district="BKK-01",
            transferred_on=date(2023, 12, 1),
            community_codes=[],
        )
    assert {"status", "district", "community_codes"} <= set(errors(exc))


# --- closing ------------------------------------------------------------------------------------


def _closing_programme(officer, role_users):
    programme = make_programme(carry_over_deadline=date(2025, 3, 31))
    head = role_users["district_head"]
    clerk = role_users["district_officer"]
    paid = make_transferred(programme, make_community(), user=officer)
    app = make_application(
        paid,
        prepared_by=clerk,
        status="approved",
        decided_by=head,
        items=[("materials", "วัสดุ", "150000.00")],
    )
    make_disbursement(app, "120000.00", recorded_by=clerk, confirmed_by=head)
    make_disbursement(app, "5000.00", recorded_by=clerk, confirmed_by=head)
    idle = make_transferred(programme, make_community(), user=officer)
    make_allocation(programme, make_community())  # budgeted, never transferred: nothing back
    return programme, paid, idle, app


def test_close_creates_returns_of_unpaid_money(officer, role_users):
    programme, paid, idle, _app = _closing_programme(officer, role_users)
    returns = services.programme_close(
        actor=officer, programme=programme, closed_on=date(2024, 10, 5)
    )
    got = {r.allocation_id: r.amount for r in returns}
    assert got == {paid.pk: Decimal("75000.00"), idle.pk: Decimal("200000.00")}
    programme.refresh_from_db()
    assert programme.status == Programme.Status.CLOSED
    with pytest.raises(ValidationError) as exc:
        services.programme_close(actor=officer, programme=programme, closed_on=date(2024, 10, 6))
    assert "status" in errors(exc)


def test_close_refused_before_the_fiscal_year_ends(officer, role_users):
    programme, *_ = _closing_programme(officer, role_users)
    with pytest.raises(ValidationError) as exc:
        services.programme_close(actor=officer, programme=programme, closed_on=date(2024, 9, 30))
    assert "closed_on" in errors(exc)
    assert not FundReturn.objects.exists()


def test_close_refused_with_waiting_decisions_and_payments(officer, role_users):
    programme, _paid, idle, app = _closing_programme(officer, role_users)
    make_application(idle, prepared_by=role_users["district_officer"], status="submitted")
    make_disbursement(app, "100.00", recorded_by=role_users["district_officer"])
    with pytest.raises(ValidationError) as exc:
        services.programme_close(actor=officer, programme=programme, closed_on=date(2024, 10, 5))
    assert len(errors(exc)["status"]) == 2
    assert not FundReturn.objects.exists()


def test_close_refused_before_deadline_while_carry_over_unpaid(officer, role_users):
    programme, _paid, _idle, app = _closing_programme(officer, role_users)
    make_carry_over(app, "20000.00", recorded_by=role_users["district_head"])
    with pytest.raises(ValidationError) as exc:
        services.programme_close(actor=officer, programme=programme, closed_on=date(2024, 12, 1))
    assert "closed_on" in errors(exc)
    make_disbursement(
        app,
        "20000.00",
        recorded_by=role_users["district_officer"],
        confirmed_by=role_users["district_head"],
        paid_on=date(2024, 11, 1),
        against="carry_over",
    )
    returns = services.programme_close(
        actor=officer, programme=programme, closed_on=date(2024, 12, 1)
    )
    assert sum(r.amount for r in returns) == Decimal("255000.00")


def test_close_refused_for_a_draft(officer):
    programme = make_programme(status=Programme.Status.DRAFT)
    with pytest.raises(ValidationError) as exc:
        services.programme_close(actor=officer, programme=programme, closed_on=date(2024, 10, 5))
    assert "status" in errors(exc)
