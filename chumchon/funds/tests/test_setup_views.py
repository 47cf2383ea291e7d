"""Fund setup pages: who sees what (200/403/404), forms that show errors on their fields and
save nothing, the district officer setting a fund up, a treasurer acting on their own fund only,
and list pages whose query counts stay constant as funds and members grow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chumchon.communities.tests.factories import (
    community_for_area,
    make_community,
    make_person,
    valid_national_id,
)
from chumchon.conftest import make_user, verified_client
from chumchon.funds.models import Account, Fund, FundMember, FundOfficer
from chumchon.funds.services_setup import officer_appoint

from .factories import make_fund, make_member, post_simple

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 15)


def _text(response) -> str:
    return response.content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx)


# --- the list ----------------------------------------------------------------------------------


def test_list_shows_funds_in_reach_with_their_figures(clients, communities):
    own = make_fund("T-1001-01", name="กองทุนในเขต")
    other = make_fund("T-1004-01", name="กองทุนนอกเขต")
    post_simple(own, "grant", "cash", "grants", "1234.50", on=DAY)
    page = clients["district_officer"].get(reverse("fund-list"))
    assert page.status_code == 200
    text = _text(page)
    assert own.name in text and other.name not in text
    assert "1,234.50" in text
    assert "กองทุนชุมชน" in text
    central = _text(clients["central_officer"].get(reverse("fund-list")))
    assert own.name in central and other.name in central


def test_list_is_refused_to_the_community_committee_member(clients, communities):
    assert clients["committee_member"].get(reverse("fund-list")).status_code == 403


def test_list_filters_by_district_community_and_kind(clients, communities):
    own = make_fund("T-1001-01", name="กลุ่มออมทรัพย์ก")
    welfare = make_fund("1001", kind="welfare", name="กองทุนสวัสดิการเขต")
    other = make_fund("T-1004-01", name="กองทุนบางรัก")
    client = clients["central_officer"]
    url = reverse("fund-list")
    text = _text(client.get(url, {"district": "1004"}))
    assert other.name in text and own.name not in text
    text = _text(client.get(url, {"community": "T-1001-01"}))
    assert own.name in text and welfare.name not in text
    text = _text(client.get(url, {"kind": "welfare"}))
    assert welfare.name in text and own.name not in text


def test_list_queries_stay_constant_as_funds_grow(clients, communities):
    client = clients["central_officer"]
    url = reverse("fund-list")
    fund = make_fund()
    member = make_member(fund)
    post_simple(fund, "deposit", "cash", "savings", "100", on=DAY, member=member)
    _count(client, url)
    before = _count(client, url)
    for area in ("T-1001-01", "T-1004-01", "1001"):
        for _ in range(3):
            more = make_fund(area)
            post_simple(more, "grant", "cash", "grants", "500", on=DAY)
            make_member(more)
    assert _count(client, url) == before


# --- creating a fund and adding members --------------------------------------------------------


def test_district_officer_creates_a_fund_and_adds_a_member_from_another_district(
    clients, communities
):
    client = clients["district_officer"]
    page = client.get(reverse("fund-create"))
    assert page.status_code == 200
    assert "1,000,000.00" in _text(page)  # the village fund's standard grant, as a hint
    area = communities["T-1001-01"]
    response = client.post(
        reverse("fund-create"),
        {
            "kind": "village_urban",
            "area": area.pk,
            "name": "กองทุนหมู่บ้านทดสอบ",
            "established_on": "1/1/2568",
            "savings_minimum": "100",
            "loan_ceiling": "20,000",
            "interest_method": "flat",
            "interest_rate": "6",
            "max_instalments": "12",
            "late_fee": "20",
            "grace_days": "5",
            "confirm_threshold": "10,000",
            "year_start_month": "1",
        },
    )
    assert response.status_code == 302, _text(response)[:3000]
    fund = Fund.objects.get(name="กองทุนหมู่บ้านทดสอบ")
    assert fund.loan_ceiling == Decimal("20000.00")
    assert fund.established_on == date(2025, 1, 1)
    assert client.get(reverse("fund-detail", args=[fund.pk])).status_code == 200
    national_id = valid_national_id()
    outsider = make_person(area=communities["T-1004-01"], national_id=national_id)
    response = client.post(
        reverse("fund-members", args=[fund.pk]),
        {"national_id": national_id, "joined_on": "15/1/2568"},
    )
    assert response.status_code == 302, _text(response)[:3000]
    member = FundMember.objects.get(fund=fund)
    assert member.person == outsider and member.member_no == 1
    page = client.get(reverse("fund-members", args=[fund.pk]))
    assert national_id not in _text(page)
    assert outsider.masked_national_id in _text(page)
    assert client.get(reverse("fund-member", args=[fund.pk, member.pk])).status_code == 200


def test_create_form_shows_errors_on_the_fields_and_saves_nothing(clients, communities):
    response = clients["district_officer"].post(
        reverse("fund-create"),
        {
            "kind": "savings_group",
            "area": communities["T-1001-01"].pk,
            "name": "กองทุนผิด",
            "established_on": "1/1/2568",
            "savings_minimum": "-100",
            "loan_ceiling": "1.234",
            "interest_method": "flat",
            "interest_rate": "6",
            "max_instalments": "12",
            "late_fee": "0",
            "grace_days": "0",
            "confirm_threshold": "0",
            "year_start_month": "1",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"savings_minimum", "loan_ceiling"}
    assert "is-invalid" in _text(response)
    assert not Fund.objects.filter(name="กองทุนผิด").exists()


def test_create_offers_only_areas_in_reach(clients, communities):
    response = clients["district_officer"].post(
        reverse("fund-create"),
        {"kind": "savings_group", "area": communities["T-1004-01"].pk, "name": "x"},
    )
    assert "area" in response.context["form"].errors
    assert clients["auditor"].get(reverse("fund-create")).status_code == 403


def test_member_add_explains_a_bad_id_and_a_person_not_in_the_registry(clients, communities):
    fund = make_fund()
    url = reverse("fund-members", args=[fund.pk])
    client = clients["district_officer"]
    bad = client.post(url, {"national_id": "1234567890123", "joined_on": "15/1/2568"})
    assert "national_id" in bad.context["form"].errors
    missing = client.post(url, {"national_id": valid_national_id(), "joined_on": "15/1/2568"})
    assert "ลงทะเบียน" in " ".join(missing.context["form"].errors["national_id"])
    person = make_person(area=fund.area)
    make_member(fund, person=person)
    twice = client.post(url, {"national_id": person.national_id, "joined_on": "15/1/2568"})
    assert "national_id" in twice.context["form"].errors  # the service's "person" error
    assert FundMember.objects.filter(fund=fund).count() == 1


def test_members_page_queries_stay_constant_as_members_grow(clients, communities):
    fund = make_fund()
    post_simple(fund, "grant", "cash", "grants", "100000", on=DAY)
    client = clients["district_officer"]
    url = reverse("fund-members", args=[fund.pk])
    first = make_member(fund)
    post_simple(fund, "deposit", "cash", "savings", "100", on=DAY, member=first)
    _count(client, url)
    before = _count(client, url)
    for _ in range(6):
        member = make_member(fund)
        post_simple(fund, "deposit", "cash", "savings", "50", on=DAY, member=member)
    assert _count(client, url) == before


def test_member_of_another_fund_is_404_under_this_fund(clients, communities):
    fund, other = make_fund(), make_fund()
    member = make_member(other)
    url = reverse("fund-member", args=[fund.pk, member.pk])
    assert clients["district_officer"].get(url).status_code == 404


def test_member_leave_page_refuses_while_savings_remain(clients, communities):
    fund = make_fund()
    member = make_member(fund)
    post_simple(fund, "deposit", "cash", "savings", "750", on=DAY, member=member)
    url = reverse("fund-member-leave", args=[fund.pk, member.pk])
    response = clients["district_officer"].post(url, {"left_on": "20/1/2568", "reason": "ย้าย"})
    assert response.status_code == 200
    assert "750.00" in " ".join(response.context["form"].errors["left_on"])
    member.refresh_from_db()
    assert member.left_on is None


# --- rules and chart ---------------------------------------------------------------------------


def test_edit_rules_page_saves_and_shows_errors(clients, communities):
    fund = make_fund()
    url = reverse("fund-edit", args=[fund.pk])
    client = clients["district_officer"]
    page = client.get(url)
    assert page.status_code == 200
    data = dict(page.context["form"].initial)
    data.update({"interest_rate": "abc", "name": fund.name})
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    assert "interest_rate" in response.context["form"].errors
    data["interest_rate"] = "9.5"
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.interest_rate == Decimal("9.50")
    assert clients["auditor"].get(url).status_code == 403


def test_accounts_page_lists_balances_and_adds_an_account(clients, communities):
    fund = make_fund()
    post_simple(fund, "grant", "cash", "grants", "2500", on=DAY)
    url = reverse("fund-accounts", args=[fund.pk])
    page = clients["auditor"].get(url)
    assert page.status_code == 200 and "2,500.00" in _text(page)
    assert page.context["form"] is None  # the auditor reads only
    assert clients["auditor"].post(url, {}).status_code == 403
    client = clients["district_officer"]
    bad = client.post(url, {"code": "4110", "type": "expense", "name_th": "ค่าประชุม"})
    assert "code" in bad.context["form"].errors
    good = client.post(url, {"code": "5110", "type": "expense", "name_th": "ค่าประชุม"})
    assert good.status_code == 302
    assert Account.objects.filter(fund=fund, code="5110", role="other").exists()


# --- committee and roles -----------------------------------------------------------------------


def test_committee_appoint_refuses_a_second_treasurer_on_the_field(clients, communities):
    fund = make_fund()
    officer_appoint(
        actor=None,
        fund=fund,
        person=make_person(area=fund.area, first_name="สมศรี"),
        position="treasurer",
        starts_on=DAY,
    )
    person = make_person(area=fund.area)
    response = clients["district_officer"].post(
        reverse("fund-committee", args=[fund.pk]),
        {"national_id": person.national_id, "position": "treasurer", "starts_on": "1/2/2568"},
    )
    assert response.status_code == 200
    assert "สมศรี" in " ".join(response.context["form"].errors["position"])
    assert FundOfficer.objects.filter(fund=fund).count() == 1


def test_treasurer_granted_the_role_acts_on_their_fund_only(clients, communities):
    fund_a = make_fund(name="กองทุน ก")
    fund_b = make_fund(name="กองทุน ข")  # same community
    fund_far = make_fund("T-1004-01", name="กองทุนไกล")
    client = clients["district_officer"]
    person = make_person(area=fund_a.area)
    response = client.post(
        reverse("fund-committee", args=[fund_a.pk]),
        {"national_id": person.national_id, "position": "treasurer", "starts_on": "1/1/2568"},
    )
    assert response.status_code == 302, _text(response)[:2000]
    officer = FundOfficer.objects.get(fund=fund_a)
    user = make_user("treasurer-page")
    grant = reverse("fund-officer-grant", args=[fund_a.pk, officer.pk])
    bad = client.post(grant, {"username": "nobody-here"})
    assert "username" in bad.context["form"].errors
    assert client.post(grant, {"username": user.username}).status_code == 302
    treasurer = verified_client(user)
    listing = _text(treasurer.get(reverse("fund-list")))
    assert fund_a.name in listing and fund_b.name not in listing
    assert treasurer.get(reverse("fund-detail", args=[fund_a.pk])).status_code == 200
    assert treasurer.get(reverse("fund-detail", args=[fund_b.pk])).status_code == 403
    assert treasurer.get(reverse("fund-detail", args=[fund_far.pk])).status_code == 404
    # the treasurer records (members) but does not manage (rules, committee)
    assert treasurer.get(reverse("fund-edit", args=[fund_a.pk])).status_code == 403
    assert treasurer.post(reverse("fund-members", args=[fund_a.pk]), {}).status_code == 200
    assert "กองทุนชุมชน" in listing  # the navigation link


def test_officer_end_page_ends_the_seat_and_the_role(clients, communities):
    fund = make_fund()
    officer = officer_appoint(
        actor=None,
        fund=fund,
        person=make_person(area=fund.area),
        position="clerk",
        starts_on=DAY,
    )
    url = reverse("fund-officer-end", args=[fund.pk, officer.pk])
    client = clients["district_officer"]
    bad = client.post(url, {"ends_on": "1/1/2567", "reason": ""})
    assert set(bad.context["form"].errors) == {"ends_on", "reason"}
    assert client.post(url, {"ends_on": "1/3/2568", "reason": "ลาออก"}).status_code == 302
    officer.refresh_from_db()
    assert officer.ends_on == date(2025, 3, 1)


# --- access ------------------------------------------------------------------------------------


def test_pages_are_404_outside_reach_and_403_without_the_permission(clients, communities):
    own, other = make_fund(), make_fund("T-1004-01")
    for name in ("fund-detail", "fund-members", "fund-committee", "fund-accounts"):
        assert clients["district_officer"].get(reverse(name, args=[other.pk])).status_code == 404
        assert clients["committee_member"].get(reverse(name, args=[own.pk])).status_code == 403
        assert clients["auditor"].get(reverse(name, args=[other.pk])).status_code == 200
    assert clients["auditor"].post(reverse("fund-committee", args=[own.pk]), {}).status_code == 403


def test_community_page_shows_the_funds_card_to_staff_only(clients, communities):
    community = community_for_area(communities["T-1001-01"])
    fund = make_fund(name="กองทุนบนหน้าชุมชน")
    url = reverse("community-detail", args=[community.pk])
    staff = _text(clients["district_officer"].get(url))
    assert fund.name in staff
    committee = clients["committee_member"].get(url)
    assert committee.status_code == 200
    assert fund.name not in _text(committee)


def test_fund_detail_shows_actions_only_when_allowed(clients, communities):
    fund = make_fund()
    edit = reverse("fund-edit", args=[fund.pk])
    assert edit in _text(clients["district_officer"].get(reverse("fund-detail", args=[fund.pk])))
    assert edit not in _text(clients["auditor"].get(reverse("fund-detail", args=[fund.pk])))


def test_create_page_preselects_the_area_from_the_community_card(clients, communities):
    community = make_community()
    page = clients["district_officer"].get(reverse("fund-create"), {"area": community.area.code})
    assert page.context["form"].initial["area"] == community.area
