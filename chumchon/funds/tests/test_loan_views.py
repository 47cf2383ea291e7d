"""Loan pages: the list (owed, next due, arrears; the arrears filter; constant queries) and a
loan's page (contract, schedule paid or late per instalment, history, the repayment button)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chumchon.conftest import verified_client

from ..services_loans import loan_disburse, repayment
from .factories import make_fund, make_member, post_simple
from .test_entry_views import seat

DAY = date(2025, 1, 15)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(communities):
    made = make_fund("T-1001-01")
    post_simple(made, "grant", "cash", "grants", "500000", on=DAY)
    return made


@pytest.fixture
def treasurer(fund):
    return seat(fund, "treasurer", "treasurer")


def lend(fund, actor, principal="12000", **values):
    member = values.pop("member", None) or make_member(fund)
    return loan_disburse(
        actor=actor,
        fund=fund,
        member=member,
        principal=principal,
        entry_date=DAY,
        instalments=12,
        **values,
    )


def test_loan_list_shows_owed_next_due_and_arrears(fund, treasurer):
    loan = lend(fund, treasurer)
    repayment(actor=treasurer, fund=fund, loan=loan, amount="1120", entry_date=date(2025, 2, 15))
    loan.arrears_since = date(2025, 3, 15)
    loan.save(update_fields=["arrears_since"])
    html = verified_client(treasurer).get(reverse("fund-loans", args=[fund.pk])).content.decode()
    assert reverse("fund-loan", args=[fund.pk, loan.pk]) in html
    assert "12,000.00" in html  # principal
    assert "11,000.00" in html  # owed: the first instalment's principal is repaid
    assert "(2/12)" in html  # the next instalment due
    assert "15 มี.ค. 2568" in html  # in arrears since
    assert reverse("fund-entry-new", args=[fund.pk, "loan"]) in html


def test_loan_list_filters_loans_in_arrears(fund, treasurer):
    late = lend(fund, treasurer)
    on_time = lend(fund, treasurer)
    late.arrears_since = date(2025, 2, 15)
    late.save(update_fields=["arrears_since"])
    client = verified_client(treasurer)
    html = client.get(reverse("fund-loans", args=[fund.pk]), {"arrears": "on"}).content.decode()
    assert reverse("fund-loan", args=[fund.pk, late.pk]) in html
    assert reverse("fund-loan", args=[fund.pk, on_time.pk]) not in html


def test_loan_list_reads_a_constant_number_of_queries(fund, treasurer):
    client = verified_client(treasurer)
    url = reverse("fund-loans", args=[fund.pk])
    lend(fund, treasurer)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        loan = lend(fund, treasurer, principal="6000")
        repayment(actor=treasurer, fund=fund, loan=loan, amount="500", entry_date=DAY)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)


def test_loan_page_shows_the_schedule_paid_and_late(fund, treasurer):
    loan = lend(fund, treasurer, purpose="ทุนค้าขาย", guarantors="นายค้ำ ประกัน")
    repayment(actor=treasurer, fund=fund, loan=loan, amount="1120", entry_date=date(2025, 2, 15))
    client = verified_client(treasurer)
    html = client.get(reverse("fund-loan", args=[fund.pk, loan.pk])).content.decode()
    assert "ทุนค้าขาย" in html and "นายค้ำ ประกัน" in html
    schedule = html.split('data-testid="loan-schedule"')[1].split("</table>")[0]
    assert schedule.count("<tr>") == 13
    assert schedule.count("text-bg-success") == 1  # instalment 1 is paid
    assert schedule.count("text-bg-danger") == 11  # the rest are past due today
    assert 'data-testid="loan-arrears"' in html
    history = html.split('data-testid="loan-history"')[1].split("</table>")[0]
    assert history.count("<tr>") >= 3  # paid out, interest, repayment (and the header)
    button = reverse("fund-entry-new", args=[fund.pk, "repayment"]) + f"?loan={loan.pk}"
    assert button in html


def test_loan_page_of_a_reader_has_no_repayment_button(fund, treasurer, clients):
    loan = lend(fund, treasurer)
    html = clients["zone_officer"].get(reverse("fund-loan", args=[fund.pk, loan.pk]))
    assert html.status_code == 200
    assert 'data-testid="record-repayment"' not in html.content.decode()


def test_loan_of_another_fund_is_404(fund, treasurer):
    loan = lend(fund, treasurer)
    sibling = make_fund("T-1001-01", name="กองทุนอื่น")
    response = verified_client(treasurer).get(reverse("fund-loan", args=[sibling.pk, loan.pk]))
    assert response.status_code in (403, 404)
    owner = verified_client(treasurer).get(reverse("fund-loan", args=[fund.pk, loan.pk + 999]))
    assert owner.status_code == 404


def test_repaid_loan_shows_repaid(fund, treasurer):
    loan = lend(fund, treasurer, principal="1000")
    repayment(actor=treasurer, fund=fund, loan=loan, amount="1000", entry_date=DAY)
    html = verified_client(treasurer).get(reverse("fund-loans", args=[fund.pk])).content.decode()
    assert "ชำระครบ" in html
