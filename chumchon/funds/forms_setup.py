"""Forms of the fund setup pages. Amounts and rules are typed as text (commas, Thai digits)
and parsed by the services, so the pages and the API give the same messages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chumchon.communities.services import find_person_by_national_id
from chumchon.core.forms import StyledForm, ThaiDateField

from . import services_setup
from .models import Account, Fund, FundKind, FundOfficer

MONEY_HELP = _("Baht; 0 = none.")


def _months() -> list[tuple[int, str]]:
    from django.utils.translation import get_language

    from chumchon.core.dates import ENGLISH_MONTHS, THAI_MONTHS

    names = ENGLISH_MONTHS if (get_language() or "th").startswith("en") else THAI_MONTHS
    return [(i + 1, name) for i, name in enumerate(names)]


RULES = services_setup.RULE_FIELDS


class FundRulesForm(StyledForm):
    """A fund's names and rules (the edit page; the create page adds kind, area and dates)."""

    name = forms.CharField(label=_("Fund name"), max_length=200)
    registration_no = forms.CharField(label=_("Registration number"), max_length=50, required=False)
    savings_minimum = forms.CharField(
        label=_("Monthly savings minimum per member (baht)"), max_length=20, initial="0"
    )
    loan_ceiling = forms.CharField(
        label=_("Loan ceiling per member (baht)"),
        max_length=20,
        initial="0",
        help_text=_("Outstanding principal per member; 0 = the fund does not lend."),
    )
    interest_method = forms.ChoiceField(
        label=_("Interest method"),
        choices=Fund.InterestMethod.choices,
        initial=Fund.InterestMethod.DECLINING,
    )
    interest_rate = forms.CharField(
        label=_("Interest rate (% per year)"), max_length=10, initial="0"
    )
    max_instalments = forms.CharField(
        label=_("Most monthly instalments"), max_length=4, initial="12"
    )
    late_fee = forms.CharField(
        label=_("Late fee per late instalment (baht)"), max_length=20, initial="0"
    )
    grace_days = forms.CharField(
        label=_("Days of grace before a late fee"), max_length=3, initial="0"
    )
    confirm_threshold = forms.CharField(
        label=_("Entries above this amount need a second person's confirmation (baht)"),
        max_length=20,
        initial="10,000",
        help_text=MONEY_HELP,
    )
    year_start_month = forms.TypedChoiceField(
        label=_("The accounting year starts in"), coerce=int, initial=1, choices=[]
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year_start_month"].choices = _months()

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("name", "registration_no", "note", *RULES)}


class FundCreateForm(FundRulesForm):
    kind = forms.ModelChoiceField(
        label=_("Kind of fund"),
        queryset=FundKind.objects.all(),
        empty_label=None,
        to_field_name="code",
    )
    area = forms.ModelChoiceField(
        label=_("Community or district"),
        queryset=None,
        help_text=_("A fund belongs to a community, or to a district office."),
    )
    established_on = ThaiDateField(label=_("Established on"))
    books_start = ThaiDateField(
        label=_("Books start"),
        required=False,
        help_text=_(
            "The first day the books in Chumchon cover (empty = the date of establishment)."
        ),
    )

    field_order = ["kind", "area", "name", "registration_no", "established_on", "books_start"]

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda a: f"{a.code} {a.name}"
        self.order_fields(self.field_order)

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            **super().values(),
            "kind": data["kind"],
            "area": data["area"],
            "established_on": data["established_on"],
            "books_start": data["books_start"],
        }


class AccountForm(StyledForm):
    code = forms.CharField(
        label=_("Account code"), max_length=10, help_text=_("4 digits, e.g. 5110.")
    )
    type = forms.ChoiceField(label=_("Type"), choices=Account.Type.choices)
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)


class PersonByIdForm(StyledForm):
    """A person of the registry found by their national ID (13 digits with a check digit)."""

    national_id = forms.CharField(
        label=_("National ID number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_national_id(self):
        value = self.cleaned_data["national_id"]
        person = find_person_by_national_id(value)  # ValidationError: not a valid ID
        if person is None:
            raise ValidationError(
                _(
                    "No one with this national ID is in the registry: register the person in "
                    "their community first, then add them here."
                ),
                code="not_found",
            )
        self.person = person
        return value


class MemberAddForm(PersonByIdForm):
    joined_on = ThaiDateField(label=_("Joined on"))
    member_no = forms.IntegerField(
        label=_("Member number"),
        required=False,
        min_value=1,
        help_text=_("Empty = the next number."),
    )


class MemberLeaveForm(StyledForm):
    left_on = ThaiDateField(label=_("Left on"))
    # checked by the service, so that one refusal names every problem
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OfficerAppointForm(PersonByIdForm):
    position = forms.ChoiceField(label=_("Position"), choices=FundOfficer.Position.choices)
    starts_on = ThaiDateField(label=_("From"))


class OfficerEndForm(StyledForm):
    ends_on = ThaiDateField(
        label=_("First day without the seat"),
        help_text=_("The fund role granted for the seat ends the day before."),
    )
    # checked by the service, so that one refusal names every problem
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OfficerGrantForm(StyledForm):
    username = forms.CharField(label=_("User name"), max_length=150)

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise ValidationError(
                _("No user account is named “%(name)s”: ask a user administrator to create it."),
                params={"name": value},
                code="unknown_user",
            )
        self.user = user
        return value
