"""Payment pages: record, confirm, cancel, carry-over, the payments block and the register."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chumchon.communities.tests.factories import community_for_area, make_community
from chumchon.core.excel import read_xlsx_rows
from chumchon.organizations.models import Area

from ..models import Application, CarryOver, Disbursement
from ..views_payments import payments_block
from .factories import (
    make_application,
    make_carry_over,
    make_disbursement,
    make_programme,
    make_transferred,
)

DEADLINE = date(2025, 3, 31)


@pytest.fixture
def programme(db):
    return make_programme(carry_over_deadline=DEADLINE)


def approved(programme, community, users, amount="150000.00"):
    allocation = make_transferred(programme, community, user=users["central_officer"])
    return make_application(
        allocation,
        prepared_by=users["committee_member"],
        status=Application.Status.APPROVED,
        items=[("materials", "วัสดุปรับปรุงลานกีฬา", amount)],
        decided_by=users["district_head"],
    )


@pytest.fixture
def app(programme, role_users):
    return approved(programme, community_for_area(Area.objects.get(code="T-1001-01")), role_users)


@pytest.fixture
def other_app(programme, role_users):
    return approved(programme, community_for_area(Area.objects.get(code="T-1004-01")), role_users)


def pay_url(app):
    return reverse("budget-payment-record", args=[app.pk])


def test_the_officer_records_a_payment_and_the_head_confirms_it(app, clients, role_users):
    response = clients["district_officer"].post(
        pay_url(app),
        {"paid_on": "1/3/2567", "amount": "50,000.00", "reference": "ฎีกา 5/2567"},
    )
    assert response.status_code == 302
    payment = Disbursement.objects.get()
    assert payment.paid_on == date(2024, 3, 1) and payment.amount == Decimal("50000.00")
    assert payment.recorded_by == role_users["district_officer"]
    confirm = reverse("budget-payment-confirm", args=[payment.pk])
    assert clients["district_head"].get(confirm).status_code == 200
    assert clients["district_head"].post(confirm).status_code == 302
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.CONFIRMED
    assert payment.confirmed_by == role_users["district_head"]


def test_a_payment_above_what_is_left_re_renders_the_form_with_the_amount_left(app, clients):
    response = clients["district_officer"].post(
        pay_url(app), {"paid_on": "1/3/2567", "amount": "150000.01", "reference": "ฎีกา 1"}
    )
    assert response.status_code == 200
    assert "150,000.00" in response.content.decode()
    assert response.context["form"].errors["amount"]
    assert not Disbursement.objects.exists()


def test_a_bad_date_and_amount_are_both_shown(app, clients):
    response = clients["district_officer"].post(
        pay_url(app), {"paid_on": "1/12/2567", "amount": "-1", "reference": "x"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "amount" in errors and "paid_on" in errors
    assert not Disbursement.objects.exists()


def test_the_head_cannot_confirm_a_payment_they_recorded(app, clients, role_users):
    payment = make_disbursement(app, "100.00", recorded_by=role_users["district_head"])
    response = clients["district_head"].post(reverse("budget-payment-confirm", args=[payment.pk]))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.RECORDED


def test_a_committee_member_cannot_record_or_confirm_a_payment(app, clients, role_users):
    payment = make_disbursement(app, "100.00", recorded_by=role_users["district_officer"])
    member = clients["committee_member"]
    assert member.get(pay_url(app)).status_code == 403
    assert member.post(pay_url(app), {"amount": "1"}).status_code == 403
    assert member.post(reverse("budget-payment-confirm", args=[payment.pk])).status_code == 403
    assert (
        clients["district_officer"]
        .post(reverse("budget-payment-confirm", args=[payment.pk]))
        .status_code
        == 403
    )
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.RECORDED


def test_another_districts_payment_pages_answer_404(other_app, clients, role_users):
    payment = make_disbursement(other_app, "100.00", recorded_by=role_users["central_officer"])
    head = clients["district_head"]
    assert head.get(pay_url(other_app)).status_code == 404
    assert head.get(reverse("budget-carry-over-record", args=[other_app.pk])).status_code == 404
    assert head.post(reverse("budget-payment-confirm", args=[payment.pk])).status_code == 404
    assert (
        head.post(reverse("budget-payment-cancel", args=[payment.pk]), {"reason": "x"}).status_code
        == 404
    )


def test_cancel_needs_a_reason_then_keeps_the_payment_as_cancelled(app, clients, role_users):
    payment = make_disbursement(app, "100.00", recorded_by=role_users["district_officer"])
    url = reverse("budget-payment-cancel", args=[payment.pk])
    assert clients["district_officer"].post(url, {"reason": ""}).status_code == 200
    assert clients["district_officer"].post(url, {"reason": "ยอดผิด"}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.CANCELLED and payment.cancel_reason == "ยอดผิด"


def test_an_officer_cannot_cancel_a_confirmed_payment_the_head_can(app, clients, role_users):
    payment = make_disbursement(
        app,
        "100.00",
        recorded_by=role_users["district_officer"],
        confirmed_by=role_users["district_head"],
    )
    url = reverse("budget-payment-cancel", args=[payment.pk])
    assert clients["district_officer"].get(url).status_code == 403
    assert clients["district_head"].post(url, {"reason": "จ่ายซ้ำ"}).status_code == 302


def test_the_head_records_a_carry_over_the_officer_may_not(app, clients):
    url = reverse("budget-carry-over-record", args=[app.pk])
    assert clients["district_officer"].get(url).status_code == 403
    data = {"amount": "50000", "reserved_on": "20/9/2567", "reference": "กันเงิน 1"}
    assert clients["district_head"].post(url, data).status_code == 302
    assert CarryOver.objects.get().amount == Decimal("50000.00")
    again = clients["district_head"].post(url, data)
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert CarryOver.objects.count() == 1


# --- the payments block ---------------------------------------------------------------------


def block_for(user, app):
    request = RequestFactory().get("/")
    request.user = user
    return payments_block(request, app)


def test_the_block_shows_the_totals_and_who_recorded_and_confirmed(app, role_users):
    officer, head = role_users["district_officer"], role_users["district_head"]
    make_disbursement(app, "60000.00", recorded_by=officer, confirmed_by=head)
    make_disbursement(app, "10000.00", recorded_by=officer)
    make_carry_over(app, "50000.00", recorded_by=head)
    make_disbursement(
        app,
        "20000.00",
        recorded_by=officer,
        confirmed_by=head,
        paid_on=date(2024, 12, 1),
        against=Disbursement.Against.CARRY_OVER,
    )
    html = block_for(head, app)
    for total, amount in [
        ("approved", "150,000.00"),
        ("paid_year", "60,000.00"),
        ("carried", "50,000.00"),
        ("paid_carry", "20,000.00"),
        ("pending", "10,000.00"),
        ("left", "60,000.00"),
    ]:
        assert f'data-total="{total}">{amount}' in html, total
    assert "district_officer" in html and "district_head" in html
    # the head may confirm the officer's pending payment; no second carry-over
    assert reverse("budget-payment-confirm", args=[app.disbursements.get(amount=10000).pk]) in html
    assert reverse("budget-carry-over-record", args=[app.pk]) not in html


def test_the_block_offers_no_buttons_to_a_committee_member(app, role_users):
    make_disbursement(app, "100.00", recorded_by=role_users["district_officer"])
    html = block_for(role_users["committee_member"], app)
    assert "100.00" in html
    assert "/pay/" not in html and "/confirm/" not in html and "/cancel/" not in html


def test_the_block_offers_record_and_carry_over_to_the_head(app, role_users):
    html = block_for(role_users["district_head"], app)
    assert pay_url(app) in html
    assert reverse("budget-carry-over-record", args=[app.pk]) in html


def test_the_block_reads_a_constant_number_of_queries(app, role_users):
    head = role_users["district_head"]
    block_for(head, app)  # warm the reach cache
    with CaptureQueriesContext(connection) as few:
        block_for(head, app)
    for _n in range(5):
        make_disbursement(app, "100.00", recorded_by=role_users["district_officer"])
    with CaptureQueriesContext(connection) as many:
        block_for(head, app)
    assert len(many) == len(few)


# --- the register ---------------------------------------------------------------------------


def test_the_register_lists_the_payments_in_reach_with_totals(
    app, other_app, programme, clients, role_users
):
    officer, head = role_users["district_officer"], role_users["district_head"]
    make_disbursement(app, "100.00", recorded_by=officer, confirmed_by=head)
    make_disbursement(app, "200.00", recorded_by=officer)
    make_disbursement(other_app, "999.00", recorded_by=role_users["central_officer"])
    url = reverse("budget-payment-list", args=[programme.pk])
    response = clients["district_officer"].get(url)
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 2
    totals = response.context["totals"]
    assert totals["confirmed"]["total"] == Decimal("100.00")
    assert totals["recorded"]["total"] == Decimal("200.00")
    central = clients["central_officer"].get(url + "?status=recorded")
    assert [p.amount for p in central.context["object_list"]] == [
        Decimal("200.00"),
        Decimal("999.00"),
    ]
    by_district = clients["central_officer"].get(url + "?district=1004")
    assert [p.amount for p in by_district.context["object_list"]] == [Decimal("999.00")]
    assert clients["committee_member"].get(url).status_code == 403


def test_the_register_exports_the_filtered_payments_to_excel(app, programme, clients, role_users):
    make_disbursement(app, "1234.50", recorded_by=role_users["district_officer"])
    url = reverse("budget-payment-list", args=[programme.pk])
    response = clients["district_officer"].get(url + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read_xlsx_rows(response.content)
    assert rows[1][0] == "T-1001-01" and float(rows[1][4]) == 1234.5
    assert rows[1][7] == "รอยืนยัน"


def test_the_register_reads_a_constant_number_of_queries(programme, clients, role_users):
    officer = role_users["district_officer"]
    url = reverse("budget-payment-list", args=[programme.pk])

    def add(n):
        for _i in range(n):
            community = make_community(district="1001")
            application = approved(programme, community, role_users)
            make_disbursement(application, "10.00", recorded_by=officer)

    add(1)
    clients["district_officer"].get(url)
    with CaptureQueriesContext(connection) as few:
        clients["district_officer"].get(url)
    add(5)
    with CaptureQueriesContext(connection) as many:
        clients["district_officer"].get(url)
    assert len(many) == len(few)
