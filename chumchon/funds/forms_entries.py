"""Forms of the books' pages: one form per operation (deposit, withdrawal, loan, repayment,
expense, income, grant, capital, transfer, journal), the journal's leg rows, confirm / reject /
reverse, the journal's filter and closing periods.

Amounts stay text here: the services parse them (``core.money.amount_problem``), so the pages
and the API give the same messages. Members, loans and accounts are chosen among the fund's
own (choices set per fund); dates are typed the Thai way (``ThaiDateField``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chumchon.core.dates import format_date
from chumchon.core.forms import StyledForm, ThaiDateField
from chumchon.core.money import format_baht

from .models import Account, Entry

VIA_CHOICES = [("cash", _("Cash")), ("bank", _("Bank account"))]
TRANSFER_CHOICES = [
    ("bank", _("From cash into the bank account")),
    ("cash", _("From the bank account into cash")),
]
JOURNAL_ROWS = 4


def amount_field(label=None, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label or _("Amount (baht)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


def member_label(member, available: Decimal | None = None) -> str:
    label = f"{member.member_no} · {member.person.full_name}"
    if available is not None:
        label += " · " + str(_("savings available %(amount)s")) % {"amount": format_baht(available)}
    return label


def loan_label(loan, owed: Decimal | None = None) -> str:
    label = str(_("Loan %(number)s · %(member)s")) % {
        "number": loan.number,
        "member": member_label(loan.member),
    }
    if owed is not None:
        label += " · " + str(_("owes %(amount)s")) % {"amount": format_baht(owed)}
    return label


class EntryForm(StyledForm):
    """What every operation asks: the date, the receipt number and a description. Subclasses
    add their fields; ``fields_order`` puts them in the order the page shows."""

    op = ""
    fields_order: tuple[str, ...] = ()
    entry_date = ThaiDateField(label=_("Date"), help_text=_("e.g. 15/1/2568"))
    reference = forms.CharField(label=_("Receipt or voucher number"), max_length=50, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, data=None, *, fund, members=(), loans=(), accounts=(), initial=None):
        initial = dict(initial or {})
        initial.setdefault("entry_date", format_date(timezone.localdate(), "numeric"))
        super().__init__(data, initial=initial)
        self.fund = fund
        if "member" in self.fields:
            self.fields["member"].choices = [("", _("Choose a member"))] + [
                (str(m.pk), member_label(m, getattr(m, "available", None))) for m in members
            ]
        if "loan" in self.fields:
            self.fields["loan"].choices = [("", _("Choose a loan"))] + [
                (str(loan.pk), loan_label(loan, getattr(loan, "owed", None))) for loan in loans
            ]
        if "account" in self.fields:
            self.fields["account"].choices = [(str(a.pk), str(a)) for a in accounts]
        if self.fields_order:
            self.order_fields(self.fields_order)


class MemberMoneyForm(EntryForm):
    member = forms.ChoiceField(label=_("Fund member"))
    amount = amount_field()
    via = forms.ChoiceField(label=_("Paid in or out through"), choices=VIA_CHOICES)
    fields_order = ("entry_date", "member", "amount", "via", "reference", "description")


class DepositForm(MemberMoneyForm):
    op = "deposit"


class WithdrawalForm(MemberMoneyForm):
    op = "withdrawal"


class LoanForm(EntryForm):
    op = "loan"
    member = forms.ChoiceField(label=_("Borrower"))
    amount = amount_field(_("Principal (baht)"))
    instalments = forms.IntegerField(
        label=_("Monthly instalments"), required=False, min_value=1, max_value=120
    )
    first_due_on = ThaiDateField(
        label=_("First instalment due"),
        required=False,
        help_text=_("Empty: one month after the date of the loan."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=255, required=False)
    guarantors = forms.CharField(label=_("Guarantors"), max_length=255, required=False)
    via = forms.ChoiceField(label=_("Paid out through"), choices=VIA_CHOICES)
    fields_order = (
        "entry_date",
        "member",
        "amount",
        "instalments",
        "first_due_on",
        "purpose",
        "guarantors",
        "via",
        "reference",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["description"]
        self.fields["instalments"].max_value = self.fund.max_instalments
        self.fields["instalments"].help_text = _("Empty: %(n)s (the fund's most).") % {
            "n": self.fund.max_instalments
        }
        self.fields["instalments"].widget.attrs["max"] = self.fund.max_instalments


class RepaymentForm(EntryForm):
    op = "repayment"
    loan = forms.ChoiceField(label=_("Loan"))
    amount = amount_field()
    via = forms.ChoiceField(label=_("Paid in through"), choices=VIA_CHOICES)
    fields_order = ("entry_date", "loan", "amount", "via", "reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["description"]
        self.fields["amount"].help_text = _(
            "Fees are paid first, then interest, then principal; interest and late fees due "
            "by the date are charged first."
        )


class ExpenseForm(EntryForm):
    op = "expense"
    account = forms.ChoiceField(label=_("Account"))
    amount = amount_field()
    via = forms.ChoiceField(label=_("Paid through"), choices=VIA_CHOICES)
    fields_order = ("entry_date", "description", "account", "amount", "via", "reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True


class IncomeForm(ExpenseForm):
    op = "income"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["via"].label = _("Received through")


class GrantForm(EntryForm):
    op = "grant"
    amount = amount_field()
    source = forms.CharField(
        label=_("From"),
        max_length=200,
        required=False,
        help_text=_("Who gave the grant, e.g. กองทุนหมู่บ้านและชุมชนเมืองแห่งชาติ."),
    )
    via = forms.ChoiceField(label=_("Received through"), choices=VIA_CHOICES, initial="bank")
    fields_order = ("entry_date", "amount", "source", "via", "reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["description"]


class CapitalForm(EntryForm):
    op = "capital"
    amount = amount_field()
    via = forms.ChoiceField(label=_("Received through"), choices=VIA_CHOICES)
    fields_order = ("entry_date", "amount", "via", "reference", "description")


class TransferForm(EntryForm):
    op = "transfer"
    amount = amount_field()
    to = forms.ChoiceField(label=_("Direction"), choices=TRANSFER_CHOICES)
    fields_order = ("entry_date", "to", "amount", "reference", "description")


class JournalForm(EntryForm):
    op = "journal"
    fields_order = ("entry_date", "description", "reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True


class LegRowForm(StyledForm):
    """One row of a journal entry: an account, a debit or a credit, the member (savings) or
    the loan (loan accounts) it concerns. An empty row is left out."""

    account = forms.ChoiceField(label=_("Account"), required=False)
    debit = forms.CharField(
        label=_("Debit"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    credit = forms.CharField(
        label=_("Credit"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    member = forms.ChoiceField(label=_("Fund member"), required=False)
    loan = forms.ChoiceField(label=_("Loan"), required=False)

    def __init__(self, *args, accounts=(), members=(), loans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "—")] + [(str(a.pk), str(a)) for a in accounts]
        self.fields["member"].choices = [("", "—")] + [
            (str(m.pk), member_label(m)) for m in members
        ]
        self.fields["loan"].choices = [("", "—")] + [
            (str(loan.pk), loan_label(loan)) for loan in loans
        ]

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(str(data.get(name) or "").strip() for name in self.fields)


LegFormSet = forms.formset_factory(LegRowForm, extra=JOURNAL_ROWS, max_num=60, absolute_max=60)


OPERATION_FORMS: dict[str, type[EntryForm]] = {
    form.op: form
    for form in (
        DepositForm,
        WithdrawalForm,
        LoanForm,
        RepaymentForm,
        ExpenseForm,
        IncomeForm,
        GrantForm,
        CapitalForm,
        TransferForm,
        JournalForm,
    )
}


class ConfirmForm(StyledForm):
    """Nothing to type: the page shows the entry and the button confirms it."""


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for rejecting"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReverseForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for reversing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was wrong with the entry; the reversal cancels it in the open period."),
    )
    entry_date = ThaiDateField(
        label=_("Date of the reversal"), required=False, help_text=_("Empty: today.")
    )


class JournalFilterForm(StyledForm):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("YYYY-MM"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All"))] + list(Entry.Kind.choices)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Entry.Status.choices)
    )

    def clean_month(self):
        from django.core.exceptions import ValidationError

        from .domain import parse_month

        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        try:
            return parse_month(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["month"]) from exc


class LoanFilterForm(StyledForm):
    arrears = forms.BooleanField(label=_("Only loans in arrears"), required=False)


def accounts_of(fund, *types: str):
    """The fund's accounts (of these types), in code order."""
    accounts = Account.objects.filter(fund=fund).order_by("code")
    if types:
        accounts = accounts.filter(type__in=types)
    return accounts
