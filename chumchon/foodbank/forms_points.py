"""Forms of the beneficiary pages: the list's filter, finding a person or a household to
register, the registration, the quick registration, the assessment (one score per criterion),
a one-off award, a monthly allowance, stopping it, closing a registration, taking an award back.

Points and scores stay text here: the services parse them (``domain.count_problem`` and the
assessment's score check), so the pages and the API give the same messages. Dates are typed
the Thai way (``ThaiDateField``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chumchon.communities.models import Person
from chumchon.communities.views.common import FLAG_LABELS
from chumchon.core.forms import StyledForm, ThaiDateField

from .models import Beneficiary, Criterion
from .services_points import FLAG_ORDER


def points_field(label=None, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label or _("Points"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        **kwargs,
    )


def reason_field(label=None, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BeneficiaryFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A name, a house number, a beneficiary number or a 13-digit national ID."),
    )
    flag = forms.ChoiceField(label=_("Welfare flag"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All")), *Beneficiary.Kind.choices],
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("active", _("Active")), ("closed", _("Closed")), ("all", _("All"))],
    )

    def __init__(self, *args, show_flags: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if show_flags:
            self.fields["flag"].choices = [
                ("", _("Any")),
                *((code, FLAG_LABELS[code]) for code in FLAG_ORDER),
            ]
        else:
            del self.fields["flag"]


class FindForm(StyledForm):
    """Find whom to register: a person by national ID, or a household by its house code or by
    community and house number."""

    national_id = forms.CharField(label=_("National ID"), required=False, max_length=20)
    house_code = forms.CharField(label=_("House registration code"), required=False, max_length=20)
    community = forms.ChoiceField(label=_("Community"), required=False)
    house_no = forms.CharField(label=_("House number"), required=False, max_length=40)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "—")] + [
            (str(c.pk), f"{c.area.code} {c.area.name}") for c in communities
        ]


class RegisterForm(StyledForm):
    kind = forms.ChoiceField(choices=Beneficiary.Kind.choices, widget=forms.HiddenInput)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    household = forms.IntegerField(required=False, widget=forms.HiddenInput)
    registered_on = ThaiDateField(
        label=_("Registered on"), required=False, help_text=_("Empty: today.")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuickRegisterForm(StyledForm):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    approximate_age = forms.IntegerField(
        label=_("Approximate age"), required=False, min_value=0, max_value=130
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", "—"), *Person.Sex.choices]
    )
    missing_id_reason = forms.ChoiceField(
        label=_("Why there is no national ID"),
        choices=Person.MissingId.choices,
        initial=Person.MissingId.UNKNOWN,
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the person can be found, who referred them."),
    )


class AssessForm(StyledForm):
    """One score field per active criterion (named ``score_<code>``), its highest score in the
    label; the services check the range."""

    assessed_on = ThaiDateField(
        label=_("Assessed on"), required=False, help_text=_("Empty: today.")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(
            criteria if criteria is not None else Criterion.objects.filter(active=True)
        )
        for criterion in self.criteria:
            name = f"score_{criterion.code}"
            self.fields[name] = forms.CharField(
                label=_("%(criterion)s (0 to %(max)s)")
                % {"criterion": criterion.name, "max": criterion.max_score},
                required=False,
                max_length=5,
                widget=forms.NumberInput(
                    attrs={"min": 0, "max": criterion.max_score, "inputmode": "numeric"}
                ),
            )
            self.fields[name].widget.attrs["class"] = "form-control"
        self.order_fields([f"score_{c.code}" for c in self.criteria] + ["assessed_on", "note"])

    def scores(self) -> dict[str, str]:
        return {c.code: self.cleaned_data.get(f"score_{c.code}") for c in self.criteria}


class AwardForm(StyledForm):
    points = points_field()
    reason = reason_field()
    awarded_on = ThaiDateField(label=_("Awarded on"), required=False, help_text=_("Empty: today."))
    expires_on = ThaiDateField(
        label=_("Expires on"), required=False, help_text=_("Empty: the food bank's usual validity.")
    )


class AllowanceForm(StyledForm):
    points = points_field(_("Points a month"))
    starts_on = ThaiDateField(
        label=_("From month"), help_text=_("Any day of the first month: points come on the 1st.")
    )
    ends_on = ThaiDateField(label=_("Until"), required=False, help_text=_("Empty: until stopped."))
    valid_days = forms.CharField(
        label=_("Each month's points are valid for (days)"),
        required=False,
        max_length=5,
        help_text=_("Empty: the food bank's usual validity."),
    )
    reason = reason_field()


class StopForm(StyledForm):
    stopped_on = ThaiDateField(label=_("Stops on"), required=False, help_text=_("Empty: today."))
    reason = reason_field()


class CloseForm(StyledForm):
    closed_on = ThaiDateField(label=_("Closed on"), required=False, help_text=_("Empty: today."))
    reason = reason_field()


class ReverseForm(StyledForm):
    reason = reason_field()
