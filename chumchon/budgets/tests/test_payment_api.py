"""The payments API: record, list, confirm, cancel, carry-over; amounts as strings; 422 naming
the fields; scoping (404 outside reach, 403 without the permission)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from chumchon.communities.tests.factories import community_for_area
from chumchon.organizations.models import Area

from ..models import Application, CarryOver, Disbursement
from .factories import make_application, make_disbursement, make_programme, make_transferred

API = "/api/v1"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def approved(programme, code, users, amount="150000.00"):
    community = community_for_area(Area.objects.get(code=code))
    allocation = make_transferred(programme, community, user=users["central_officer"])
    return make_application(
        allocation,
        prepared_by=users["committee_member"],
        status=Application.Status.APPROVED,
        items=[("materials", "วัสดุปรับปรุงลานกีฬา", amount)],
        decided_by=users["district_head"],
    )


@pytest.fixture
def programme(db):
    return make_programme(carry_over_deadline=date(2025, 3, 31))


@pytest.fixture
def app(programme, role_users):
    return approved(programme, "T-1001-01", role_users)


def test_record_confirm_and_list_a_payment(app, clients, role_users):
    response = post(
        clients["district_officer"],
        f"{API}/applications/{app.pk}/disbursements",
        {"paid_on": "2024-03-01", "amount": "50000.50", "reference": "ฎีกา 5/2567"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "50000.50" and body["status"] == "recorded"
    assert body["against"] == "year" and body["recorded_by"] == "district_officer"
    confirmed = post(clients["district_head"], f"{API}/disbursements/{body['id']}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_by"] == "district_head"
    listing = clients["committee_member"].get(f"{API}/applications/{app.pk}/disbursements")
    assert listing.status_code == 200
    data = listing.json()
    assert data["approved"] == "150000.00"
    assert data["paid_year"] == "50000.50"
    assert data["left"] == "99999.50"
    assert data["carry_over"] is None
    assert [i["amount"] for i in data["items"]] == ["50000.50"]


@pytest.mark.parametrize("amount", ["-1", "0", "abc", "1.001", "150000.01"])
def test_a_bad_or_too_large_amount_answers_422_on_amount(app, clients, amount):
    response = post(
        clients["district_officer"],
        f"{API}/applications/{app.pk}/disbursements",
        {"paid_on": "2024-03-01", "amount": amount, "reference": "x"},
    )
    assert response.status_code == 422
    assert fields(response) == {"amount"}
    assert not Disbursement.objects.exists()


def test_an_empty_body_names_every_missing_field(app, clients):
    response = post(clients["district_officer"], f"{API}/applications/{app.pk}/disbursements")
    assert response.status_code == 422
    assert fields(response) == {"amount", "paid_on", "reference"}


def test_a_payment_after_the_carry_over_deadline_answers_422_on_paid_on(app, clients):
    CarryOver.objects.create(
        application=app,
        amount=Decimal("1000"),
        reserved_on=date(2024, 9, 1),
        recorded_by=app.prepared_by,
    )
    response = post(
        clients["district_officer"],
        f"{API}/applications/{app.pk}/disbursements",
        {"paid_on": "2025-04-01", "amount": "10.00", "reference": "x"},
    )
    assert response.status_code == 422 and fields(response) == {"paid_on"}


def test_maker_checker_the_recorder_cannot_confirm(app, clients, role_users):
    payment = make_disbursement(app, "10.00", recorded_by=role_users["district_head"])
    response = post(clients["district_head"], f"{API}/disbursements/{payment.pk}/confirm")
    assert response.status_code == 422
    assert fields(response) == {"__all__"}
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.RECORDED


def test_a_committee_member_cannot_record_or_confirm(app, clients, role_users):
    payment = make_disbursement(app, "10.00", recorded_by=role_users["district_officer"])
    member = clients["committee_member"]
    body = {"paid_on": "2024-03-01", "amount": "10.00", "reference": "x"}
    assert post(member, f"{API}/applications/{app.pk}/disbursements", body).status_code == 403
    assert post(member, f"{API}/disbursements/{payment.pk}/confirm").status_code == 403
    assert (
        post(clients["district_officer"], f"{API}/disbursements/{payment.pk}/confirm").status_code
        == 403
    )
    assert Disbursement.objects.count() == 1


def test_another_district_answers_404(programme, clients, role_users):
    other = approved(programme, "T-1004-01", role_users)
    payment = make_disbursement(other, "10.00", recorded_by=role_users["central_officer"])
    head = clients["district_head"]
    assert head.get(f"{API}/applications/{other.pk}/disbursements").status_code == 404
    assert post(head, f"{API}/applications/{other.pk}/disbursements", {}).status_code == 404
    assert post(head, f"{API}/disbursements/{payment.pk}/confirm").status_code == 404
    assert (
        post(head, f"{API}/disbursements/{payment.pk}/cancel", {"reason": "x"}).status_code == 404
    )
    assert post(head, f"{API}/applications/{other.pk}/carry-over", {}).status_code == 404


def test_cancel_needs_a_reason(app, clients, role_users):
    payment = make_disbursement(app, "10.00", recorded_by=role_users["district_officer"])
    url = f"{API}/disbursements/{payment.pk}/cancel"
    missing = post(clients["district_officer"], url)
    assert missing.status_code == 422 and fields(missing) == {"reason"}
    done = post(clients["district_officer"], url, {"reason": "ยอดผิด"})
    assert done.status_code == 200
    assert done.json()["status"] == "cancelled" and done.json()["cancel_reason"] == "ยอดผิด"


def test_carry_over_then_pay_from_it(app, clients, role_users):
    url = f"{API}/applications/{app.pk}/carry-over"
    assert post(clients["district_officer"], url, {}).status_code == 403
    bad = post(clients["district_head"], url, {"amount": "150000.01", "reserved_on": "2024-10-01"})
    assert bad.status_code == 422 and fields(bad) == {"amount", "reserved_on"}
    made = post(
        clients["district_head"],
        url,
        {"amount": "50000", "reserved_on": "2024-09-20", "reference": "กันเงิน 1"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["amount"] == "50000.00"
    second = post(clients["district_head"], url, {"amount": "1", "reserved_on": "2024-09-20"})
    assert second.status_code == 422 and fields(second) == {"__all__"}
    paid = post(
        clients["district_officer"],
        f"{API}/applications/{app.pk}/disbursements",
        {"paid_on": "2024-12-01", "amount": "50000.00", "reference": "ฎีกา 9/2568"},
    )
    assert paid.status_code == 201 and paid.json()["against"] == "carry_over"
    listing = clients["district_head"].get(f"{API}/applications/{app.pk}/disbursements").json()
    assert listing["carried_over"] == "50000.00"
    assert listing["carry_over"]["reference"] == "กันเงิน 1"
    assert listing["awaiting_confirmation"] == "50000.00"
