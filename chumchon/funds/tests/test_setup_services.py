"""Setting funds up (services_setup.py): rules and names, the chart, members leaving, the
fund's committee and the roles its seats grant. Every refusal names what is wrong, saves
nothing and writes no audit event."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from chumchon.accounts.models import RoleAssignment, User
from chumchon.communities.tests.factories import make_person
from chumchon.conftest import make_user
from chumchon.core.models import AuditEvent
from chumchon.funds import permissions
from chumchon.funds.models import Account, Fund, FundKind, FundOfficer, Loan
from chumchon.funds.services_setup import (
    account_add,
    fund_create,
    fund_update,
    member_leave,
    officer_appoint,
    officer_end,
    officer_grant_role,
)
from chumchon.organizations.models import Area

from .factories import BOOKS_START, make_fund, make_member, post_simple

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 15)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here (the Thai pages are checked in the view tests)."""
    with translation.override("en"):
        yield


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- fund_create / fund_update ------------------------------------------------------------------


def test_fund_create_parses_typed_rules_and_accepts_zero(communities):
    fund = fund_create(
        actor=None,
        kind=FundKind.objects.get(code="savings_group"),
        area=Area.objects.get(code="T-1001-01"),
        name="กลุ่มสัจจะ",
        established_on=BOOKS_START,
        savings_minimum="๑๐๐",
        loan_ceiling="0",
        confirm_threshold="20,000",
        max_instalments="24",
    )
    assert fund.savings_minimum == Decimal("100.00")
    assert fund.loan_ceiling == Decimal("0.00")
    assert fund.confirm_threshold == Decimal("20000.00")
    assert fund.max_instalments == 24
    assert fund.accounts.count() == 11


def test_fund_create_names_every_bad_rule_and_saves_nothing(communities):
    with pytest.raises(ValidationError) as excinfo:
        fund_create(
            actor=None,
            kind=FundKind.objects.get(code="savings_group"),
            area=Area.objects.get(code="T-1001-01"),
            name="กลุ่มผิด",
            established_on=BOOKS_START,
            savings_minimum="-5",
            late_fee="12.345",
            max_instalments="twelve",
            interest_rate="40",
        )
    errors = _errors(excinfo)
    assert set(errors) >= {"savings_minimum", "late_fee", "max_instalments", "interest_rate"}
    assert "-5" in errors["savings_minimum"][0]
    assert not Fund.objects.filter(name="กลุ่มผิด").exists()


def test_fund_update_changes_rules_audits_before_and_after_and_keeps_loans(communities):
    fund = make_fund()
    member = make_member(fund)
    loan = Loan.objects.create(
        fund=fund,
        member=member,
        number=1,
        principal=Decimal("1000"),
        interest_method="declining",
        interest_rate=Decimal("12.00"),
        instalments=12,
        first_due_on=date(2025, 2, 1),
    )
    fund_update(
        actor=None,
        fund=fund,
        interest_rate="6",
        interest_method="flat",
        max_instalments=24,
        name="ชื่อใหม่",
    )
    fund.refresh_from_db()
    loan.refresh_from_db()
    assert (fund.interest_rate, fund.interest_method, fund.name) == (Decimal("6"), "flat", "ชื่อใหม่")
    assert (loan.interest_rate, loan.interest_method, loan.instalments) == (
        Decimal("12.00"),
        "declining",
        12,
    )
    event = AuditEvent.objects.get(action="funds.fund_update")
    assert event.changes["interest_rate"] == ["12.00", "6.00"]
    assert event.changes["name"][1] == "ชื่อใหม่"


def test_fund_update_refuses_a_taken_name_and_bad_rules_saving_nothing(communities):
    first = make_fund(name="กองทุนหนึ่ง")
    fund = make_fund(name="กองทุนสอง")
    with pytest.raises(ValidationError) as excinfo:
        fund_update(actor=None, fund=fund, name=first.name, grace_days="-1", year_start_month="13")
    errors = _errors(excinfo)
    assert "กองทุนหนึ่ง" in errors["name"][0]
    assert set(errors) >= {"name", "grace_days", "year_start_month"}
    fund.refresh_from_db()
    assert fund.name == "กองทุนสอง"
    assert _events("funds.fund_update") == 0


def test_fund_update_refuses_moving_the_year_after_a_year_is_closed(communities):
    from chumchon.funds.models import PeriodClose

    fund = make_fund()
    PeriodClose.objects.create(
        fund=fund,
        kind="year",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
        closed_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as excinfo:
        fund_update(actor=None, fund=fund, year_start_month=10)
    assert "year_start_month" in _errors(excinfo)


def test_fund_update_refuses_fields_it_does_not_own(communities):
    with pytest.raises(TypeError):
        fund_update(actor=None, fund=make_fund(), area=None)


# --- account_add -------------------------------------------------------------------------------


def test_account_add_makes_an_other_account_and_audits(communities):
    fund = make_fund()
    account = account_add(actor=None, fund=fund, code="๕๑๑๐", type="expense", name_th="ค่าประชุม")
    assert (account.code, account.role, account.type) == ("5110", "other", "expense")
    assert _events("funds.account_add") == 1


@pytest.mark.parametrize(
    ("code", "type_", "name", "field", "words"),
    [
        ("511", "expense", "x", "code", "4"),
        ("abcd", "expense", "x", "code", "abcd"),
        ("4110", "expense", "x", "code", "5"),
        ("5100", "expense", "x", "code", "5100"),
        ("5110", "expense", "", "name_th", ""),
        ("5110", "nonsense", "x", "type", ""),
    ],
)
def test_account_add_refusals_name_the_field_and_save_nothing(
    communities, code, type_, name, field, words
):
    fund = make_fund()
    with pytest.raises(ValidationError) as excinfo:
        account_add(actor=None, fund=fund, code=code, type=type_, name_th=name)
    errors = _errors(excinfo)
    assert field in errors
    assert words in errors[field][0]
    assert fund.accounts.count() == 11
    assert _events("funds.account_add") == 0


# --- member_leave ------------------------------------------------------------------------------


def test_member_leave_sets_the_date_and_audits_the_reason(communities):
    member = make_member(make_fund())
    member_leave(actor=None, member=member, left_on=DAY, reason="ย้ายที่อยู่")
    member.refresh_from_db()
    assert member.left_on == DAY
    assert AuditEvent.objects.get(action="funds.member_leave").reason == "ย้ายที่อยู่"


def test_member_leave_refused_while_savings_remain_saying_how_much(communities):
    fund = make_fund()
    member = make_member(fund)
    post_simple(fund, "deposit", "cash", "savings", "1234.50", on=DAY, member=member)
    with pytest.raises(ValidationError) as excinfo:
        member_leave(actor=None, member=member, left_on=DAY, reason="ลาออก")
    assert "1,234.50" in " ".join(_errors(excinfo)["left_on"])
    member.refresh_from_db()
    assert member.left_on is None
    assert _events("funds.member_leave") == 0


def test_member_leave_refused_while_a_loan_is_owed_saying_how_much(communities):
    fund = make_fund()
    post_simple(fund, "grant", "cash", "grants", "50000", on=DAY)
    member = make_member(fund)
    loan = Loan.objects.create(
        fund=fund,
        member=member,
        number=7,
        principal=Decimal("3000"),
        interest_method="declining",
        interest_rate=Decimal("12"),
        instalments=3,
        first_due_on=date(2025, 2, 15),
    )
    post_simple(fund, "loan", "loans", "cash", "3000", on=DAY, loan=loan)
    with pytest.raises(ValidationError) as excinfo:
        member_leave(actor=None, member=member, left_on=DAY, reason="ลาออก")
    text = " ".join(_errors(excinfo)["left_on"])
    assert "3,000.00" in text and "7" in text


def test_member_leave_refuses_bad_dates_no_reason_and_leaving_twice(communities):
    member = make_member(make_fund())
    future = timezone.localdate() + timedelta(days=2)
    with pytest.raises(ValidationError) as excinfo:
        member_leave(actor=None, member=member, left_on=future, reason=" ")
    assert set(_errors(excinfo)) == {"left_on", "reason"}
    with pytest.raises(ValidationError):
        member_leave(actor=None, member=member, left_on=date(2024, 12, 1), reason="x")
    member_leave(actor=None, member=member, left_on=DAY, reason="x")
    with pytest.raises(ValidationError) as excinfo:
        member_leave(actor=None, member=member, left_on=DAY, reason="x")
    assert "already left" in _errors(excinfo)["left_on"][0]


# --- the committee -----------------------------------------------------------------------------


def test_appoint_refuses_a_second_treasurer_naming_the_holder(communities):
    fund = make_fund()
    holder = make_person(area=fund.area, first_name="สมศรี")
    officer_appoint(actor=None, fund=fund, person=holder, position="treasurer", starts_on=DAY)
    with pytest.raises(ValidationError) as excinfo:
        officer_appoint(
            actor=None,
            fund=fund,
            person=make_person(area=fund.area),
            position="treasurer",
            starts_on=DAY,
        )
    assert "สมศรี" in _errors(excinfo)["position"][0]
    assert FundOfficer.objects.filter(fund=fund).count() == 1
    assert _events("funds.officer_appoint") == 1


def test_appoint_refuses_a_second_seat_for_one_person_but_allows_two_members(communities):
    fund = make_fund()
    person = make_person(area=fund.area)
    officer_appoint(actor=None, fund=fund, person=person, position="member", starts_on=DAY)
    officer_appoint(
        actor=None, fund=fund, person=make_person(area=fund.area), position="member", starts_on=DAY
    )
    with pytest.raises(ValidationError) as excinfo:
        officer_appoint(actor=None, fund=fund, person=person, position="clerk", starts_on=DAY)
    assert "person" in _errors(excinfo)


def test_appoint_after_the_holder_left_is_allowed(communities):
    fund = make_fund()
    old = officer_appoint(
        actor=None, fund=fund, person=make_person(area=fund.area), position="chair", starts_on=DAY
    )
    officer_end(actor=None, officer=old, ends_on=date(2025, 3, 1), reason="ลาออก")
    new = officer_appoint(
        actor=None,
        fund=fund,
        person=make_person(area=fund.area),
        position="chair",
        starts_on=date(2025, 3, 1),
    )
    assert new.pk


def test_appoint_refuses_a_bad_position_and_a_date_before_the_fund(communities):
    fund = make_fund()
    with pytest.raises(ValidationError) as excinfo:
        officer_appoint(
            actor=None,
            fund=fund,
            person=make_person(area=fund.area),
            position="king",
            starts_on=date(2024, 1, 1),
        )
    assert set(_errors(excinfo)) == {"position", "starts_on"}


def _treasurer(fund: Fund, starts_on: date = DAY) -> FundOfficer:
    return officer_appoint(
        actor=None,
        fund=fund,
        person=make_person(area=fund.area),
        position="treasurer",
        starts_on=starts_on,
    )


def test_grant_role_gives_the_fund_role_at_the_fund_area_and_links_the_person(communities):
    fund = make_fund()
    officer = _treasurer(fund)
    user = make_user("treasurer-a")
    assignment = officer_grant_role(actor=None, officer=officer, user=user)
    assert assignment.role.code == "fund_treasurer"
    assert assignment.area_id == fund.area_id
    assert assignment.valid_to is None
    officer.refresh_from_db()
    officer.person.refresh_from_db()
    assert officer.role_assignment_id == assignment.pk
    assert officer.person.user_id == user.pk
    assert permissions.can_record(user, fund)
    other = make_fund()
    assert not permissions.can_view(user, other)  # same community, another fund


def test_grant_role_refused_twice_for_an_ended_seat_and_for_a_linked_user(communities):
    fund = make_fund()
    officer = _treasurer(fund)
    user = make_user("treasurer-b")
    officer_grant_role(actor=None, officer=officer, user=user)
    with pytest.raises(ValidationError) as excinfo:
        officer_grant_role(actor=None, officer=officer, user=make_user("someone-else"))
    assert "treasurer-b" in " ".join(_errors(excinfo)["user"])
    # the user is linked to the treasurer's person: another person's seat is refused
    clerk = officer_appoint(
        actor=None,
        fund=fund,
        person=make_person(area=fund.area),
        position="clerk",
        starts_on=DAY,
    )
    with pytest.raises(ValidationError) as excinfo:
        officer_grant_role(actor=None, officer=clerk, user=user)
    assert "another person" in " ".join(_errors(excinfo)["user"])
    ended = officer_appoint(
        actor=None,
        fund=fund,
        person=make_person(area=fund.area),
        position="member",
        starts_on=DAY,
    )
    officer_end(actor=None, officer=ended, ends_on=date(2025, 2, 1), reason="ลาออก")
    with pytest.raises(ValidationError) as excinfo:
        officer_grant_role(actor=None, officer=ended, user=make_user("late"))
    assert "no longer" in " ".join(_errors(excinfo)["user"])
    assert RoleAssignment.objects.filter(role__code__startswith="fund_").count() == 1
    assert _events("funds.officer_grant_role") == 1


def test_officer_end_ends_the_role_the_day_before(communities):
    fund = make_fund()
    officer = _treasurer(fund, starts_on=date(2025, 1, 1))
    user = make_user("treasurer-c")
    assignment = officer_grant_role(actor=None, officer=officer, user=user)
    ends_on = timezone.localdate() + timedelta(days=10)
    officer_end(actor=None, officer=officer, ends_on=ends_on, reason="ครบวาระ")
    assignment.refresh_from_db()
    assert assignment.valid_to == ends_on - timedelta(days=1)
    assert AuditEvent.objects.get(action="funds.officer_end").reason == "ครบวาระ"


def test_officer_end_refusals_save_nothing(communities):
    officer = _treasurer(make_fund(), starts_on=date(2025, 2, 1))
    with pytest.raises(ValidationError) as excinfo:
        officer_end(actor=None, officer=officer, ends_on=date(2025, 1, 1), reason="")
    assert set(_errors(excinfo)) == {"ends_on", "reason"}
    officer.refresh_from_db()
    assert officer.ends_on is None
    officer_end(actor=None, officer=officer, ends_on=date(2025, 3, 1), reason="x")
    with pytest.raises(ValidationError) as excinfo:
        officer_end(actor=None, officer=officer, ends_on=date(2025, 4, 1), reason="x")
    assert "already ended" in _errors(excinfo)["ends_on"][0]


def test_grant_role_refuses_an_inactive_user(communities):
    officer = _treasurer(make_fund())
    user = User.objects.create_user("inactive", is_active=False)
    with pytest.raises(ValidationError):
        officer_grant_role(actor=None, officer=officer, user=user)
    assert not Account.objects.filter(role="nothing").exists()
