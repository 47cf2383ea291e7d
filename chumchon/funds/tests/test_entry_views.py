"""The books' pages: recording each operation (the happy path, and a refusal shown on its field
with nothing saved), the journal's rows, maker-checker in the UI (the recorder sees no confirm
button; another committee member confirms), reject and reverse, the journal list (filters,
constant queries) and the confirmation queue."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chumchon.accounts.models import Role, RoleAssignment
from chumchon.conftest import make_user, verified_client

from .. import ledger, services_loans
from ..models import Entry, FundOfficer, Leg, Loan
from .factories import make_fund, make_member, post_simple

DAY = date(2025, 1, 15)
SHORT = "15/01/2568"  # DAY typed the Thai way

pytestmark = pytest.mark.django_db


# --- helpers (also used by the loan, period and browser tests) ----------------------------------


def seat(fund, username: str, position: str = "treasurer", **user_values):
    """A user holding a seat on the fund's committee and the fund role it grants."""
    role = {"treasurer": "fund_treasurer", "clerk": "fund_clerk"}.get(position, "fund_committee")
    user = make_user(username, **user_values)
    assignment = RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=role), area=fund.area
    )
    member = make_member(fund)
    FundOfficer.objects.create(
        fund=fund,
        person=member.person,
        position=position,
        starts_on=fund.books_start,
        role_assignment=assignment,
    )
    return user


def new_url(fund, op: str) -> str:
    return reverse("fund-entry-new", args=[fund.pk, op])


def entry_url(entry) -> str:
    return reverse("fund-entry", args=[entry.fund_id, entry.pk])


def field_error(html: str, name: str) -> str:
    """The error text shown under a form field (empty when there is none)."""
    found = re.findall(rf'id="id_{re.escape(name)}_error">([^<]*)<', html)
    return " ".join(found)


@pytest.fixture
def fund(communities):
    made = make_fund("T-1001-01", name="กลุ่มออมทรัพย์ชุมชนทดสอบ")
    post_simple(made, "grant", "cash", "grants", "100000", on=DAY)
    post_simple(made, "grant", "bank", "grants", "50000", on=DAY)
    return made


@pytest.fixture
def member(fund):
    made = make_member(fund, first_name="สมใจ", last_name="ใจดี")
    post_simple(fund, "deposit", "cash", "savings", "5000", on=DAY, member=made)
    return made


@pytest.fixture
def treasurer(fund):
    return seat(fund, "treasurer", "treasurer", display_name="เหรัญญิก ทดสอบ")


@pytest.fixture
def chair(fund):
    return seat(fund, "chair", "chair", display_name="ประธาน ทดสอบ")


@pytest.fixture
def client(treasurer):
    return verified_client(treasurer)


def post(client, fund, op, **data):
    data.setdefault("entry_date", SHORT)
    data.setdefault("action", "save")
    return client.post(new_url(fund, op), data)


# --- each operation ------------------------------------------------------------------------------


def test_deposit_form_lists_current_members_with_their_savings(client, fund, member):
    response = client.get(new_url(fund, "deposit"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'inputmode="decimal"' in html
    assert f"{member.member_no} · {member.person.full_name}" in html
    assert "5,000.00" in html  # available savings next to the member
    assert timezone.localdate().strftime("%d/%m/") in html  # the date defaults to today


def test_deposit_is_posted_and_the_page_says_so(client, fund, member):
    response = post(client, fund, "deposit", member=member.pk, amount="1,500", via="cash")
    entry = Entry.objects.get(fund=fund, kind="deposit", amount=Decimal("1500.00"))
    assert response.status_code == 302
    assert response["Location"] == entry_url(entry)
    assert entry.status == "posted"
    page = client.get(response["Location"]).content.decode()
    assert f"บันทึกรายการที่ {entry.number} (ฝากเงินสัจจะ 1,500.00 บาท) ลงบัญชีแล้ว" in page
    assert ledger.savings_of(member) == Decimal("6500.00")


def test_deposit_of_a_negative_amount_is_refused_on_the_amount_field(client, fund, member):
    before = Entry.objects.count()
    response = post(client, fund, "deposit", member=member.pk, amount="-5", via="cash")
    assert response.status_code == 200
    assert field_error(response.content.decode(), "amount")
    assert Entry.objects.count() == before


def test_withdrawal_is_posted(client, fund, member):
    response = post(client, fund, "withdrawal", member=member.pk, amount="2000", via="cash")
    assert response.status_code == 302
    assert ledger.savings_of(member) == Decimal("3000.00")


def test_withdrawal_above_the_savings_is_refused_on_the_amount_field(client, fund, member):
    before = Entry.objects.count()
    response = post(client, fund, "withdrawal", member=member.pk, amount="5000.01", via="cash")
    assert response.status_code == 200
    assert "5,000.00" in field_error(response.content.decode(), "amount")
    assert Entry.objects.count() == before


def test_loan_preview_shows_the_schedule_without_saving(client, fund, member):
    response = post(
        client,
        fund,
        "loan",
        member=member.pk,
        amount="12000",
        instalments="12",
        via="cash",
        action="preview",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="schedule-preview"' in html
    assert html.count("1,000.00") >= 11  # equal principal every month
    assert not Loan.objects.exists()


def test_loan_is_paid_out_with_its_schedule(client, fund, member):
    response = post(
        client,
        fund,
        "loan",
        member=member.pk,
        amount="12000",
        instalments="6",
        via="cash",
        purpose="ซื้อจักรเย็บผ้า",
    )
    loan = Loan.objects.get(fund=fund)
    entry = Entry.objects.get(loan=loan, kind="loan")
    assert response.status_code == 302
    assert response["Location"] == entry_url(entry)
    assert loan.schedule.count() == 6
    assert loan.purpose == "ซื้อจักรเย็บผ้า"


def test_loan_above_the_ceiling_is_refused_on_the_principal_field(client, fund, member):
    response = post(client, fund, "loan", member=member.pk, amount="50000.01", via="cash")
    assert response.status_code == 200
    assert field_error(response.content.decode(), "amount")
    assert not Loan.objects.exists()


@pytest.fixture
def loan(fund, member, treasurer):
    from ..services_loans import loan_disburse

    return loan_disburse(
        actor=treasurer,
        fund=fund,
        member=member,
        principal="12000",
        entry_date=DAY,
        instalments=12,
    )


def test_repayment_form_shows_what_the_loan_owes(client, fund, loan):
    response = client.get(new_url(fund, "repayment") + f"?loan={loan.pk}")
    html = response.content.decode()
    assert "12,000.00" in html
    assert f'value="{loan.pk}" selected' in html


def test_repayment_is_posted(client, fund, loan):
    response = post(client, fund, "repayment", loan=loan.pk, amount="1000", via="cash")
    assert response.status_code == 302
    assert Entry.objects.filter(loan=loan, kind="repayment").count() == 1


def test_repayment_above_what_is_owed_is_refused_on_the_amount_field(client, fund, loan):
    before = Entry.objects.count()
    response = post(client, fund, "repayment", loan=loan.pk, amount="20000", via="cash")
    assert response.status_code == 200
    assert field_error(response.content.decode(), "amount")
    assert Entry.objects.count() == before


def test_expense_is_posted_to_the_chosen_account(client, fund):
    account = ledger.account(fund, "expenses")
    response = post(
        client,
        fund,
        "expense",
        amount="350",
        description="ค่าเครื่องเขียน",
        account=account.pk,
        via="cash",
    )
    assert response.status_code == 302
    entry = Entry.objects.get(fund=fund, kind="expense")
    assert entry.legs.filter(account=account, debit=Decimal("350.00")).exists()


def test_expense_with_three_decimals_is_refused_on_the_amount_field(client, fund):
    account = ledger.account(fund, "expenses")
    response = post(
        client,
        fund,
        "expense",
        amount="10.123",
        description="ค่าน้ำ",
        account=account.pk,
        via="cash",
    )
    assert response.status_code == 200
    assert field_error(response.content.decode(), "amount")
    assert not Entry.objects.filter(kind="expense").exists()


def test_income_is_posted(client, fund):
    account = ledger.account(fund, "fee_income")
    response = post(
        client,
        fund,
        "income",
        amount="200",
        description="ค่าสมัครสมาชิก",
        account=account.pk,
        via="cash",
    )
    assert response.status_code == 302
    assert Entry.objects.filter(fund=fund, kind="income").count() == 1


def test_income_dated_in_the_future_is_refused_on_the_date_field(client, fund):
    account = ledger.account(fund, "fee_income")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post(
        client,
        fund,
        "income",
        amount="200",
        description="ค่าสมัคร",
        account=account.pk,
        via="cash",
        entry_date=tomorrow.isoformat(),
    )
    assert response.status_code == 200
    assert field_error(response.content.decode(), "entry_date")
    assert not Entry.objects.filter(kind="income").exists()


def test_grant_is_posted_to_the_bank(client, fund):
    before = ledger.balance(fund, "bank")
    response = post(client, fund, "grant", amount="1000000", source="กองทุนหมู่บ้าน", via="bank")
    entry = Entry.objects.filter(fund=fund, kind="grant").order_by("-number").first()
    assert response.status_code == 302
    # a million is above the threshold: it waits for a second person
    assert entry.status == "pending"
    assert ledger.balance(fund, "bank") == before


def test_grant_before_the_books_start_is_refused_on_the_date_field(client, fund):
    before = Entry.objects.count()
    response = post(client, fund, "grant", amount="1000", via="bank", entry_date="31/12/2567")
    assert response.status_code == 200
    assert field_error(response.content.decode(), "entry_date")
    assert Entry.objects.count() == before


def test_capital_is_posted(client, fund):
    response = post(client, fund, "capital", amount="3000", via="cash", description="ทุนเริ่มต้น")
    assert response.status_code == 302
    entry = Entry.objects.get(fund=fund, description="ทุนเริ่มต้น")  # kind: journal
    assert entry.legs.filter(account__role="capital", credit=Decimal("3000.00")).exists()


def test_capital_that_is_not_a_number_is_refused_on_the_amount_field(client, fund):
    response = post(client, fund, "capital", amount="สามพัน", via="cash")
    assert response.status_code == 200
    assert field_error(response.content.decode(), "amount")
    assert not Entry.objects.filter(legs__account__role="capital").exists()


def test_transfer_to_the_bank_is_posted(client, fund):
    response = post(client, fund, "transfer", amount="10000", to="bank")
    assert response.status_code == 302
    assert ledger.balance(fund, "bank") == Decimal("60000.00")


def test_transfer_above_the_cash_is_refused_on_the_amount_field(client, fund):
    before = Entry.objects.count()
    response = post(client, fund, "transfer", amount="150000", to="bank")
    assert response.status_code == 200
    assert field_error(response.content.decode(), "amount")
    assert Entry.objects.count() == before


# --- the journal entry ---------------------------------------------------------------------------


def journal_data(fund, rows, **extra):
    data = {
        "entry_date": SHORT,
        "description": "ปรับปรุงรายการ",
        "action": "save",
        "legs-TOTAL_FORMS": str(len(rows)),
        "legs-INITIAL_FORMS": "0",
        "legs-MIN_NUM_FORMS": "0",
        "legs-MAX_NUM_FORMS": "60",
        **extra,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"legs-{index}-{key}"] = value
    return data


def test_journal_page_has_four_empty_rows_and_the_add_row_button(client, fund):
    html = client.get(new_url(fund, "journal")).content.decode()
    assert 'name="legs-TOTAL_FORMS" value="4"' in html
    assert 'name="legs-3-debit"' in html
    assert "data-add-leg" in html
    assert "js/funds_journal.js" in html


def test_journal_add_row_without_javascript_adds_a_row(client, fund):
    cash = ledger.account(fund, "cash")
    data = journal_data(fund, [{"account": cash.pk, "debit": "75"}, {}, {}, {}], action="add_row")
    html = client.post(new_url(fund, "journal"), data).content.decode()
    assert 'name="legs-TOTAL_FORMS" value="5"' in html
    assert 'name="legs-4-debit"' in html
    assert 'value="ปรับปรุงรายการ"' in html and 'value="75"' in html  # what was typed stays
    assert "is-invalid" not in html  # no errors for what is not filled in yet
    assert not Entry.objects.filter(kind="journal").exists()


@pytest.mark.parametrize("action", ["add_row", "save"])
def test_journal_with_a_tampered_row_count_is_refused_not_a_500(client, fund, action):
    cash = ledger.account(fund, "cash")
    data = journal_data(fund, [{"account": cash.pk, "debit": "75"}], action=action)
    data["legs-TOTAL_FORMS"] = "x"
    response = client.post(new_url(fund, "journal"), data)
    assert response.status_code == 200
    assert not Entry.objects.filter(kind="journal").exists()


def test_treasurer_of_one_fund_reaches_nothing_of_a_sibling_fund(client, fund, member):
    """Every page and API read of fund B, and fund A's pages naming B's member, loan or entry,
    answer 403/404 to A's treasurer; A's forms ignore B's member and loan; nothing is saved."""
    sibling = make_fund("T-1001-01", name="กองทุนสวัสดิการ")
    post_simple(sibling, "grant", "cash", "grants", "100000", on=DAY)
    theirs = make_member(sibling)
    post_simple(sibling, "deposit", "cash", "savings", "5000", on=DAY, member=theirs)
    loan = services_loans.loan_disburse(
        actor=None, fund=sibling, member=theirs, principal="1000", entry_date=DAY
    )
    entry = post_simple(
        sibling, "deposit", "cash", "savings", "25000", on=DAY, member=theirs, confirm=True
    )
    before = (Entry.objects.count(), Leg.objects.count())
    a, b = fund.pk, sibling.pk
    pages = [
        f"/funds/{b}/{tail}"
        for tail in (
            "",
            "edit/",
            "members/",
            f"members/{theirs.pk}/",
            "entries/",
            f"entries/{entry.pk}/",
            f"entries/{entry.pk}/confirm/",
            f"entries/{entry.pk}/reject/",
            f"entries/{entry.pk}/reverse/",
            "loans/",
            f"loans/{loan.pk}/",
            "periods/",
            "statement/",
            "year/",
            "trial-balance/",
            f"members/{theirs.pk}/passbook.pdf",
            "import/",
            "entries/new/deposit/",
            "committee/",
            "accounts/",
        )
    ] + [
        f"/funds/{a}/members/{theirs.pk}/",
        f"/funds/{a}/entries/{entry.pk}/",
        f"/funds/{a}/entries/{entry.pk}/confirm/",
        f"/funds/{a}/loans/{loan.pk}/",
        f"/funds/{a}/members/{theirs.pk}/passbook.pdf",
    ]
    body = {"reason": "x", "action": "close_month", "month": "2025-01", "confirmed": "yes"}
    for url in pages:
        for method in (client.get, client.post):
            assert method(url, body).status_code in (403, 404, 405), url
    api = "/api/v1/funds"
    for url in (
        f"{api}/{b}", f"{api}/{b}/members", f"{api}/{b}/entries", f"{api}/{b}/trial-balance",
        f"{api}/{b}/loans", f"{api}/{a}/members/{theirs.pk}/passbook", f"{api}/{a}/loans/{loan.pk}",
    ):  # fmt: skip
        assert client.get(url).status_code in (403, 404), url
    for url in (f"{api}/{a}/entries/{entry.pk}/confirm", f"{api}/{b}/entries/{entry.pk}/confirm"):
        assert client.post(url, "{}", content_type="application/json").status_code in (403, 404)
    post(client, fund, "deposit", member=theirs.pk, amount="10", via="cash")
    post(client, fund, "repayment", loan=loan.pk, amount="10", via="cash")
    assert (Entry.objects.count(), Leg.objects.count()) == before
    assert Entry.objects.get(pk=entry.pk).status == "pending"


def test_journal_entry_is_posted_skipping_empty_rows(client, fund):
    expenses, cash = ledger.account(fund, "expenses"), ledger.account(fund, "cash")
    data = journal_data(
        fund,
        [{"account": expenses.pk, "debit": "120"}, {}, {"account": cash.pk, "credit": "120"}, {}],
    )
    response = client.post(new_url(fund, "journal"), data)
    assert response.status_code == 302
    entry = Entry.objects.get(fund=fund, kind="journal")
    assert entry.legs.count() == 2


def test_journal_bad_amount_lands_on_its_row(client, fund):
    expenses, cash = ledger.account(fund, "expenses"), ledger.account(fund, "cash")
    data = journal_data(
        fund,
        [{}, {"account": expenses.pk, "debit": "120"}, {"account": cash.pk, "credit": "12x"}],
    )
    response = client.post(new_url(fund, "journal"), data)
    html = response.content.decode()
    assert response.status_code == 200
    # the service's leg 2 is the form's third row (index 2)
    assert field_error(html, "legs-2-credit")
    assert not Entry.objects.filter(kind="journal").exists()


def test_unbalanced_journal_is_refused_on_top(client, fund):
    expenses, cash = ledger.account(fund, "expenses"), ledger.account(fund, "cash")
    data = journal_data(
        fund, [{"account": expenses.pk, "debit": "120"}, {"account": cash.pk, "credit": "100"}]
    )
    response = client.post(new_url(fund, "journal"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in html
    assert "120.00" in html and "100.00" in html
    assert not Entry.objects.filter(kind="journal").exists()


def test_savings_leg_without_a_member_is_refused_on_its_member_field(client, fund):
    savings, cash = ledger.account(fund, "savings"), ledger.account(fund, "cash")
    data = journal_data(
        fund, [{"account": cash.pk, "debit": "50"}, {"account": savings.pk, "credit": "50"}]
    )
    html = client.post(new_url(fund, "journal"), data).content.decode()
    assert field_error(html, "legs-1-member")
    assert not Entry.objects.filter(kind="journal").exists()


# --- who may record ------------------------------------------------------------------------------


def test_unknown_operation_is_404(client, fund):
    assert client.get(new_url(fund, "lottery")).status_code == 404


def test_fund_committee_member_without_record_gets_403(fund, chair):
    response = verified_client(chair).get(new_url(fund, "deposit"))
    assert response.status_code == 403


def test_fund_in_another_district_is_404(clients, communities):
    other = make_fund("T-1004-01")
    assert clients["district_officer"].get(new_url(other, "deposit")).status_code == 404
    assert (
        clients["district_officer"].get(reverse("fund-entries", args=[other.pk])).status_code == 404
    )


def test_treasurer_of_one_fund_cannot_record_in_another_fund_of_the_community(client, fund):
    sibling = make_fund("T-1001-01", name="กองทุนสวัสดิการ")
    assert client.get(new_url(sibling, "deposit")).status_code == 403


# --- maker-checker ---------------------------------------------------------------------------------


@pytest.fixture
def pending(client, fund, member):
    response = post(client, fund, "deposit", member=member.pk, amount="25000", via="cash")
    entry = Entry.objects.get(fund=fund, kind="deposit", amount=Decimal("25000.00"))
    assert entry.status == "pending"
    return response, entry


def test_entry_above_the_threshold_waits_and_the_message_names_who_confirms(
    client, fund, chair, pending
):
    response, entry = pending
    html = client.get(response["Location"]).content.decode()
    message = re.search(r'role="alert">([^<]*)</div>', html).group(1)
    assert "20,000.00" in message
    assert entry.fund.officers.get(position="chair").person.full_name in message


def test_the_recorder_sees_no_confirm_button(client, pending):
    _, entry = pending
    html = client.get(entry_url(entry)).content.decode()
    assert 'data-testid="confirm-button"' not in html
    assert 'data-testid="own-pending"' in html


def test_the_recorder_confirming_by_post_is_refused(client, pending):
    _, entry = pending
    response = client.post(reverse("fund-entry-confirm", args=[entry.fund_id, entry.pk]))
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_another_committee_member_confirms(chair, pending, member):
    _, entry = pending
    other = verified_client(chair)
    html = other.get(entry_url(entry)).content.decode()
    assert 'data-testid="confirm-button"' in html
    response = other.post(reverse("fund-entry-confirm", args=[entry.fund_id, entry.pk]))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "posted" and entry.decided_by == chair
    assert ledger.savings_of(member) == Decimal("30000.00")
    page = other.get(entry_url(entry)).content.decode()
    assert "ประธาน ทดสอบ" in page  # who confirmed


def test_another_committee_member_rejects_with_a_reason(chair, pending):
    _, entry = pending
    other = verified_client(chair)
    url = reverse("fund-entry-reject", args=[entry.fund_id, entry.pk])
    assert other.post(url, {"reason": ""}).status_code == 200  # the reason is required
    response = other.post(url, {"reason": "ยอดเงินไม่ตรงกับใบเสร็จ"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "rejected" and entry.reject_reason == "ยอดเงินไม่ตรงกับใบเสร็จ"


def test_reverse_a_posted_entry_with_a_reason(client, fund, member):
    original = post_simple(fund, "deposit", "cash", "savings", "300", on=DAY, member=member)
    html = client.get(entry_url(original)).content.decode()
    assert reverse("fund-entry-reverse", args=[fund.pk, original.pk]) in html
    url = reverse("fund-entry-reverse", args=[fund.pk, original.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and field_error(refused.content.decode(), "reason")
    response = client.post(url, {"reason": "บันทึกซ้ำ"})
    reversal = Entry.objects.get(reverses=original)
    assert response.status_code == 302
    assert response["Location"] == entry_url(reversal)
    page = client.get(entry_url(original)).content.decode()
    assert reverse("fund-entry", args=[fund.pk, reversal.pk]) in page
    assert reverse("fund-entry-reverse", args=[fund.pk, original.pk]) not in page


def test_a_reader_sees_no_buttons(clients, fund, pending):
    _, entry = pending
    html = clients["zone_officer"].get(entry_url(entry)).content.decode()
    assert 'data-testid="confirm-button"' not in html
    assert reverse("fund-entry-reject", args=[fund.pk, entry.pk]) not in html


# --- the journal list and the queue ---------------------------------------------------------------


def test_journal_filters_by_month_kind_and_status(client, fund, member):
    post_simple(fund, "deposit", "cash", "savings", "10", on=date(2025, 2, 3), member=member)
    url = reverse("fund-entries", args=[fund.pk])
    html = client.get(url, {"month": "2025-02"}).content.decode()
    assert html.count("<tr>") == 2  # the header and one entry
    html = client.get(url, {"kind": "grant"}).content.decode()
    assert html.count("<tr>") == 3
    html = client.get(url, {"status": "pending"}).content.decode()
    assert "ไม่มีรายการ" in html
    bad = client.get(url, {"month": "2025-13"})
    assert bad.status_code == 200 and "YYYY-MM" in bad.content.decode()


def test_journal_reads_a_constant_number_of_queries(client, fund, member):
    url = reverse("fund-entries", args=[fund.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        other = make_member(fund) if n % 4 == 0 else member
        post_simple(fund, "deposit", "cash", "savings", "10", on=DAY, member=other)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)


def test_queue_lists_pending_entries_of_others_only(client, chair, pending, fund, communities):
    _, entry = pending
    other_fund = make_fund("T-1004-01")
    post_simple(other_fund, "grant", "cash", "grants", "30000", on=DAY, confirm=True)
    html = verified_client(chair).get(reverse("fund-queue")).content.decode()
    assert entry_url(entry) in html
    assert other_fund.name not in html
    mine = client.get(reverse("fund-queue")).content.decode()  # the treasurer recorded it
    assert entry_url(entry) not in mine


def test_queue_of_the_district_head_covers_the_district(clients, pending):
    _, entry = pending
    html = clients["district_head"].get(reverse("fund-queue")).content.decode()
    assert entry_url(entry) in html


def test_queue_without_confirm_permission_is_403(clients, communities):
    assert clients["district_officer"].get(reverse("fund-queue")).status_code == 403


def test_queue_reads_a_constant_number_of_queries(clients, fund, member):
    url = reverse("fund-queue")
    client = clients["district_head"]
    post_simple(fund, "deposit", "cash", "savings", "25000", on=DAY, member=member, confirm=True)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        post_simple(fund, "grant", "cash", "grants", "25000", on=DAY, confirm=True)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
