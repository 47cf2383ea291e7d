from django import forms
from django.utils.translation import gettext_lazy as _

from chumchon.core.forms import StyledForm, ThaiDateField


class AuditFilterForm(StyledForm):
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Who"), required=False)
    area = forms.CharField(label=_("Area code"), required=False)
    date_from = ThaiDateField(label=_("From (day/month/year BE)"), required=False)
    date_to = ThaiDateField(label=_("To (day/month/year BE)"), required=False)


class ParameterPeriodForm(StyledForm):
    value = forms.CharField(
        label=_("New value"),
        max_length=200,
        help_text=_("A number is kept exactly as typed, e.g. 4.2"),
    )
    valid_from = ThaiDateField(label=_("Valid from (day/month/year BE)"))
    note = forms.CharField(
        label=_("Note or reference (e.g. the order that set it)"), required=False, max_length=500
    )
    retroactive_reason = forms.CharField(
        label=_("Reason, if the period starts before today"),
        required=False,
        max_length=500,
        help_text=_("Records already dated in that period will use the new value."),
    )
