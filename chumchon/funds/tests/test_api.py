"""The fund API (/api/v1/funds/...): every endpoint's happy path; the issue's bad inputs (negative,
non-numeric, 3 decimals, a withdrawal above the savings, a loan above the ceiling, a repayment
above what is owed, unbalanced legs, a closed period, self-confirmation) each 422 naming the
field with nothing saved; amounts as strings with 2 decimals; scoping (another district 404, a
committee member 403); messages in the request's language; national IDs never shown."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from chumchon.communities.tests.factories import make_person
from chumchon.organizations.models import Area

from ..models import Entry, Fund, FundMember, Leg, Loan, PeriodClose
from .factories import make_fund, make_member, post_simple

API = "/api/v1/funds"
DAY = date(2025, 3, 10)


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def messages(response) -> str:
    return " ".join(e["message"] for e in response.json()["errors"])


def counts() -> tuple[int, int, int, int]:
    return (Entry.objects.count(), Leg.objects.count(), Loan.objects.count(), Fund.objects.count())


@pytest.fixture
def fund(role_users):
    made = make_fund("T-1001-01", name="กลุ่มออมทรัพย์ทดสอบ API")
    post_simple(made, "grant", "cash", "grants", "100000", on=date(2025, 1, 2))
    return made


@pytest.fixture
def saver(fund):
    member = make_member(fund, first_name="สมหญิง", last_name="ออมดี")
    post_simple(fund, "deposit", "cash", "savings", "5000", on=date(2025, 1, 5), member=member)
    return member


@pytest.fixture
def other_fund(role_users):
    return make_fund("T-1004-01", name="กองทุนเขตอื่น")


def record(client, fund, body, **headers):
    return post(client, f"{API}/{fund.pk}/entries", body, **headers)


# --- funds ------------------------------------------------------------------------------------


def test_fund_list_is_scoped_and_filtered(fund, other_fund, clients):
    mine = clients["district_officer"].get(f"{API}/")
    assert mine.status_code == 200
    assert [f["id"] for f in mine.json()["items"]] == [fund.pk]
    assert mine.json()["items"][0]["area_code"] == "T-1001-01"
    everything = clients["central_officer"].get(f"{API}/").json()
    assert {f["id"] for f in everything["items"]} == {fund.pk, other_fund.pk}
    assert everything["count"] == 2
    by_area = clients["central_officer"].get(f"{API}/?area=1004").json()
    assert [f["id"] for f in by_area["items"]] == [other_fund.pk]
    by_kind = clients["central_officer"].get(f"{API}/?kind=village_fund").json()
    assert by_kind["items"] == []
    # the community committee role does not read funds
    assert clients["committee_member"].get(f"{API}/").json()["count"] == 0
    unknown = clients["central_officer"].get(f"{API}/?area=NOPE")
    assert unknown.status_code == 422 and fields(unknown) == {"area"}


def test_create_fund_answers_201_with_the_rules_and_the_standard_chart(role_users, clients):
    response = post(
        clients["district_officer"],
        f"{API}/",
        {
            "area_code": "T-1001-01",
            "kind": "savings_group",
            "name": "กลุ่มออมทรัพย์เพื่อการผลิตทดสอบ",
            "established_on": "2025-01-01",
            "rules": {
                "savings_minimum": "100",
                "loan_ceiling": 30000,
                "interest_method": "flat",
                "interest_rate": "12.50",
                "max_instalments": 10,
                "late_fee": "0",
                "confirm_threshold": "15000.00",
            },
        },
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    detail = clients["district_head"].get(f"{API}/{pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["kind"] == "savings_group" and body["books_start"] == "2025-01-01"
    assert body["rules"] == {
        "savings_minimum": "100.00",
        "loan_ceiling": "30000.00",
        "interest_method": "flat",
        "interest_rate": "12.50",
        "max_instalments": 10,
        "late_fee": "0.00",
        "grace_days": 0,
        "confirm_threshold": "15000.00",
        "year_start_month": 1,
    }
    assert [a["code"] for a in body["accounts"]][:3] == ["1010", "1020", "1100"]
    assert len(body["accounts"]) == 11
    assert body["summary"]["cash"] == "0.00" and body["summary"]["members"] == 0


def test_create_fund_names_every_bad_field_and_saves_nothing(role_users, clients):
    before = counts()
    response = post(
        clients["district_officer"],
        f"{API}/",
        {
            "area_code": "T-1001-01",
            "kind": "no_such_kind",
            "name": "",
            "rules": {
                "loan_ceiling": "-1",
                "interest_rate": "12.345",
                "interest_method": "compound",
                "max_instalments": "many",
                "late_fee": True,
                "colour": "red",
            },
        },
    )
    assert response.status_code == 422
    assert fields(response) == {
        "kind",
        "name",
        "established_on",
        "rules.loan_ceiling",
        "rules.interest_rate",
        "rules.interest_method",
        "rules.max_instalments",
        "rules.late_fee",
        "rules.colour",
    }
    assert counts() == before


def test_create_fund_out_of_range_rule_is_named_under_rules(role_users, clients):
    response = post(
        clients["district_officer"],
        f"{API}/",
        {
            "area_code": "T-1001-01",
            "kind": "savings_group",
            "name": "กองทุนดอกเบี้ยสูง",
            "established_on": "2025-01-01",
            "rules": {"interest_rate": "40", "max_instalments": 500},
        },
    )
    assert response.status_code == 422
    assert fields(response) == {"rules.interest_rate", "rules.max_instalments"}
    assert not Fund.objects.filter(name="กองทุนดอกเบี้ยสูง").exists()


def test_create_fund_outside_the_district_or_without_manage_is_403(role_users, clients):
    body = {
        "area_code": "T-1004-01",
        "kind": "savings_group",
        "name": "กองทุนนอกเขต",
        "established_on": "2025-01-01",
    }
    response = post(clients["district_officer"], f"{API}/", body)
    assert response.status_code == 403 and fields(response) == {"area_code"}
    assert post(clients["central_officer"], f"{API}/", body).status_code == 403
    assert not Fund.objects.filter(name="กองทุนนอกเขต").exists()


def test_fund_detail_shows_the_summary_as_strings(fund, saver, clients):
    body = clients["zone_officer"].get(f"{API}/{fund.pk}").json()
    assert body["summary"]["cash"] == "105000.00"
    assert body["summary"]["savings"] == "5000.00"
    assert body["summary"]["grants"] == "100000.00"
    assert body["summary"]["members"] == 1


def test_fund_outside_reach_is_404_and_committee_member_gets_403(fund, other_fund, clients):
    assert clients["district_officer"].get(f"{API}/{other_fund.pk}").status_code == 404
    assert clients["committee_member"].get(f"{API}/{fund.pk}").status_code == 403
    assert clients["committee_member"].get(f"{API}/{fund.pk}/entries").status_code == 403
    assert clients["anonymous"].get(f"{API}/{fund.pk}").status_code == 401
    # reading is not recording: the zone officer reads but may not post
    before = counts()
    zone = record(
        clients["zone_officer"],
        fund,
        {"operation": "grant", "amount": "1.00", "entry_date": "2025-03-10"},
    )
    assert zone.status_code == 403
    other = record(
        clients["district_officer"],
        other_fund,
        {"operation": "grant", "amount": "1.00", "entry_date": "2025-03-10"},
    )
    assert other.status_code == 404
    assert counts() == before


# --- members ----------------------------------------------------------------------------------


def test_add_members_by_national_id_and_person_id_and_list_them(fund, saver, clients):
    outsider = make_person(area=Area.objects.get(code="T-1004-01"), first_name="มานพ")
    by_id = post(
        clients["district_officer"],
        f"{API}/{fund.pk}/members",
        {"national_id": outsider.national_id, "joined_on": "2025-02-01"},
    )
    assert by_id.status_code == 201, by_id.content
    assert by_id.json()["member_no"] == 2 and by_id.json()["name"].endswith("มานพ ใจดี")
    local = make_person(area=fund.area, first_name="วิภา")
    by_pk = post(
        clients["district_officer"],
        f"{API}/{fund.pk}/members",
        {"person_id": local.pk, "joined_on": "2025-02-01", "member_no": "7"},
    )
    assert by_pk.status_code == 201 and by_pk.json()["member_no"] == 7
    listing = clients["auditor"].get(f"{API}/{fund.pk}/members")
    assert listing.status_code == 200
    rows = listing.json()["items"]
    assert [(r["member_no"], r["savings"]) for r in rows] == [
        (1, "5000.00"),
        (2, "0.00"),
        (7, "0.00"),
    ]
    # names are shown to readers, national IDs never
    assert outsider.national_id not in listing.content.decode()
    assert outsider.national_id not in by_id.content.decode()


def test_add_member_refusals_are_named(fund, saver, clients):
    before = FundMember.objects.count()
    url = f"{API}/{fund.pk}/members"
    empty = post(clients["district_officer"], url, {})
    assert empty.status_code == 422 and fields(empty) == {"national_id", "joined_on"}
    unknown = post(
        clients["district_officer"],
        url,
        {"national_id": "1234567890121", "joined_on": "2025-02-01"},
    )
    assert unknown.status_code == 422 and fields(unknown) == {"national_id"}
    again = post(
        clients["district_officer"],
        url,
        {"person_id": saver.person_id, "joined_on": "2025-02-01", "member_no": 1},
    )
    assert again.status_code == 422 and fields(again) == {"person_id", "member_no"}
    assert FundMember.objects.count() == before


def test_passbook_has_a_running_balance(fund, saver, clients):
    post_simple(fund, "withdrawal", "savings", "cash", "1200.50", on=DAY, member=saver)
    response = clients["district_officer"].get(f"{API}/{fund.pk}/members/{saver.pk}/passbook")
    assert response.status_code == 200
    body = response.json()
    assert body["member"]["savings"] == "3799.50"
    assert [(line["deposit"], line["withdrawal"], line["balance"]) for line in body["lines"]] == [
        ("5000.00", "0.00", "5000.00"),
        ("0.00", "1200.50", "3799.50"),
    ]
    other = clients["district_officer"].get(f"{API}/{fund.pk}/members/999999/passbook")
    assert other.status_code == 404


# --- entries: typed operations ----------------------------------------------------------------


def test_deposit_answers_201_with_the_posted_entry_and_its_legs(fund, saver, clients):
    response = record(
        clients["district_officer"],
        fund,
        {
            "operation": "deposit",
            "member_no": 1,
            "amount": "500.5",
            "entry_date": "2025-03-10",
            "reference": "ใบเสร็จ 12",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "deposit" and body["status"] == "posted"
    assert body["amount"] == "500.50" and body["member_no"] == 1
    assert body["recorded_by"] == "district_officer" and body["reference"] == "ใบเสร็จ 12"
    assert [(leg["account_code"], leg["debit"], leg["credit"]) for leg in body["legs"]] == [
        ("1010", "500.50", "0.00"),
        ("2100", "0.00", "500.50"),
    ]
    assert body["legs"][1]["member_no"] == 1
    assert body["loan"] is None


@pytest.mark.parametrize(
    "operation, extra",
    [
        ("grant", {"source": "กองทุนหมู่บ้านและชุมชนเมืองแห่งชาติ"}),
        ("capital", {}),
        ("expense", {"description": "ค่าเครื่องเขียน"}),
        ("income", {"description": "ค่าสมัครสมาชิก"}),
        ("transfer", {"to": "bank"}),
    ],
)
def test_each_typed_operation_posts(fund, clients, operation, extra):
    response = record(
        clients["district_officer"],
        fund,
        {"operation": operation, "amount": 250, "entry_date": "2025-03-10", **extra},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "posted" and body["amount"] == "250.00"
    debits = sum(Decimal(leg["debit"]) for leg in body["legs"])
    credits = sum(Decimal(leg["credit"]) for leg in body["legs"])
    assert debits == credits == Decimal("250")


def test_expense_on_a_named_account(fund, clients):
    response = record(
        clients["district_officer"],
        fund,
        {
            "operation": "expense",
            "amount": "80.00",
            "entry_date": "2025-03-10",
            "description": "ค่าถ่ายเอกสาร",
            "account_code": "5100",
        },
    )
    assert response.status_code == 201
    assert response.json()["legs"][0]["account_code"] == "5100"
    unknown = record(
        clients["district_officer"],
        fund,
        {
            "operation": "expense",
            "amount": "80.00",
            "entry_date": "2025-03-10",
            "description": "ค่าถ่ายเอกสาร",
            "account_code": "9999",
        },
    )
    assert unknown.status_code == 422 and fields(unknown) == {"account_code"}


@pytest.mark.parametrize("amount", ["-100", "abc", "10.005", 10.005, True, 0, "", None])
def test_bad_amounts_answer_422_on_amount_and_save_nothing(fund, saver, clients, amount):
    before = counts()
    response = record(
        clients["district_officer"],
        fund,
        {"operation": "deposit", "member_no": 1, "amount": amount, "entry_date": "2025-03-10"},
    )
    assert response.status_code == 422, response.content
    assert fields(response) == {"amount"}
    assert counts() == before


def test_a_json_number_with_two_decimals_is_read_as_typed(fund, saver, clients):
    response = record(
        clients["district_officer"],
        fund,
        {"operation": "deposit", "member_no": 1, "amount": 10.1, "entry_date": "2025-03-10"},
    )
    assert response.status_code == 201 and response.json()["amount"] == "10.10"


def test_withdrawal_above_the_savings_is_refused(fund, saver, clients):
    before = counts()
    response = record(
        clients["district_officer"],
        fund,
        {
            "operation": "withdrawal",
            "member_no": 1,
            "amount": "5000.01",
            "entry_date": "2025-03-10",
        },
    )
    assert response.status_code == 422 and fields(response) == {"amount"}
    assert "5,000.00" in messages(response)
    assert counts() == before


def test_operation_problems_are_named_together(fund, saver, clients):
    before = counts()
    response = record(
        clients["district_officer"],
        fund,
        {"operation": "deposit", "member_no": 42, "amount": "-5", "via": "pocket"},
    )
    assert response.status_code == 422
    assert fields(response) == {"member_no", "amount", "via", "entry_date"}
    neither = record(clients["district_officer"], fund, {})
    assert neither.status_code == 422 and fields(neither) == {"operation"}
    both = record(
        clients["district_officer"],
        fund,
        {"operation": "deposit", "legs": [], "entry_date": "2025-03-10"},
    )
    assert both.status_code == 422 and fields(both) == {"operation"}
    bad_date = record(
        clients["district_officer"],
        fund,
        {"operation": "grant", "amount": "1", "entry_date": "10/03/2568"},
    )
    assert bad_date.status_code == 422 and fields(bad_date) == {"entry_date"}
    assert counts() == before


def test_entry_in_a_closed_period_is_refused(fund, saver, clients):
    PeriodClose.objects.create(
        fund=fund,
        kind=PeriodClose.Kind.MONTH,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        closed_at=timezone.now(),
    )
    before = counts()
    response = record(
        clients["district_officer"],
        fund,
        {"operation": "deposit", "member_no": 1, "amount": "100", "entry_date": "2025-03-10"},
    )
    assert response.status_code == 422 and fields(response) == {"entry_date"}
    assert counts() == before


def test_english_and_thai_messages_follow_the_request(fund, saver, clients):
    body = {"operation": "deposit", "member_no": 1, "amount": "-1", "entry_date": "2025-03-10"}
    english = record(clients["district_officer"], fund, body, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 422 and "more than zero" in messages(english)
    thai = record(clients["district_officer"], fund, body)
    assert thai.status_code == 422 and "more than zero" not in messages(thai)
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in messages(thai))


# --- journal entries --------------------------------------------------------------------------


def test_journal_entry_with_balanced_legs(fund, saver, clients):
    response = record(
        clients["district_officer"],
        fund,
        {
            "entry_date": "2025-03-10",
            "description": "โอนเงินสดเข้าบัญชีออมทรัพย์ของกลุ่ม",
            "legs": [
                {"account_code": "1020", "debit": "300.00", "credit": "0"},
                {"account_code": "1010", "debit": "0", "credit": "300.00"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "journal" and body["amount"] == "300.00"
    assert [leg["account_code"] for leg in body["legs"]] == ["1020", "1010"]


def test_unbalanced_legs_are_refused(fund, saver, clients):
    before = counts()
    response = record(
        clients["district_officer"],
        fund,
        {
            "entry_date": "2025-03-10",
            "description": "ผิด",
            "legs": [
                {"account_code": "1020", "debit": "300.00", "credit": "0"},
                {"account_code": "1010", "debit": "0", "credit": "299.99"},
            ],
        },
    )
    assert response.status_code == 422
    assert "legs" in fields(response)
    assert counts() == before


# --- maker-checker and reversals --------------------------------------------------------------


def test_entry_above_the_threshold_waits_and_the_recorder_cannot_confirm_it(fund, clients):
    response = record(
        clients["district_head"],
        fund,
        {"operation": "transfer", "amount": "25000", "to": "bank", "entry_date": "2025-03-10"},
    )
    assert response.status_code == 201
    entry = response.json()
    assert entry["status"] == "pending"
    url = f"{API}/{fund.pk}/entries/{entry['id']}"
    own = post(clients["district_head"], f"{url}/confirm")
    assert own.status_code == 422
    assert Entry.objects.get(pk=entry["id"]).status == "pending"
    officer = post(clients["district_officer"], f"{url}/confirm")
    assert officer.status_code == 403  # the officer records, the head confirms


def test_confirm_and_reject_by_a_second_person(fund, clients, role_users):
    first = post_simple(
        fund, "transfer", "bank", "cash", "25000", on=DAY, actor=role_users["district_officer"],
        confirm=True,
    )  # fmt: skip
    second = post_simple(
        fund, "transfer", "bank", "cash", "21000", on=DAY, actor=role_users["district_officer"],
        confirm=True,
    )  # fmt: skip
    confirmed = post(clients["district_head"], f"{API}/{fund.pk}/entries/{first.pk}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "posted"
    assert confirmed.json()["decided_by"] == "district_head"
    url = f"{API}/{fund.pk}/entries/{second.pk}/reject"
    no_reason = post(clients["district_head"], url, {})
    assert no_reason.status_code == 422 and fields(no_reason) == {"reason"}
    rejected = post(clients["district_head"], url, {"reason": "ยอดเงินไม่ตรงกับใบนำฝาก"})
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reject_reason"] == "ยอดเงินไม่ตรงกับใบนำฝาก"


def test_reverse_a_posted_entry_with_its_reason(fund, saver, clients):
    entry = post_simple(fund, "deposit", "cash", "savings", "700", on=DAY, member=saver)
    url = f"{API}/{fund.pk}/entries/{entry.pk}/reverse"
    before = counts()
    no_reason = post(clients["district_officer"], url, {})
    assert no_reason.status_code == 422 and fields(no_reason) == {"reason"}
    assert counts() == before
    response = post(
        clients["district_officer"], url, {"reason": "บันทึกซ้ำ", "entry_date": "2025-03-11"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "reversal" and body["reverses_id"] == entry.pk
    assert [(leg["account_code"], leg["debit"], leg["credit"]) for leg in body["legs"]] == [
        ("1010", "0.00", "700.00"),
        ("2100", "700.00", "0.00"),
    ]
    again = post(clients["district_officer"], url, {"reason": "อีกครั้ง"})
    assert again.status_code == 422
    listing = clients["district_officer"].get(f"{API}/{fund.pk}/entries?kind=deposit").json()
    reversed_entry = next(e for e in listing["items"] if e["id"] == entry.pk)
    assert reversed_entry["reversed_by_id"] == body["id"]
    missing = post(clients["district_officer"], f"{API}/{fund.pk}/entries/999999/reverse")
    assert missing.status_code == 404


def test_entry_list_filters_and_paginates(fund, saver, clients):
    post_simple(fund, "deposit", "cash", "savings", "100", on=DAY, member=saver)
    post_simple(fund, "deposit", "cash", "savings", "100", on=date(2025, 4, 2), member=saver)
    client = clients["district_officer"]
    everything = client.get(f"{API}/{fund.pk}/entries").json()
    assert everything["count"] == 4
    assert [e["kind"] for e in everything["items"]] == ["grant", "deposit", "deposit", "deposit"]
    march = client.get(f"{API}/{fund.pk}/entries?month=2025-03").json()
    assert [e["entry_date"] for e in march["items"]] == ["2025-03-10"]
    page = client.get(f"{API}/{fund.pk}/entries?limit=1&offset=1&kind=deposit").json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert page["items"][0]["legs"]
    for query, field in (
        ("month=2025-13", "month"),
        ("kind=bribe", "kind"),
        ("status=x", "status"),
    ):
        bad = client.get(f"{API}/{fund.pk}/entries?{query}")
        assert bad.status_code == 422 and fields(bad) == {field}, query


# --- loans ------------------------------------------------------------------------------------


@pytest.fixture
def loans_ready():
    pytest.importorskip("chumchon.funds.services_loans")


def test_loan_answers_the_number_and_schedule_and_repays(fund, saver, clients, loans_ready):
    response = record(
        clients["district_officer"],
        fund,
        {
            "operation": "loan",
            "member_no": 1,
            "amount": "12000",
            "instalments": 6,
            "entry_date": "2025-03-10",
            "purpose": "ทุนค้าขาย",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "loan" and body["amount"] == "12000.00"
    loan = body["loan"]
    assert loan["number"] == 1 and loan["instalments"] == 6
    assert len(loan["schedule"]) == 6 and loan["schedule"][0]["due_on"] == "2025-04-10"
    assert sum(Decimal(row["principal"]) for row in loan["schedule"]) == Decimal("12000")

    repaid = record(
        clients["district_officer"],
        fund,
        {"operation": "repayment", "loan_number": 1, "amount": "2000", "entry_date": "2025-03-20"},
    )
    assert repaid.status_code == 201, repaid.content
    assert repaid.json()["kind"] == "repayment" and repaid.json()["loan_number"] == 1

    listing = clients["zone_officer"].get(f"{API}/{fund.pk}/loans").json()
    assert listing["count"] == 1
    assert listing["items"][0]["principal_outstanding"] == "10000.00"
    detail = clients["zone_officer"].get(f"{API}/{fund.pk}/loans/{loan['id']}")
    assert detail.status_code == 200, detail.content
    data = detail.json()
    assert data["owed"]["principal"] == "10000.00"
    assert data["paid_principal"] == "2000.00"
    assert [e["kind"] for e in data["history"]] == ["loan", "repayment"]
    assert len(data["schedule"]) == 6
    assert clients["zone_officer"].get(f"{API}/{fund.pk}/loans/999999").status_code == 404


def test_loan_above_the_ceiling_is_refused(fund, saver, clients, loans_ready):
    before = counts()
    response = record(
        clients["district_officer"],
        fund,
        {"operation": "loan", "member_no": 1, "amount": "50000.01", "entry_date": "2025-03-10"},
    )
    assert response.status_code == 422 and fields(response) == {"amount"}
    assert counts() == before


def test_repayment_above_what_is_owed_is_refused(fund, saver, clients, loans_ready):
    made = record(
        clients["district_officer"],
        fund,
        {"operation": "loan", "member_no": 1, "amount": "1000", "entry_date": "2025-03-10"},
    )
    assert made.status_code == 201, made.content
    before = counts()
    response = record(
        clients["district_officer"],
        fund,
        {
            "operation": "repayment",
            "loan_number": 1,
            "amount": "1000.01",
            "entry_date": "2025-03-12",
        },
    )
    assert response.status_code == 422 and fields(response) == {"amount"}
    assert counts() == before
    unknown = record(
        clients["district_officer"],
        fund,
        {"operation": "repayment", "loan_number": 9, "amount": "1", "entry_date": "2025-03-12"},
    )
    assert unknown.status_code == 422 and fields(unknown) == {"loan_number"}


# --- statement and trial balance --------------------------------------------------------------


def test_statement_of_a_month(fund, saver, clients):
    post_simple(fund, "deposit", "cash", "savings", "100", on=DAY, member=saver)
    response = clients["auditor"].get(f"{API}/{fund.pk}/statement?month=2025-03")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["month"] == "2025-03" and body["start"] == "2025-03-01"
    cash = next(row for row in body["accounts"] if row["code"] == "1010")
    assert (cash["opening"], cash["debit"], cash["credit"], cash["closing"]) == (
        "105000.00",
        "100.00",
        "0.00",
        "105100.00",
    )
    assert [e["amount"] for e in body["entries"]] == ["100.00"]
    assert body["total_debit"] == body["total_credit"] == "100.00"
    # the B.E. year is read too
    assert clients["auditor"].get(f"{API}/{fund.pk}/statement?month=2568-03").json() == body
    missing = clients["auditor"].get(f"{API}/{fund.pk}/statement")
    assert missing.status_code == 422 and fields(missing) == {"month"}


def test_trial_balance_totals_are_equal(fund, saver, clients):
    post_simple(fund, "withdrawal", "savings", "cash", "300", on=DAY, member=saver)
    body = clients["district_officer"].get(f"{API}/{fund.pk}/trial-balance").json()
    assert body["balanced"] is True
    assert body["total_debit"] == body["total_credit"] == "104700.00"
    rows = {row["code"]: (row["debit"], row["credit"]) for row in body["rows"]}
    assert rows["1010"] == ("104700.00", "0.00") and rows["2100"] == ("0.00", "4700.00")
    earlier = clients["district_officer"].get(f"{API}/{fund.pk}/trial-balance?on=2025-01-03")
    assert earlier.json()["total_debit"] == "100000.00" and earlier.json()["on"] == "2025-01-03"
    bad = clients["district_officer"].get(f"{API}/{fund.pk}/trial-balance?on=yesterday")
    assert bad.status_code == 422 and fields(bad) == {"on"}
