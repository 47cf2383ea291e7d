"""Forms of the payment pages: record, confirm and cancel a payment, record a carry-over, and
the payment register's filter. Amounts stay text here: the services parse them (one message
for every bad amount)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chumchon.core.forms import StyledForm, ThaiDateField

from .models import Disbursement


class PaymentForm(StyledForm):
    paid_on = ThaiDateField(label=_("Paid on"), help_text=_("e.g. 1/3/2567"))
    amount = forms.CharField(
        label=_("Amount (baht)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=100, help_text=_("The voucher or cheque number.")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(StyledForm):
    """Nothing to type: the page shows the payment and the button confirms it."""


class CancelForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CarryOverForm(StyledForm):
    amount = forms.CharField(
        label=_("Amount carried over (baht)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    reserved_on = ThaiDateField(label=_("Reserved on"), help_text=_("Within the fiscal year."))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaymentFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(Disbursement.Status.choices),
    )
    district = forms.ChoiceField(label=_("District"), required=False, choices=[("", _("All"))])

    def __init__(self, data=None, *, districts=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["district"].choices = [("", _("All"))] + [
            (d.code, d.display_name) for d in districts
        ]
