"""The Excel import of a fund's opening books: members (with savings and loans still owed) and
the other accounts' balances. The happy path posts one balanced opening entry and makes loans
with their remaining schedule; every row problem is listed as (sheet, row, column, message)
with nothing saved; national IDs are never repeated in a message; only empty books import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from chumchon.communities.tests.factories import make_person, valid_national_id
from chumchon.core.excel import read_xlsx_rows, write_xlsx

from .. import ledger, selectors
from ..imports import (
    BALANCE_COLUMNS,
    MEMBER_COLUMNS,
    ImportRefused,
    import_opening,
    template_xlsx,
)
from ..models import Entry, FundMember, Instalment, Loan
from .factories import make_fund, post_simple

pytestmark = pytest.mark.django_db

D = Decimal
MEMBER_HEADER = [c.header for c in MEMBER_COLUMNS]
BALANCE_HEADER = ["account_code", "account_name", "debit", "credit"]  # keys alone work too
OPENING = date(2025, 1, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def setup(communities):
    fund = make_fund(established_on=date(2020, 1, 1), books_start=OPENING)
    a = make_person(area=fund.area, first_name="สมศรี")
    b = make_person(area=fund.area, first_name="สมหมาย")
    return {"fund": fund, "a": a, "b": b}


def member_rows(setup):
    return [
        [
            1,
            setup["a"].national_id,
            "01/03/2563",
            D("5000"),
            D("12000"),
            None,
            12,
            date(2025, 1, 15),
        ],
        [None, setup["b"].national_id, date(2021, 6, 1), "1,500.50", None, None, None, None],
    ]


def balance_rows():
    return [
        ["1010", "เงินสด", D("30000"), None],
        ["1020", "เงินฝากธนาคาร", D("50000"), None],
        ["3100", "ทุน", None, D("85499.50")],
        ["4100", "รายได้ดอกเบี้ย", None, None],  # listed without a balance: skipped
    ]


def workbook(members, balances, *, member_header=None, balance_header=None, skip=()):
    sheets = []
    if "members" not in skip:
        sheets.append(("members", member_header or MEMBER_HEADER, members))
    if "balances" not in skip:
        sheets.append(("balances", balance_header or BALANCE_HEADER, balances))
    return write_xlsx(sheets)


def refused(fund, data) -> list:
    with pytest.raises(ImportRefused) as caught:
        import_opening(actor=None, fund=fund, upload=data, on=fund.books_start)
    assert FundMember.objects.filter(fund=fund).count() == 0
    assert Loan.objects.filter(fund=fund).count() == 0
    assert Instalment.objects.filter(loan__fund=fund).count() == 0
    assert Entry.objects.filter(fund=fund).count() == 0
    return caught.value.problems


def test_import_members_savings_loans_and_balances(setup):
    fund = setup["fund"]
    upload = SimpleUploadedFile("opening.xlsx", workbook(member_rows(setup), balance_rows()))
    result = import_opening(actor=None, fund=fund, upload=upload, on=OPENING)
    assert (result.members_added, result.loans, result.balance_lines) == (2, 1, 3)
    assert result.savings_total == D("6500.50") and result.loans_total == D("12000")
    a = FundMember.objects.get(fund=fund, person=setup["a"])
    b = FundMember.objects.get(fund=fund, person=setup["b"])
    assert (a.member_no, a.joined_on) == (1, date(2020, 3, 1))  # a B.E. date typed as text
    assert b.member_no == 2  # numbered after the numbers in the file
    entry = result.entry
    assert (entry.kind, entry.status, entry.entry_date) == ("opening", "posted", OPENING)
    assert entry.amount == D("92000.00")
    loan = Loan.objects.get(fund=fund)
    assert (loan.member, loan.principal, loan.interest_rate, loan.instalments) == (
        a,
        D("12000"),
        fund.interest_rate,
        12,
    )
    schedule = list(loan.schedule.all())
    assert len(schedule) == 12 and schedule[0].due_on == date(2025, 1, 15)
    assert schedule[0].interest_due == D("120.00")  # 1 % a month on 12,000
    assert ledger.savings_of(a) == D("5000.00") and ledger.savings_of(b) == D("1500.50")
    assert ledger.owed_by(loan).principal == D("12000.00")
    assert selectors.trial_balance(fund).balanced
    summary = selectors.fund_summary(fund)
    assert (summary["cash"], summary["bank"], summary["capital"]) == (
        D("30000"),
        D("50000"),
        D("85499.50"),
    )


def test_the_template_round_trips(setup):
    book = template_xlsx()
    members = read_xlsx_rows(book, "members")
    balances = read_xlsx_rows(book, "balances")
    assert members[0][0] == "เลขที่สมาชิก (member_no)"
    assert "national_id" in members[0][1] and len(members) == 1
    codes = [row[0] for row in balances[1:]]
    assert "1010" in codes and "2100" not in codes and "1100" not in codes
    filled = write_xlsx(
        [
            ("members", members[0], [[None, setup["a"].national_id, OPENING, D("100")]]),
            (
                "balances",
                balances[0],
                [["1010", "เงินสด", D("100"), None]] + [row[:2] for row in balances[2:]],
            ),
        ]
    )
    result = import_opening(actor=None, fund=setup["fund"], upload=filled, on=OPENING)
    assert result.members_added == 1 and result.entry.amount == D("100.00")


def _one(problems, column_key=None):
    assert len(problems) == 1, [p.render() for p in problems]
    problem = problems[0]
    if column_key:
        assert column_key in problem.column
    return problem


@pytest.mark.parametrize(
    ("change", "row", "column", "text"),
    [
        ("bad_checksum", 2, "national_id", "check digit"),
        ("unknown_person", 2, "national_id", "No one in the registry"),
        ("duplicate_id", 3, "national_id", "appears twice"),
        ("duplicate_no", 3, "member_no", "Member number 1 appears twice"),
        ("no_joined_on", 2, "joined_on", "Enter the date"),
        ("joined_before_fund", 2, "joined_on", "before the fund was established"),
        ("joined_after_opening", 2, "joined_on", "after the opening date"),
        ("savings_decimals", 2, "savings", "more than 2 decimals"),
        ("savings_negative", 2, "savings", "more than zero"),
        ("savings_text", 2, "savings", "not an amount"),
        ("loan_next_due_past", 2, "loan_next_due", "after the opening date"),
        ("loan_rate_high", 2, "loan_rate", "from 0 to 36"),
        (
            "loan_details_without_principal",
            3,
            "loan_principal_outstanding",
            "without the principal",
        ),
        ("deceased", 2, "national_id", "recorded as"),
    ],
)
def test_each_member_row_problem_is_named_and_nothing_is_saved(setup, change, row, column, text):
    rows = member_rows(setup)
    if change == "bad_checksum":
        number = setup["a"].national_id
        rows[0][1] = number[:-1] + str((int(number[-1]) + 1) % 10)
    elif change == "unknown_person":
        rows[0][1] = valid_national_id()
    elif change == "duplicate_id":
        rows[1][1] = rows[0][1]
    elif change == "duplicate_no":
        rows[1][0] = 1
    elif change == "no_joined_on":
        rows[0][2] = None
    elif change == "joined_before_fund":
        rows[0][2] = date(2019, 12, 31)
    elif change == "joined_after_opening":
        rows[0][2] = date(2025, 1, 2)
    elif change == "savings_decimals":
        rows[0][3] = "5000.125"
    elif change == "savings_negative":
        rows[0][3] = "-5"
    elif change == "savings_text":
        rows[0][3] = "ห้าพัน"
    elif change == "loan_next_due_past":
        rows[0][7] = OPENING
    elif change == "loan_rate_high":
        rows[0][5] = 40
    elif change == "loan_details_without_principal":
        rows[1][6] = 10
    elif change == "deceased":
        person = setup["a"]
        person.status = "deceased"
        person.save(update_fields=["status"])
    problems = refused(setup["fund"], workbook(rows, balance_rows()))
    problem = _one(problems, column)
    assert (problem.sheet, problem.row) == ("members", row)
    assert text in problem.message
    for p in problems:  # the typed ID is never repeated
        assert rows[0][1] not in p.render() and setup["a"].national_id not in p.render()


def test_a_loan_without_instalments_and_due_date_names_both(setup):
    rows = member_rows(setup)
    rows[0][6] = rows[0][7] = None
    problems = refused(setup["fund"], workbook(rows, balance_rows()))
    assert [p.column for p in problems] == [
        "จำนวนงวดที่เหลือ (loan_instalments_left)",
        "วันครบกำหนดงวดถัดไป (loan_next_due)",
    ]


@pytest.mark.parametrize(
    ("line", "column", "text"),
    [
        (["9999", "", D("1"), None], "account_code", "no account 9999"),
        (["2100", "", None, D("1")], "account_code", "members sheet"),
        (["1100", "", D("1"), None], "account_code", "members sheet"),
        (["1010", "", D("1"), None], "account_code", "appears twice"),
        (["5100", "", D("1"), D("1")], "credit", "not both"),
        (["5100", "", "1.001", None], "debit", "more than 2 decimals"),
        ([None, "", D("1"), None], "account_code", "Enter the account code"),
    ],
)
def test_each_balance_row_problem_is_named_and_nothing_is_saved(setup, line, column, text):
    problems = refused(setup["fund"], workbook(member_rows(setup), [*balance_rows(), line]))
    problem = _one(problems, column)
    assert (problem.sheet, problem.row) == ("balances", 6)
    assert text in problem.message


def test_problems_of_several_rows_and_sheets_are_listed_together(setup):
    rows = member_rows(setup)
    rows[0][1] = "123"
    rows[1][3] = "abc"
    problems = refused(setup["fund"], workbook(rows, [["8888", "", D("1"), None]]))
    assert [(p.sheet, p.row) for p in problems] == [("members", 2), ("members", 3), ("balances", 2)]


def test_unbalanced_opening_says_by_how_much(setup):
    balances = balance_rows()
    balances[2][3] = D("85000")  # capital 499.50 short
    [problem] = refused(setup["fund"], workbook(member_rows(setup), balances))
    assert "do not balance" in problem.message
    assert "499.50" in problem.message and "credits are short" in problem.message


def test_a_missing_column_or_sheet_is_named(setup):
    header = list(MEMBER_HEADER)
    header[1] = "เลขบัตร"
    problems = refused(
        setup["fund"], workbook(member_rows(setup), balance_rows(), member_header=header)
    )
    assert [(p.sheet, p.row) for p in problems] == [("members", 1)]
    assert "national_id" in problems[0].column and "missing" in problems[0].message
    [problem] = refused(setup["fund"], workbook(member_rows(setup), [], skip=("balances",)))
    assert "balances" in problem.message and problem.sheet is None


def test_not_an_excel_file_is_refused(setup):
    [problem] = refused(setup["fund"], b"member_no,national_id\n1,2\n")
    assert "not a valid Excel" in problem.message


def test_a_fund_with_entries_is_refused(setup):
    fund = setup["fund"]
    post_simple(fund, "grant", "cash", "grants", "10", on=OPENING)
    with pytest.raises(ImportRefused) as caught:
        import_opening(
            actor=None, fund=fund, upload=workbook(member_rows(setup), balance_rows()), on=OPENING
        )
    assert "already has entries" in caught.value.problems[0].message
    assert FundMember.objects.filter(fund=fund).count() == 0


def test_an_existing_member_is_kept_and_a_taken_number_refused(setup):
    from ..services_setup import member_add

    fund = setup["fund"]
    other = make_person(area=fund.area)
    member_add(actor=None, fund=fund, person=other, joined_on=date(2021, 1, 1), member_no=2)
    rows = member_rows(setup)
    rows[1][0] = 2  # taken by someone else
    with pytest.raises(ImportRefused) as caught:
        import_opening(actor=None, fund=fund, upload=workbook(rows, balance_rows()), on=OPENING)
    [problem] = caught.value.problems
    assert "already taken" in problem.message and problem.row == 3
    rows = member_rows(setup)
    rows.append([2, other.national_id, date(2021, 1, 1), D("10"), None, None, None, None])
    balances = balance_rows()
    balances[0][2] = D("30010")  # the savings came in as cash
    result = import_opening(actor=None, fund=fund, upload=workbook(rows, balances), on=OPENING)
    assert (result.members_added, result.members_existing) == (2, 1)
    assert FundMember.objects.get(fund=fund, person=setup["b"]).member_no == 3


def test_import_page_shows_the_problems_table(clients, setup):
    rows = member_rows(setup)
    rows[0][1] = valid_national_id()
    upload = SimpleUploadedFile("opening.xlsx", workbook(rows, balance_rows()))
    response = clients["district_officer"].post(
        reverse("fund-import", args=[setup["fund"].pk]), {"file": upload}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-problems"' in page
    assert rows[0][1] not in page
    assert Entry.objects.filter(fund=setup["fund"]).count() == 0


def test_import_page_imports_and_says_how_much(clients, setup):
    upload = SimpleUploadedFile("opening.xlsx", workbook(member_rows(setup), balance_rows()))
    client = clients["district_officer"]
    response = client.post(reverse("fund-import", args=[setup["fund"].pk]), {"file": upload})
    assert response.status_code == 302
    followed = client.get(response["Location"])
    messages = [str(m) for m in followed.context["messages"]]
    assert any("6,500.50" in m and "12,000.00" in m for m in messages)
    assert Entry.objects.get(fund=setup["fund"]).kind == "opening"


def test_import_page_refuses_a_non_xlsx_upload(clients, setup):
    upload = SimpleUploadedFile("opening.csv", b"a,b\n")
    response = clients["district_officer"].post(
        reverse("fund-import", args=[setup["fund"].pk]), {"file": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_balance_columns_cover_the_contract():
    assert [c.key for c in BALANCE_COLUMNS] == ["account_code", "account_name", "debit", "credit"]
    assert [c.key for c in MEMBER_COLUMNS] == [
        "member_no",
        "national_id",
        "joined_on",
        "savings",
        "loan_principal_outstanding",
        "loan_rate",
        "loan_instalments_left",
        "loan_next_due",
    ]
