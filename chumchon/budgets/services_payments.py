"""Payments against approved applications and carry-overs into the next fiscal year.

Every money movement locks the application row first (``select_for_update``), then sums what
is already committed and checks, so two payments recorded at the same time can never exceed
the approved amount together. Every problem is collected and raised as ONE ValidationError
keyed by field ("amount", "paid_on", "reserved_on", "reference", "reason", "__all__" for the
state of the application or payment): nothing is half-saved.

- A payment is "committed" while recorded or confirmed (a cancelled one counts for nothing);
  only confirmed payments count as disbursed in the reports.
- Within the fiscal year: committed year payments + the carry-over <= the approved amount.
- After the fiscal year (until the programme's carry-over deadline): committed carry-over
  payments <= the carry-over amount.
- Maker-checker: whoever recorded a payment does not confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import record_event
from chumchon.core.dates import fiscal_year_bounds, format_date
from chumchon.core.money import format_baht

from . import domain
from .models import Application, CarryOver, Disbursement, Programme

ZERO = Decimal("0.00")
COMMITTED = (Disbursement.Status.RECORDED, Disbursement.Status.CONFIRMED)


@dataclass(frozen=True)
class Committed:
    """What an application has committed so far (recorded + confirmed payments)."""

    approved: Decimal
    year: Decimal  # recorded or confirmed, within the fiscal year
    carry_paid: Decimal  # recorded or confirmed, against the carry-over
    carried: Decimal  # the carry-over amount (0 without one)

    @property
    def year_left(self) -> Decimal:
        """What may still be paid within the fiscal year."""
        return self.approved - self.year - self.carried

    @property
    def carry_left(self) -> Decimal:
        """What may still be paid against the carry-over."""
        return self.carried - self.carry_paid

    @property
    def unpaid(self) -> Decimal:
        """Committed (approved) but not yet paid within the year: what a carry-over may hold."""
        return self.approved - self.year


def committed(application: Application) -> Committed:
    """Sums for one application (two queries). Call after locking the row."""
    rows = (
        Disbursement.objects.filter(application=application, status__in=COMMITTED)
        .values("against")
        .annotate(total=Sum("amount"))
    )
    sums = {row["against"]: row["total"] or ZERO for row in rows}
    carried = (
        CarryOver.objects.filter(application=application).values_list("amount", flat=True).first()
    )
    return Committed(
        approved=application.approved_amount or ZERO,
        year=sums.get(Disbursement.Against.YEAR, ZERO),
        carry_paid=sums.get(Disbursement.Against.CARRY_OVER, ZERO),
        carried=carried or ZERO,
    )


def _lock(application: Application) -> Application:
    """Lock the application row, then its programme's row (closing locks it, so no payment
    slips into a closing programme). Each row alone, by its key: see services_applications."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    locked.programme = Programme.objects.select_for_update().get(pk=locked.programme_id)
    return locked


def _add(problems: dict[str, list[str]], field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _label(application: Application) -> str:
    return application.community.area.name


def _open_application_problems(application: Application, problems: dict[str, list[str]]) -> None:
    if application.status != Application.Status.APPROVED:
        _add(
            problems,
            NON_FIELD_ERRORS,
            _("The application of %(community)s is not approved (it is %(status)s).")
            % {"community": _label(application), "status": application.get_status_display()},
        )
    if application.programme.status == Programme.Status.CLOSED:
        _add(
            problems,
            NON_FIELD_ERRORS,
            _("The programme %(programme)s is closed: no more money moves in it.")
            % {"programme": application.programme.name_th},
        )


def _amount(value: Any, problems: dict[str, list[str]]) -> Decimal | None:
    amount, problem = domain.amount_problem(value, label=_("Amount"))
    if problem:
        _add(problems, "amount", problem)
    return amount


@dataclass(frozen=True)
class Money:
    approved: Decimal
    paid_year: Decimal  # confirmed, within the fiscal year
    paid_carry: Decimal  # confirmed, against the carry-over
    pending: Decimal  # recorded, awaiting confirmation
    carried: Decimal

    @property
    def left(self) -> Decimal:
        """Approved money not yet paid nor awaiting confirmation."""
        return self.approved - self.paid_year - self.paid_carry - self.pending


def money_of(application: Application, payments: list[Disbursement], carry: CarryOver | None):
    sums = {"year": ZERO, "carry": ZERO, "pending": ZERO}
    for payment in payments:
        if payment.status == Disbursement.Status.RECORDED:
            sums["pending"] += payment.amount
        elif payment.status == Disbursement.Status.CONFIRMED:
            key = "year" if payment.against == Disbursement.Against.YEAR else "carry"
            sums[key] += payment.amount
    return Money(
        approved=application.approved_amount or ZERO,
        paid_year=sums["year"],
        paid_carry=sums["carry"],
        pending=sums["pending"],
        carried=carry.amount if carry else ZERO,
    )


@transaction.atomic
def disbursement_record(
    *,
    actor: Any,
    application: Application,
    paid_on: date | None,
    amount: Any,
    reference: str,
    note: str = "",
) -> Disbursement:
    """Record a payment (awaiting the head's confirmation)."""
    application = _lock(application)
    programme = application.programme
    problems: dict[str, list[str]] = {}
    _open_application_problems(application, problems)
    value = _amount(amount, problems)
    reference = (reference or "").strip()
    if not reference:
        _add(problems, "reference", _("Give the payment's reference (e.g. the voucher number)."))
    elif len(reference) > 100:
        _add(problems, "reference", _("The reference is at most 100 characters."))
    against = None
    if paid_on is None:
        _add(problems, "paid_on", _("Give the payment date."))
    else:
        if application.decided_on and paid_on < application.decided_on:
            _add(
                problems,
                "paid_on",
                _("The payment date %(date)s is before the approval on %(approved)s.")
                % {
                    "date": format_date(paid_on),
                    "approved": format_date(application.decided_on),
                },
            )
        try:
            against = domain.PaymentWindow.of(
                programme.fiscal_year, programme.carry_over_deadline
            ).against(paid_on)
        except ValidationError as exc:
            for message in exc.message_dict.get("paid_on", []):
                _add(problems, "paid_on", message)
    sums = committed(application)
    if against == Disbursement.Against.CARRY_OVER and not sums.carried:
        _add(
            problems,
            "paid_on",
            _(
                "The payment date %(date)s is after the fiscal year %(year)s and %(community)s "
                "has no carry-over: pay within the fiscal year or record a carry-over first."
            )
            % {
                "date": format_date(paid_on),
                "year": programme.fiscal_year,
                "community": _label(application),
            },
        )
    elif value is not None and against == Disbursement.Against.YEAR and value > sums.year_left:
        _add(
            problems,
            "amount",
            _(
                "%(amount)s is more than what is left of the approved amount: "
                "%(left)s of %(approved)s left."
            )
            % {
                "amount": format_baht(value),
                "left": format_baht(max(sums.year_left, ZERO)),
                "approved": format_baht(sums.approved),
            },
        )
    elif (
        value is not None and against == Disbursement.Against.CARRY_OVER and value > sums.carry_left
    ):
        _add(
            problems,
            "amount",
            _(
                "%(amount)s is more than what is left of the carry-over: "
                "%(left)s of %(carried)s left."
            )
            % {
                "amount": format_baht(value),
                "left": format_baht(max(sums.carry_left, ZERO)),
                "carried": format_baht(sums.carried),
            },
        )
    if problems:
        raise ValidationError(problems)
    disbursement = Disbursement(
        application=application,
        paid_on=paid_on,
        amount=value,
        reference=reference,
        against=against,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    disbursement.full_clean()
    disbursement.save()
    record_event(
        actor=actor,
        action="budgets.disbursement_record",
        obj=disbursement,
        changes={
            "application": application.pk,
            "paid_on": paid_on.isoformat(),
            "amount": str(value),
            "reference": reference,
            "against": against,
        },
        area_path=application.area_path,
        object_label=f"{_label(application)} {format_baht(value)}",
    )
    return disbursement


def _lock_disbursement(disbursement: Disbursement) -> tuple[Application, Disbursement]:
    application = _lock(disbursement.application)
    disbursement = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    disbursement.application = application
    return application, disbursement


def _closed_problem(application: Application, problems: dict[str, list[str]]) -> None:
    if application.programme.status == Programme.Status.CLOSED:
        _add(
            problems,
            NON_FIELD_ERRORS,
            _("The programme %(programme)s is closed: no more money moves in it.")
            % {"programme": application.programme.name_th},
        )


@transaction.atomic
def disbursement_confirm(*, actor: Any, disbursement: Disbursement) -> Disbursement:
    """The head confirms a recorded payment (someone other than who recorded it)."""
    application, disbursement = _lock_disbursement(disbursement)
    problems: dict[str, list[str]] = {}
    _closed_problem(application, problems)
    if disbursement.status != Disbursement.Status.RECORDED:
        _add(
            problems,
            NON_FIELD_ERRORS,
            _(
                "The payment %(reference)s is %(status)s: only a payment awaiting confirmation "
                "can be confirmed."
            )
            % {
                "reference": disbursement.reference,
                "status": disbursement.get_status_display(),
            },
        )
    elif actor is not None and disbursement.recorded_by_id == getattr(actor, "pk", None):
        _add(
            problems,
            NON_FIELD_ERRORS,
            _("You recorded the payment %(reference)s: someone else must confirm it.")
            % {"reference": disbursement.reference},
        )
    if problems:
        raise ValidationError(problems)
    disbursement.status = Disbursement.Status.CONFIRMED
    disbursement.confirmed_by = actor
    disbursement.confirmed_at = timezone.now()
    disbursement.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    record_event(
        actor=actor,
        action="budgets.disbursement_confirm",
        obj=disbursement,
        changes={"status": [Disbursement.Status.RECORDED, Disbursement.Status.CONFIRMED]},
        area_path=application.area_path,
        object_label=f"{_label(application)} {format_baht(disbursement.amount)}",
    )
    return disbursement


@transaction.atomic
def disbursement_cancel(*, actor: Any, disbursement: Disbursement, reason: str) -> Disbursement:
    """Cancel a recorded or confirmed payment, with the reason (it is never deleted)."""
    application, disbursement = _lock_disbursement(disbursement)
    problems: dict[str, list[str]] = {}
    _closed_problem(application, problems)
    reason = (reason or "").strip()
    if not reason:
        _add(problems, "reason", _("Give the reason for cancelling the payment."))
    if disbursement.status == Disbursement.Status.CANCELLED:
        _add(
            problems,
            NON_FIELD_ERRORS,
            _("The payment %(reference)s is already cancelled.")
            % {"reference": disbursement.reference},
        )
    if problems:
        raise ValidationError(problems)
    old = disbursement.status
    disbursement.status = Disbursement.Status.CANCELLED
    disbursement.cancelled_by = actor
    disbursement.cancelled_at = timezone.now()
    disbursement.cancel_reason = reason
    disbursement.save(
        update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "updated_at"]
    )
    record_event(
        actor=actor,
        action="budgets.disbursement_cancel",
        obj=disbursement,
        changes={"status": [old, Disbursement.Status.CANCELLED]},
        reason=reason,
        area_path=application.area_path,
        object_label=f"{_label(application)} {format_baht(disbursement.amount)}",
    )
    return disbursement


@transaction.atomic
def carry_over_record(
    *,
    actor: Any,
    application: Application,
    amount: Any,
    reserved_on: date | None,
    reference: str = "",
    note: str = "",
) -> CarryOver:
    """Reserve committed but unpaid money into the next fiscal year (one per application)."""
    application = _lock(application)
    programme = application.programme
    problems: dict[str, list[str]] = {}
    _open_application_problems(application, problems)
    value = _amount(amount, problems)
    if not programme.carry_over_deadline:
        _add(
            problems,
            NON_FIELD_ERRORS,
            _("The programme %(programme)s has no carry-over deadline: it allows no carry-over.")
            % {"programme": programme.name_th},
        )
    if CarryOver.objects.filter(application=application).exists():
        _add(
            problems,
            NON_FIELD_ERRORS,
            _("%(community)s already has a carry-over in this programme.")
            % {"community": _label(application)},
        )
    if reserved_on is None:
        _add(problems, "reserved_on", _("Give the date the money is reserved."))
    else:
        starts, ends = fiscal_year_bounds(programme.fiscal_year)
        if not starts <= reserved_on <= ends:
            _add(
                problems,
                "reserved_on",
                _(
                    "The carry-over date %(date)s is outside the fiscal year %(year)s "
                    "(%(starts)s to %(ends)s)."
                )
                % {
                    "date": format_date(reserved_on),
                    "year": programme.fiscal_year,
                    "starts": format_date(starts),
                    "ends": format_date(ends),
                },
            )
        elif application.decided_on and reserved_on < application.decided_on:
            _add(
                problems,
                "reserved_on",
                _("The carry-over date %(date)s is before the approval on %(approved)s.")
                % {
                    "date": format_date(reserved_on),
                    "approved": format_date(application.decided_on),
                },
            )
    reference = (reference or "").strip()
    if len(reference) > 100:
        _add(problems, "reference", _("The reference is at most 100 characters."))
    if value is not None and application.status == Application.Status.APPROVED:
        sums = committed(application)
        if value > sums.unpaid:
            _add(
                problems,
                "amount",
                _(
                    "%(amount)s is more than the committed amount not yet paid: "
                    "%(unpaid)s (approved %(approved)s, paid or awaiting confirmation "
                    "%(paid)s)."
                )
                % {
                    "amount": format_baht(value),
                    "unpaid": format_baht(max(sums.unpaid, ZERO)),
                    "approved": format_baht(sums.approved),
                    "paid": format_baht(sums.year),
                },
            )
    if problems:
        raise ValidationError(problems)
    carry_over = CarryOver(
        application=application,
        amount=value,
        reserved_on=reserved_on,
        reference=reference,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    carry_over.full_clean()
    carry_over.save()
    record_event(
        actor=actor,
        action="budgets.carry_over_record",
        obj=carry_over,
        changes={
            "application": application.pk,
            "amount": str(value),
            "reserved_on": reserved_on.isoformat(),
            "reference": reference,
        },
        area_path=application.area_path,
        object_label=f"{_label(application)} {format_baht(value)}",
    )
    return carry_over
