"""Payments and carry-overs through the services: every refusal, nothing half-saved,
maker-checker, and (PostgreSQL) two payments at once never exceeding the approval."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from chumchon.communities.tests.factories import community_for_area
from chumchon.conftest import make_user
from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area

from .. import services_payments as services
from ..models import Application, CarryOver, Disbursement, Programme
from .factories import (
    make_application,
    make_carry_over,
    make_disbursement,
    make_programme,
    make_transferred,
)

# FY2567 = 1 Oct 2023 .. 30 Sep 2024; carry-over payments until 31 Mar 2025
DEADLINE = date(2025, 3, 31)
IN_YEAR = date(2024, 3, 1)
AFTER_YEAR = date(2024, 12, 1)


def approved_application(officer, head, committee, *, amount="150000.00", deadline=DEADLINE):
    programme = make_programme(carry_over_deadline=deadline)
    community = community_for_area(Area.objects.get(code="T-1001-01"))
    allocation = make_transferred(programme, community, user=officer)
    return make_application(
        allocation,
        prepared_by=committee,
        status=Application.Status.APPROVED,
        items=[("materials", "วัสดุปรับปรุงลานกีฬา", amount)],
        decided_by=head,
    )


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids); the Thai comes from the catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture
def app(role_users):
    return approved_application(
        role_users["district_officer"], role_users["district_head"], role_users["committee_member"]
    )


@pytest.fixture
def officer(role_users):
    return role_users["district_officer"]


@pytest.fixture
def head(role_users):
    return role_users["district_head"]


def pay(app, actor, amount="1000.00", paid_on=IN_YEAR, reference="ฎีกา 10/2567", **kw):
    return services.disbursement_record(
        actor=actor, application=app, paid_on=paid_on, amount=amount, reference=reference, **kw
    )


def errors_of(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


# --- recording ----------------------------------------------------------------------------


def test_record_payment_within_the_year_awaits_confirmation_and_is_audited(app, officer):
    made = pay(app, officer, "50000.50")
    assert made.status == Disbursement.Status.RECORDED
    assert made.against == Disbursement.Against.YEAR
    assert made.amount == Decimal("50000.50")
    assert made.recorded_by == officer
    assert AuditEvent.objects.filter(action="budgets.disbursement_record").count() == 1


@pytest.mark.parametrize("amount", ["-100", "0", "abc", "100.123", "", None, "0.00"], ids=repr)
def test_record_payment_refuses_a_bad_amount_and_saves_nothing(app, officer, amount):
    with pytest.raises(ValidationError) as exc:
        pay(app, officer, amount)
    assert "amount" in errors_of(exc)
    assert not Disbursement.objects.exists()
    assert not AuditEvent.objects.filter(action="budgets.disbursement_record").exists()


def test_record_payment_above_what_is_left_says_how_much_is_left(app, officer, head):
    make_disbursement(app, "100000.00", recorded_by=officer, confirmed_by=head)
    make_disbursement(app, "20000.00", recorded_by=officer)  # recorded: committed too
    with pytest.raises(ValidationError) as exc:
        pay(app, officer, "30000.01")
    message = errors_of(exc)["amount"][0]
    assert "30,000.00" in message and "150,000.00" in message
    assert Disbursement.objects.count() == 2
    assert pay(app, officer, "30000.00").amount == Decimal("30000.00")


def test_a_cancelled_payment_leaves_its_amount_free_again(app, officer):
    make_disbursement(app, "150000.00", recorded_by=officer)
    wrong = Disbursement.objects.get()
    services.disbursement_cancel(actor=officer, disbursement=wrong, reason="พิมพ์ยอดผิด")
    assert pay(app, officer, "150000.00").status == Disbursement.Status.RECORDED


def test_year_payments_leave_room_for_the_carry_over(app, officer, head):
    make_carry_over(app, "100000.00", recorded_by=head)
    with pytest.raises(ValidationError) as exc:
        pay(app, officer, "50000.01")
    assert "50,000.00" in errors_of(exc)["amount"][0]
    pay(app, officer, "50000.00")


@pytest.mark.parametrize("status", ["draft", "submitted", "reviewed", "returned"])
def test_record_payment_refuses_an_application_that_is_not_approved(role_users, status):
    officer = role_users["district_officer"]
    programme = make_programme(carry_over_deadline=DEADLINE)
    community = community_for_area(Area.objects.get(code="T-1001-01"))
    allocation = make_transferred(programme, community, user=officer)
    application = make_application(allocation, prepared_by=officer, status=status)
    with pytest.raises(ValidationError) as exc:
        pay(application, officer)
    assert "not approved" in errors_of(exc)["__all__"][0]
    assert not Disbursement.objects.exists()


def test_record_payment_refuses_a_closed_programme(app, officer):
    Programme.objects.filter(pk=app.programme_id).update(status=Programme.Status.CLOSED)
    with pytest.raises(ValidationError) as exc:
        pay(app, officer)
    assert "closed" in errors_of(exc)["__all__"][0]
    assert not Disbursement.objects.exists()


def test_record_payment_refuses_a_date_before_the_approval(app, officer):
    with pytest.raises(ValidationError) as exc:
        pay(app, officer, paid_on=date(2024, 1, 14))  # approved on 15 Jan 2024
    assert (
        "15 มกราคม 2567" in errors_of(exc)["paid_on"][0] or "2567" in errors_of(exc)["paid_on"][0]
    )
    assert not Disbursement.objects.exists()


def test_record_payment_refuses_a_date_after_the_year_without_a_carry_over(app, officer):
    with pytest.raises(ValidationError) as exc:
        pay(app, officer, paid_on=AFTER_YEAR)
    assert "carry-over" in errors_of(exc)["paid_on"][0]
    assert not Disbursement.objects.exists()


def test_record_payment_refuses_a_date_outside_the_year_when_the_programme_has_no_deadline(
    role_users,
):
    app = approved_application(
        role_users["district_officer"],
        role_users["district_head"],
        role_users["committee_member"],
        deadline=None,
    )
    Programme.objects.filter(pk=app.programme_id).update(carry_over_deadline=None)
    with pytest.raises(ValidationError) as exc:
        pay(app, role_users["district_officer"], paid_on=AFTER_YEAR)
    assert "outside the fiscal year" in errors_of(exc)["paid_on"][0]


def test_record_payment_refuses_a_date_after_the_carry_over_deadline(app, officer, head):
    make_carry_over(app, "50000.00", recorded_by=head)
    with pytest.raises(ValidationError) as exc:
        pay(app, officer, paid_on=date(2025, 4, 1))
    assert "deadline" in errors_of(exc)["paid_on"][0]
    assert not Disbursement.objects.exists()


def test_carry_over_payment_is_marked_and_limited_to_the_carry_over(app, officer, head):
    make_carry_over(app, "50000.00", recorded_by=head)
    first = pay(app, officer, "30000.00", paid_on=AFTER_YEAR)
    assert first.against == Disbursement.Against.CARRY_OVER
    with pytest.raises(ValidationError) as exc:
        pay(app, officer, "20000.01", paid_on=DEADLINE)
    assert "20,000.00" in errors_of(exc)["amount"][0]
    pay(app, officer, "20000.00", paid_on=DEADLINE)


def test_record_payment_names_every_problem_at_once(app, officer):
    with pytest.raises(ValidationError) as exc:
        services.disbursement_record(
            actor=officer, application=app, paid_on=None, amount="-5", reference=" "
        )
    assert set(errors_of(exc)) == {"amount", "paid_on", "reference"}


# --- confirming and cancelling -------------------------------------------------------------


def test_the_head_confirms_an_officers_payment(app, officer, head):
    made = pay(app, officer)
    confirmed = services.disbursement_confirm(actor=head, disbursement=made)
    assert confirmed.status == Disbursement.Status.CONFIRMED
    assert confirmed.confirmed_by == head and confirmed.confirmed_at is not None
    assert AuditEvent.objects.filter(action="budgets.disbursement_confirm").count() == 1


def test_whoever_recorded_a_payment_cannot_confirm_it(app, head):
    made = pay(app, head)
    with pytest.raises(ValidationError) as exc:
        services.disbursement_confirm(actor=head, disbursement=made)
    assert "someone else" in errors_of(exc)["__all__"][0]
    made.refresh_from_db()
    assert made.status == Disbursement.Status.RECORDED and made.confirmed_by is None


def test_a_confirmed_or_cancelled_payment_cannot_be_confirmed(app, officer, head):
    made = pay(app, officer)
    services.disbursement_confirm(actor=head, disbursement=made)
    with pytest.raises(ValidationError) as exc:
        services.disbursement_confirm(actor=head, disbursement=made)
    assert "Confirmed" in errors_of(exc)["__all__"][0]
    other = pay(app, officer)
    services.disbursement_cancel(actor=officer, disbursement=other, reason="ซ้ำ")
    with pytest.raises(ValidationError):
        services.disbursement_confirm(actor=head, disbursement=other)
    other.refresh_from_db()
    assert other.status == Disbursement.Status.CANCELLED


def test_confirm_refuses_a_closed_programme(app, officer, head):
    made = pay(app, officer)
    Programme.objects.filter(pk=app.programme_id).update(status=Programme.Status.CLOSED)
    with pytest.raises(ValidationError):
        services.disbursement_confirm(actor=head, disbursement=made)
    made.refresh_from_db()
    assert made.status == Disbursement.Status.RECORDED


def test_cancel_needs_a_reason_and_keeps_the_row(app, officer):
    made = pay(app, officer)
    with pytest.raises(ValidationError) as exc:
        services.disbursement_cancel(actor=officer, disbursement=made, reason="  ")
    assert "reason" in errors_of(exc)
    cancelled = services.disbursement_cancel(actor=officer, disbursement=made, reason="ผิดงวด")
    assert cancelled.status == Disbursement.Status.CANCELLED
    assert cancelled.cancel_reason == "ผิดงวด" and cancelled.cancelled_by == officer
    assert Disbursement.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.disbursement_cancel(actor=officer, disbursement=made, reason="อีกครั้ง")
    assert "already cancelled" in errors_of(exc)["__all__"][0]


# --- carry-over -------------------------------------------------------------------------------


def carry(app, actor, amount="50000.00", reserved_on=date(2024, 9, 20), **kw):
    return services.carry_over_record(
        actor=actor, application=app, amount=amount, reserved_on=reserved_on, **kw
    )


def test_carry_over_reserves_the_unpaid_amount(app, officer, head):
    pay(app, officer, "100000.00")
    made = carry(app, head, "50000.00", reference="กันเงิน 1/2567")
    assert made.amount == Decimal("50000.00") and made.recorded_by == head
    assert AuditEvent.objects.filter(action="budgets.carry_over_record").count() == 1


def test_a_second_carry_over_is_refused(app, head):
    carry(app, head, "10000.00")
    with pytest.raises(ValidationError) as exc:
        carry(app, head, "10000.00")
    assert "already has a carry-over" in errors_of(exc)["__all__"][0]
    assert CarryOver.objects.count() == 1


def test_a_carry_over_above_the_unpaid_committed_amount_is_refused(app, officer, head):
    pay(app, officer, "100000.00")
    with pytest.raises(ValidationError) as exc:
        carry(app, head, "50000.01")
    assert "50,000.00" in errors_of(exc)["amount"][0]
    assert not CarryOver.objects.exists()


@pytest.mark.parametrize("day", [date(2023, 9, 30), date(2024, 10, 1)])
def test_a_carry_over_reserved_outside_the_fiscal_year_is_refused(app, head, day):
    with pytest.raises(ValidationError) as exc:
        carry(app, head, reserved_on=day)
    assert "outside the fiscal year" in errors_of(exc)["reserved_on"][0]
    assert not CarryOver.objects.exists()


def test_a_carry_over_on_a_programme_without_a_deadline_is_refused(app, head):
    Programme.objects.filter(pk=app.programme_id).update(carry_over_deadline=None)
    with pytest.raises(ValidationError) as exc:
        carry(app, head)
    assert "no carry-over deadline" in errors_of(exc)["__all__"][0]
    assert not CarryOver.objects.exists()


@pytest.mark.parametrize("amount", ["-1", "0", "x", "1.001"])
def test_a_carry_over_with_a_bad_amount_is_refused(app, head, amount):
    with pytest.raises(ValidationError) as exc:
        carry(app, head, amount)
    assert "amount" in errors_of(exc)
    assert not CarryOver.objects.exists()


def test_carry_over_refuses_an_unapproved_application_or_a_closed_programme(role_users):
    officer = role_users["district_officer"]
    programme = make_programme(carry_over_deadline=DEADLINE)
    community = community_for_area(Area.objects.get(code="T-1001-01"))
    allocation = make_transferred(programme, community, user=officer)
    application = make_application(allocation, prepared_by=officer)
    with pytest.raises(ValidationError) as exc:
        carry(application, role_users["district_head"])
    assert "not approved" in errors_of(exc)["__all__"][0]
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CLOSED)
    with pytest.raises(ValidationError) as exc:
        carry(application, role_users["district_head"])
    assert any("closed" in m for m in errors_of(exc)["__all__"])
    assert not CarryOver.objects.exists()


# --- two payments at once (PostgreSQL row locks) ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_payments_recorded_at_once_never_exceed_the_approval(communities, monkeypatch):
    """Both threads pass a barrier inside the service, after the lock is asked for: the
    second waits for the first to commit, then sums its payment and is refused."""
    officer = make_user("officer-a", "district_officer", "1001")
    other = make_user("officer-b", "district_officer", "1001")
    head = make_user("head-a", "district_head", "1001")
    app = approved_application(officer, head, other)
    barrier = threading.Barrier(2, timeout=10)
    original = services._lock

    def lock_together(application):
        barrier.wait()
        return original(application)

    monkeypatch.setattr(services, "_lock", lock_together)
    results: list[str] = []

    def record(user) -> None:
        try:
            with transaction.atomic():
                pay(app, user, "100000.00")
            results.append("ok")
        except ValidationError as exc:
            results.append("refused: " + exc.message_dict["amount"][0])
        except BaseException as exc:  # reported by the main thread
            results.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(u,)) for u in (officer, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.undo()
    assert sorted(r.split(":")[0] for r in results) == ["ok", "refused"], results
    assert Disbursement.objects.filter(application=app).count() == 1
