"""Forms of the report pages: the month of a statement, the accounting year of the annual
report, the day of a trial balance or an arrears report, and the upload of an opening import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chumchon.core.forms import StyledForm, ThaiDateField

from . import domain

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class MonthForm(StyledForm):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
        help_text=_("Year and month, e.g. 2026-01 (a year from 2400 on is read as B.E.)."),
    )

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            return domain.parse_month(value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["month"]) from None


class YearForm(StyledForm):
    year = forms.IntegerField(
        label=_("Accounting year (B.E. of its first day)"),
        required=False,
        min_value=2400,
        max_value=2800,
    )


class DayForm(StyledForm):
    on = ThaiDateField(
        label=_("As of"),
        required=False,
        help_text=_("Day/month/year, e.g. 31/12/2568; empty: today."),
    )


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_(
            "Two sheets: “members” (members, their savings and loans) and “balances” (the "
            "other accounts). Start from the template."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is too large (at most %(mb)s MB).")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return upload
