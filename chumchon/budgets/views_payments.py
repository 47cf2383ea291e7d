"""Payment and carry-over pages and the payments block of the allocation page (helper
"payments").

- Record a payment (district officer or head, ``records.edit``), confirm it (the head,
  ``records.approve``, not whoever recorded it), cancel it with a reason (a payment awaiting
  confirmation: ``records.edit``; a confirmed one: ``records.approve``), record a carry-over
  (``records.approve``).
- The payments block: the application's payments with their status and who recorded and
  confirmed them, the totals and the buttons the user may use.
- The payment register of a programme: the payments in the user's reach, filtered by status
  and district, with totals and an Excel export.
Every page reads a constant number of queries.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from chumchon.accounts.scoping import has_perm_anywhere, scope_queryset
from chumchon.communities.views.common import RegistryFormView, deny_unless, url_or_none
from chumchon.core.excel import write_xlsx
from chumchon.core.money import format_baht
from chumchon.organizations.models import Area

from . import services_payments as services
from .forms_payments import CancelForm, CarryOverForm, ConfirmForm, PaymentFilterForm, PaymentForm
from .models import Application, CarryOver, Disbursement, Programme
from .permissions import (
    application_get_for,
    can_carry_over,
    can_confirm_payment,
    can_record_payment,
    disbursement_get_for,
    programme_get_for,
)

ZERO = Decimal("0.00")
PATH = "application__community__area__path"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def application_url(application: Application) -> str:
    """The allocation page (applications helper), else the programme's payment register."""
    return (
        url_or_none("budget-allocation-detail", application.allocation_id)
        or url_or_none("budget-application-detail", application.pk)
        or reverse("budget-payment-list", args=[application.programme_id])
    )


# --- the payments block ------------------------------------------------------------------------


def payments_block(request: Any, application: Any) -> str:
    """HTML of the application's payments, carry-over and their actions (for the allocation
    page). Constant number of queries (two, plus the programme if not loaded)."""
    if application is None:
        return ""
    user = request.user
    payments = list(
        Disbursement.objects.filter(application=application).select_related(
            "recorded_by", "confirmed_by", "cancelled_by"
        )
    )
    carry = CarryOver.objects.filter(application=application).select_related("recorded_by").first()
    programme = application.programme
    approved = application.status == Application.Status.APPROVED
    open_ = programme.status != Programme.Status.CLOSED
    may_record = can_record_payment(user, application)
    may_approve = can_confirm_payment(user, application)
    rows = []
    for payment in payments:
        recorded = payment.status == Disbursement.Status.RECORDED
        rows.append(
            {
                "payment": payment,
                "can_confirm": open_
                and recorded
                and may_approve
                and payment.recorded_by_id != user.pk,
                "can_cancel": open_
                and (
                    (recorded and may_record)
                    or (payment.status == Disbursement.Status.CONFIRMED and may_approve)
                ),
            }
        )
    return render_to_string(
        "budgets/_payments_block.html",
        {
            "application": application,
            "rows": rows,
            "carry": carry,
            "money": services.money_of(application, payments, carry),
            "can_pay": approved and open_ and may_record,
            "can_carry": approved
            and open_
            and carry is None
            and programme.carry_over_deadline is not None
            and can_carry_over(user, application),
            "deadline": programme.carry_over_deadline,
        },
        request=request,
    )


# --- forms -------------------------------------------------------------------------------------


class PaymentFormView(RegistryFormView):
    template_name = "budgets/payment_form.html"
    title = ""
    submit_label = ""

    def application_of(self, obj) -> Application:
        return obj

    def back(self) -> str:
        return application_url(self.application_of(self.object))

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(self.back())

    def context(self):
        application = self.application_of(self.object)
        community = application.community
        return {
            "title": self.title,
            "application": application,
            "community": community,
            "programme": application.programme,
            "submit_label": self.submit_label or _("Save"),
            "cancel_url": self.back(),
            "breadcrumbs": [
                {"label": _("Home"), "url": reverse("home")},
                {
                    "label": application.programme.name,
                    "url": reverse("budget-payment-list", args=[application.programme_id]),
                },
                {"label": community.area.name, "url": self.back()},
                {"label": self.title},
            ],
            **self.extra_context(),
        }

    def extra_context(self) -> dict:
        return {}


class ApplicationPaymentView(PaymentFormView):
    def load(self):
        return application_get_for(self.request.user, self.kwargs["pk"])

    def extra_context(self):
        sums = services.committed(self.object)
        return {"sums": sums}


class PaymentRecordView(ApplicationPaymentView):
    form_class = PaymentForm

    @property
    def title(self):
        return _("Record a payment")

    def allowed(self, obj):
        return can_record_payment(self.request.user, obj)

    def make_form(self, data=None):
        return PaymentForm(data)

    def save(self, form):
        data = form.cleaned_data
        payment = services.disbursement_record(
            actor=self.request.user,
            application=self.object,
            paid_on=data["paid_on"],
            amount=data["amount"],
            reference=data["reference"],
            note=data["note"],
        )
        return self.done(
            _("The payment of %(amount)s was recorded; it awaits the head's confirmation.")
            % {"amount": format_baht(payment.amount)}
        )


class CarryOverRecordView(ApplicationPaymentView):
    @property
    def title(self):
        return _("Record a carry-over into the next fiscal year")

    def allowed(self, obj):
        return can_carry_over(self.request.user, obj)

    def make_form(self, data=None):
        return CarryOverForm(data)

    def save(self, form):
        data = form.cleaned_data
        carry = services.carry_over_record(
            actor=self.request.user,
            application=self.object,
            amount=data["amount"],
            reserved_on=data["reserved_on"],
            reference=data["reference"],
            note=data["note"],
        )
        return self.done(
            _("%(amount)s was carried over into the next fiscal year.")
            % {"amount": format_baht(carry.amount)}
        )


class DisbursementFormView(PaymentFormView):
    template_name = "budgets/payment_confirm.html"

    def load(self):
        return disbursement_get_for(self.request.user, self.kwargs["pk"])

    def application_of(self, obj):
        return obj.application

    def extra_context(self):
        return {"payment": self.object}


class PaymentConfirmView(DisbursementFormView):
    @property
    def title(self):
        return _("Confirm a payment")

    @property
    def submit_label(self):
        return _("Confirm the payment")

    def allowed(self, obj):
        return can_confirm_payment(self.request.user, obj.application)

    def make_form(self, data=None):
        return ConfirmForm(data)

    def save(self, form):
        services.disbursement_confirm(actor=self.request.user, disbursement=self.object)
        return self.done(
            _("The payment %(reference)s of %(amount)s is confirmed.")
            % {"reference": self.object.reference, "amount": format_baht(self.object.amount)}
        )


class PaymentCancelView(DisbursementFormView):
    @property
    def title(self):
        return _("Cancel a payment")

    @property
    def submit_label(self):
        return _("Cancel the payment")

    def allowed(self, obj):
        user = self.request.user
        if obj.status == Disbursement.Status.CONFIRMED:
            return can_confirm_payment(user, obj.application)
        return can_record_payment(user, obj.application)

    def make_form(self, data=None):
        return CancelForm(data)

    def save(self, form):
        services.disbursement_cancel(
            actor=self.request.user,
            disbursement=self.object,
            reason=form.cleaned_data["reason"],
        )
        return self.done(
            _("The payment %(reference)s of %(amount)s is cancelled.")
            % {"reference": self.object.reference, "amount": format_baht(self.object.amount)}
        )


# --- the payment register ----------------------------------------------------------------------


def payment_register(user: Any, programme: Programme):
    """The programme's payments in the user's reach (staff: ``records.view``)."""
    return scope_queryset(
        Disbursement.objects.filter(application__programme=programme).select_related(
            "application__community__area__parent__kind",
            "recorded_by",
            "confirmed_by",
            "cancelled_by",
        ),
        user,
        perm="records.view",
        path_field=PATH,
    ).order_by("application__community__area__path", "paid_on", "pk")


class PaymentListView(LoginRequiredMixin, TemplateView):
    template_name = "budgets/payment_list.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        user = request.user
        self.programme = programme_get_for(user, kwargs["programme_pk"])
        deny_unless(has_perm_anywhere(user, "records.view"))
        districts = list(
            scope_queryset(
                Area.objects.filter(kind__code="district").select_related("kind").order_by("code"),
                user,
                perm="records.view",
                path_field="path",
            )
        )
        self.form = PaymentFilterForm(request.GET or None, districts=districts)
        payments = payment_register(user, self.programme)
        if self.form.is_bound and self.form.is_valid():
            data = self.form.cleaned_data
            if data["status"]:
                payments = payments.filter(status=data["status"])
            if data["district"]:
                payments = payments.filter(
                    application__community__area__parent__code=data["district"]
                )
        self.payments = payments
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def totals(self) -> dict:
        rows = (
            self.payments.order_by().values("status").annotate(n=Count("pk"), total=Sum("amount"))
        )
        by_status = {row["status"]: row for row in rows}
        result = {}
        for code, label in Disbursement.Status.choices:
            row = by_status.get(code, {})
            result[code] = {"label": label, "n": row.get("n", 0), "total": row.get("total") or ZERO}
        return result

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.payments, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        context.update(
            programme=self.programme,
            form=self.form,
            page_obj=page,
            paginator=paginator,
            is_paginated=page.has_other_pages(),
            object_list=page.object_list,
            totals=self.totals(),
            query_string=query.urlencode(),
            breadcrumbs=[
                {"label": _("Home"), "url": reverse("home")},
                {"label": self.programme.name},
                {"label": _("Payments")},
            ],
        )
        return context

    def export(self) -> HttpResponse:
        header = [
            _("Community code"),
            _("Community"),
            _("District"),
            _("Paid on"),
            _("Amount (baht)"),
            _("Reference"),
            _("Paid from"),
            _("Status"),
            _("Recorded by"),
            _("Confirmed by"),
            _("Reason cancelled"),
        ]
        against = dict(Disbursement.Against.choices)
        status = dict(Disbursement.Status.choices)

        def rows():
            for p in self.payments.iterator(chunk_size=2000):
                area = p.application.community.area
                yield [
                    area.code,
                    area.name_th,
                    area.parent.name_th if area.parent else "",
                    p.paid_on,
                    p.amount,
                    p.reference,
                    str(against.get(p.against, p.against)),
                    str(status.get(p.status, p.status)),
                    str(p.recorded_by),
                    str(p.confirmed_by) if p.confirmed_by else "",
                    p.cancel_reason,
                ]

        content = write_xlsx([(str(_("Payments")), header, rows())])
        response = HttpResponse(content, content_type=XLSX_TYPE)
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="payments-{self.programme.fiscal_year}-{stamp}.xlsx"'
        )
        return response
