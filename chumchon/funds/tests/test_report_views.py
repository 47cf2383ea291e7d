"""The report pages: the monthly statement, the year (balance sheet, income statement,
members' savings), the trial balance, each as a page and Excel (and PDF for the statement and
the year), the passbook PDF, loans in arrears per district (scoped, Excel, constant queries),
and who may read them (another district is 404, the community committee member 403)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chumchon.core.excel import read_xlsx_rows
from chumchon.organizations.models import Area

from . import test_selectors
from .factories import make_fund, make_member

pytestmark = pytest.mark.django_db
books = test_selectors.books  # the shared books (January and February 2025)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name, fund, query="", **kwargs):
    return reverse(name, kwargs={"pk": fund.pk, **kwargs}) + query


def test_statement_page_shows_accounts_entries_short_savers_and_pending_warning(clients, books):
    response = clients["district_officer"].get(
        url("fund-statement", books["fund"], "?month=2025-01")
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.start == date(2025, 1, 1) and len(report.entries) == 6
    page = response.content.decode()
    assert 'id="pending-warning"' in page
    assert "38,750.00" in page  # cash at the end of January
    assert books["c"].person.full_name in page  # saved nothing in January
    assert response.context["tab"] == "statements"


def test_statement_accepts_a_buddhist_era_month(clients, books):
    response = clients["district_officer"].get(
        url("fund-statement", books["fund"], "?month=2568-02")
    )
    assert response.context["report"].start == date(2025, 2, 1)
    assert 'id="pending-warning"' not in response.content.decode()


def test_statement_with_a_bad_month_says_so_and_shows_the_current_month(clients, books):
    response = clients["district_officer"].get(
        url("fund-statement", books["fund"], "?month=2025-13")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["month"]
    assert 'id="id_month_error"' in response.content.decode()
    assert response.context["report"].start == timezone.localdate().replace(day=1)


def test_statement_excel_has_accounts_entries_and_short_savers_in_thai(clients, books):
    response = clients["district_officer"].get(
        url("fund-statement", books["fund"], "?month=2025-01&format=xlsx")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    accounts = read_xlsx_rows(response.content, 0)
    cash = next(row for row in accounts if row[0] == "1010")
    assert cash[1] == "เงินสด"
    assert cash[3:7] == [0.0, 101050.0, 62300.0, 38750.0]
    entries = read_xlsx_rows(response.content, 1)
    assert len(entries) == 1 + 12  # header + two legs for each of the six entries
    short = read_xlsx_rows(response.content, 2)
    assert [row[0] for row in short[1:]] == [books["b"].member_no, books["c"].member_no]


def test_statement_pdf_is_a_pdf(clients, books):
    response = clients["district_officer"].get(
        url("fund-statement", books["fund"], "?month=2025-01&format=pdf")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_year_page_balances_and_gives_the_surplus(clients, books):
    response = clients["auditor"].get(url("fund-year", books["fund"], "?year=2568"))
    assert response.status_code == 200
    assert (response.context["start"], response.context["end"]) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    sheet = response.context["sheet"]
    assert sheet.balanced and sheet.total_assets == test_selectors.D("100770.00")
    assert response.context["income"].surplus == test_selectors.D("-180.00")
    assert response.context["savings_total"] == test_selectors.D("950.00")
    page = response.content.decode()
    assert 'id="total-assets">100,770.00' in page
    assert 'id="total-claims">100,770.00' in page


def test_year_excel_and_pdf(clients, books):
    client = clients["district_head"]
    response = client.get(url("fund-year", books["fund"], "?year=2568&format=xlsx"))
    assert response["Content-Type"] == XLSX
    sheet = read_xlsx_rows(response.content, 0)
    assert any(row[1] == "เงินสด" and row[2] == 39770.0 for row in sheet)
    savings = read_xlsx_rows(response.content, 2)
    assert savings[1][5] == 800.0  # member A: 1,000 in, 200 out
    pdf = client.get(url("fund-year", books["fund"], "?year=2568&format=pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_trial_balance_page_and_excel(clients, books):
    client = clients["zone_officer"]
    response = client.get(url("fund-trial-balance", books["fund"], "?on=31/01/2568"))
    assert response.status_code == 200
    trial = response.context["trial"]
    assert trial.on == date(2025, 1, 31) and trial.balanced
    assert 'id="trial-ok"' in response.content.decode()
    xlsx = client.get(url("fund-trial-balance", books["fund"], "?format=xlsx"))
    rows = read_xlsx_rows(xlsx.content, 0)
    assert rows[-1][2] == rows[-1][3] == 101070.0


def test_passbook_pdf_of_a_member(clients, books):
    fund, a = books["fund"], books["a"]
    response = clients["district_officer"].get(url("fund-passbook-pdf", fund, member_pk=a.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_passbook_of_a_member_of_another_fund_is_404(clients, books):
    other = make_fund()
    stranger = make_member(other)
    response = clients["district_officer"].get(
        url("fund-passbook-pdf", books["fund"], member_pk=stranger.pk)
    )
    assert response.status_code == 404


def test_reports_of_a_fund_in_another_district_are_404_and_committee_gets_403(clients, books):
    other = make_fund("T-1004-01")
    for name in ("fund-statement", "fund-year", "fund-trial-balance"):
        assert clients["district_officer"].get(url(name, other)).status_code == 404
        assert clients["committee_member"].get(url(name, books["fund"])).status_code == 403


def _arrears_fund(code):
    fund = make_fund(Area.objects.get(code=code))
    member = make_member(fund)
    test_selectors.post_simple(fund, "grant", "cash", "grants", "50000", on=date(2025, 1, 2))
    test_selectors.make_loan(
        fund, member, "6000", on=date(2025, 1, 3), first_due=date(2025, 2, 3), instalments=6
    )
    return fund


def test_arrears_report_groups_by_district_within_reach(clients, communities):
    own, other = _arrears_fund("T-1001-01"), _arrears_fund("T-1004-01")
    arrears = reverse("fund-arrears")
    central = clients["central_officer"].get(arrears + "?on=01/06/2568")
    assert central.status_code == 200
    assert [g.district.code for g in central.context["groups"]] == ["1001", "1004"]
    assert central.context["count"] == 2
    district = clients["district_officer"].get(arrears + "?on=01/06/2568")
    [group] = district.context["groups"]
    assert group.district.code == "1001" and group.rows[0].fund == own
    assert other.name not in district.content.decode()
    assert clients["committee_member"].get(arrears).status_code == 403


def test_arrears_excel(clients, communities):
    _arrears_fund("T-1001-01")
    response = clients["district_officer"].get(
        reverse("fund-arrears") + "?on=01/06/2568&format=xlsx"
    )
    assert response["Content-Type"] == XLSX
    rows = read_xlsx_rows(response.content, 0)
    assert len(rows) == 2 and rows[1][0] == "1001"
    # four instalments due and unpaid: 4 x 1,000 principal, and interest on the declining
    # balance as the loan page reckons it: nothing was repaid, so each month's interest is on
    # the whole 6,000 (4 x 60), not the on-time schedule's 60 + 50 + 40 + 30
    assert rows[1][9] == 4000.0 + 4 * 60


def test_arrears_page_takes_constant_queries_as_funds_grow(clients, communities):
    client = clients["central_officer"]
    arrears = reverse("fund-arrears") + "?on=01/06/2568"
    _arrears_fund("T-1001-01")
    client.get(arrears)  # warm the session and reach caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(arrears).context["count"] == 1
    for code in ("T-1001-01", "T-1004-01", "1001", "1004"):
        _arrears_fund(code)
    with CaptureQueriesContext(connection) as large:
        assert client.get(arrears).context["count"] == 5
    assert len(large.captured_queries) == len(small.captured_queries)


def test_import_page_needs_the_record_permission(clients, books):
    fund = books["fund"]
    assert clients["district_officer"].get(url("fund-import", fund)).status_code == 200
    assert clients["auditor"].get(url("fund-import", fund)).status_code == 403
    assert clients["auditor"].get(reverse("fund-import-template")).status_code == 403
    response = clients["district_officer"].get(reverse("fund-import-template"))
    assert response["Content-Type"] == XLSX
