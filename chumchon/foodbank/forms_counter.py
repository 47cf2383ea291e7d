"""Forms of the counter pages (helper "counter"). The basket itself is read by the view (one
quantity box per item: ``qty-<item id>``) and checked by ``services_counter.redeem``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chumchon.core.forms import StyledForm, ThaiDateField
from chumchon.core.money import arabic_digits
from chumchon.core.national_id import validate_national_id

MAX_SEARCH = 100


class CounterSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Name, beneficiary number or 13-digit national ID"),
        max_length=MAX_SEARCH,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "inputmode": "search"}
        ),
    )

    def clean_q(self) -> str:
        text = " ".join(arabic_digits(self.cleaned_data["q"]).split())
        digits = text.replace("-", "").replace(" ", "")
        if digits.isdigit() and len(digits) == 13:
            validate_national_id(digits)  # a mistyped ID is named, not "nobody found"
        return text

    @property
    def national_id(self) -> str:
        """The digits when the box holds a national ID (13 digits, dashes and spaces allowed)."""
        text = self.cleaned_data.get("q", "")
        digits = text.replace("-", "").replace(" ", "")
        return digits if digits.isdigit() and len(digits) == 13 else ""


class RedemptionFilterForm(StyledForm):
    start = ThaiDateField(label=_("From"), required=False)
    end = ThaiDateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError({"end": _("The end date is before the start date.")})
        return data


class RedemptionCancelForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("The goods go back to their lots and the points to their awards."),
    )
