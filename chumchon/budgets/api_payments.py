"""REST endpoints of the budget module: payments and carry-overs under /api/v1/.

- ``POST /applications/{id}/disbursements`` (paid_on, amount, reference, note?): record a
  payment (``records.edit``); it awaits the head's confirmation.
- ``GET /applications/{id}/disbursements``: the application's payments and money totals.
- ``POST /disbursements/{id}/confirm``: the head confirms (``records.approve``; not whoever
  recorded it).
- ``POST /disbursements/{id}/cancel`` (reason): a payment awaiting confirmation
  (``records.edit``) or a confirmed one (``records.approve``).
- ``POST /applications/{id}/carry-over`` (amount, reserved_on, reference?): reserve unpaid money
  into the next fiscal year (``records.approve``).

Amounts travel as strings with 2 decimals; dates are ISO (Christian era). Outside reach: 404;
without the permission: 403; a refusal: 422 naming the fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from chumchon.core.api import ErrorOut, decimal_str

from . import services_payments as services
from .models import Application, CarryOver, Disbursement
from .permissions import (
    application_get_for,
    can_carry_over,
    can_confirm_payment,
    can_record_payment,
    can_view_community_budget,
    disbursement_get_for,
)

router = Router(tags=["budgets"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- schemas ---------------------------------------------------------------------------------


class DisbursementIn(Schema):
    paid_on: date | None = Field(None, description="required; ISO date")
    # Any: the raw JSON value goes to the service, which names `amount` on any bad one
    # (a union type would answer `amount.str`/`amount.int`, and read `true` as 1 baht)
    amount: Any = Field(
        None, description='required: baht as a string, e.g. "50000.00" (at most 2 decimals)'
    )
    reference: str = Field("", description="required: the voucher or cheque number")
    note: str = ""


class CancelIn(Schema):
    reason: str = Field("", description="required")


class CarryOverIn(Schema):
    amount: Any = Field(None, description='required: baht as a string, "50000.00"')
    reserved_on: date | None = Field(None, description="required; within the fiscal year")
    reference: str = ""
    note: str = ""


class DisbursementOut(Schema):
    id: int
    application_id: int
    community_code: str
    paid_on: date
    amount: str
    reference: str
    against: str
    status: str
    note: str
    recorded_by: str
    confirmed_by: str | None
    confirmed_at: datetime | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str


class CarryOverOut(Schema):
    id: int
    application_id: int
    community_code: str
    amount: str
    reserved_on: date
    reference: str
    note: str
    recorded_by: str


class PaymentsOut(Schema):
    application_id: int
    approved: str
    paid_year: str
    paid_carry_over: str
    awaiting_confirmation: str
    carried_over: str
    left: str
    carry_over: CarryOverOut | None
    items: list[DisbursementOut]


# --- helpers ---------------------------------------------------------------------------------


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def _disbursement_out(d: Disbursement, code: str) -> dict:
    return {
        "id": d.pk,
        "application_id": d.application_id,
        "community_code": code,
        "paid_on": d.paid_on,
        "amount": decimal_str(d.amount),
        "reference": d.reference,
        "against": d.against,
        "status": d.status,
        "note": d.note,
        "recorded_by": _user(d.recorded_by),
        "confirmed_by": _user(d.confirmed_by),
        "confirmed_at": d.confirmed_at,
        "cancelled_by": _user(d.cancelled_by),
        "cancelled_at": d.cancelled_at,
        "cancel_reason": d.cancel_reason,
    }


def _carry_out(c: CarryOver, code: str) -> dict:
    return {
        "id": c.pk,
        "application_id": c.application_id,
        "community_code": code,
        "amount": decimal_str(c.amount),
        "reserved_on": c.reserved_on,
        "reference": c.reference,
        "note": c.note,
        "recorded_by": _user(c.recorded_by),
    }


def _code(application: Application) -> str:
    return application.community.area.code


def _reload(disbursement: Disbursement) -> Disbursement:
    return Disbursement.objects.select_related("recorded_by", "confirmed_by", "cancelled_by").get(
        pk=disbursement.pk
    )


# --- endpoints -------------------------------------------------------------------------------


@router.get("/applications/{application_id}/disbursements", response={200: PaymentsOut, **ERRORS})
def list_application_disbursements(request: HttpRequest, application_id: int):
    """The application's payments (every status), its carry-over and the totals: approved,
    paid within the fiscal year and from the carry-over (confirmed), awaiting confirmation,
    carried over, left to pay."""
    application = application_get_for(request.auth, application_id)
    if not can_view_community_budget(request.auth, application):
        raise PermissionDenied
    payments = list(
        Disbursement.objects.filter(application=application).select_related(
            "recorded_by", "confirmed_by", "cancelled_by"
        )
    )
    carry = CarryOver.objects.filter(application=application).select_related("recorded_by").first()
    money = services.money_of(application, payments, carry)
    code = _code(application)
    return {
        "application_id": application.pk,
        "approved": decimal_str(money.approved),
        "paid_year": decimal_str(money.paid_year),
        "paid_carry_over": decimal_str(money.paid_carry),
        "awaiting_confirmation": decimal_str(money.pending),
        "carried_over": decimal_str(money.carried),
        "left": decimal_str(money.left),
        "carry_over": _carry_out(carry, code) if carry else None,
        "items": [_disbursement_out(d, code) for d in payments],
    }


@router.post(
    "/applications/{application_id}/disbursements", response={201: DisbursementOut, **ERRORS}
)
def record_application_disbursement(
    request: HttpRequest, application_id: int, payload: DisbursementIn | None = None
):
    """Record a payment; within the fiscal year, or after it against the carry-over until the
    programme's deadline. Never above what is left of the approved amount."""
    payload = payload or DisbursementIn()
    application = application_get_for(request.auth, application_id)
    if not can_record_payment(request.auth, application):
        raise PermissionDenied
    made = services.disbursement_record(
        actor=request.auth,
        application=application,
        paid_on=payload.paid_on,
        amount=payload.amount,
        reference=payload.reference,
        note=payload.note,
    )
    return Status(201, _disbursement_out(_reload(made), _code(application)))


@router.post("/disbursements/{disbursement_id}/confirm", response={200: DisbursementOut, **ERRORS})
def confirm_disbursement(request: HttpRequest, disbursement_id: int):
    """Confirm a payment awaiting confirmation (someone other than who recorded it)."""
    disbursement = disbursement_get_for(request.auth, disbursement_id)
    if not can_confirm_payment(request.auth, disbursement.application):
        raise PermissionDenied
    services.disbursement_confirm(actor=request.auth, disbursement=disbursement)
    return _disbursement_out(_reload(disbursement), _code(disbursement.application))


@router.post("/disbursements/{disbursement_id}/cancel", response={200: DisbursementOut, **ERRORS})
def cancel_disbursement(
    request: HttpRequest, disbursement_id: int, payload: CancelIn | None = None
):
    """Cancel a payment with the reason (it stays in the list as cancelled)."""
    payload = payload or CancelIn()
    disbursement = disbursement_get_for(request.auth, disbursement_id)
    application = disbursement.application
    if disbursement.status == Disbursement.Status.CONFIRMED:
        allowed = can_confirm_payment(request.auth, application)
    else:
        allowed = can_record_payment(request.auth, application)
    if not allowed:
        raise PermissionDenied
    services.disbursement_cancel(
        actor=request.auth, disbursement=disbursement, reason=payload.reason
    )
    return _disbursement_out(_reload(disbursement), _code(application))


@router.post("/applications/{application_id}/carry-over", response={201: CarryOverOut, **ERRORS})
def record_application_carry_over(
    request: HttpRequest, application_id: int, payload: CarryOverIn | None = None
):
    """Reserve committed but unpaid money into the next fiscal year (one per application)."""
    payload = payload or CarryOverIn()
    application = application_get_for(request.auth, application_id)
    if not can_carry_over(request.auth, application):
        raise PermissionDenied
    made = services.carry_over_record(
        actor=request.auth,
        application=application,
        amount=payload.amount,
        reserved_on=payload.reserved_on,
        reference=payload.reference,
        note=payload.note,
    )
    made = CarryOver.objects.select_related("recorded_by").get(pk=made.pk)
    return Status(201, _carry_out(made, _code(application)))
