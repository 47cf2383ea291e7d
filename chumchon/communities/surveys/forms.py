"""Survey forms: what a surveyor types on a phone, checked for shape only (amounts, whole ages,
known choices). The survey's rules live in `services.survey_save` / `survey_submit`; their
errors come back onto the fields and the member cards (`apply_survey_errors`).

Widgets are phone-first: choices are big toggle buttons (Bootstrap `btn-check`), amounts use
`inputmode="decimal"`, ages `inputmode="numeric"`. Nothing here is required: a draft keeps
whatever is valid; completeness is checked when the survey is submitted.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chumchon.core.forms import StyledForm

from .. import domain as registry_domain
from ..forms import date_field
from ..models import Household, Person, Survey, SurveyMember
from . import domain

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
MONEY_FIELDS = ("other_income_year", "expenses_month", "debt_formal", "debt_informal", "savings")
MAX_MEMBERS = 40


def _label(model: Any, name: str) -> Any:
    return model._meta.get_field(name).verbose_name


def yes_no_value(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def yes_no_initial(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def money_initial(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


class BahtField(forms.CharField):
    """An amount in baht: digits (Thai digits too), thousands commas, at most 2 decimals."""

    default_error_messages = {
        "invalid": _("Enter an amount in baht from 0, with at most 2 decimals, e.g. 1500.50"),
    }

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = super().to_python(value)
        text = registry_domain.thai_digits_to_ascii(text or "").replace(",", "").replace(" ", "")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if domain.baht_problem(amount):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


def yes_no_field(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO, required=False, widget=forms.RadioSelect)


def choice_field(label: Any, choices, *, buttons: bool = True) -> forms.ChoiceField:
    if buttons:
        return forms.ChoiceField(
            label=label, choices=list(choices), required=False, widget=forms.RadioSelect
        )
    return forms.ChoiceField(label=label, choices=[("", _("– choose –")), *choices], required=False)


class PhoneFormMixin:
    """Large controls for a phone: toggle buttons for choices, large inputs."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput
            ):
                widget.attrs["class"] = "btn-check"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-lg"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = "form-control form-control-lg"


class SurveyForm(PhoneFormMixin, StyledForm):
    """The household-level answers of a survey (members are SurveyMemberFormSet)."""

    SECTIONS = [
        ("general", _("Survey"), ["surveyed_on", "surveyor_name", "respondent_name"]),
        (
            "money",
            _("Income and expenses"),
            ["other_income_year", "expenses_month"],
        ),
        ("debts", _("Debts and savings"), ["debt_formal", "debt_informal", "savings"]),
        ("housing", _("Housing"), ["tenure", "housing_condition"]),
        (
            "utilities",
            _("Water, electricity and waste"),
            ["drinking_water_enough", "water_source", "electricity", "waste"],
        ),
        ("welfare", _("Welfare already received"), ["welfare_received"]),
        ("needs", _("Needs"), ["needs"]),
    ]

    surveyed_on = date_field(_label(Survey, "surveyed_on"))
    surveyor_name = forms.CharField(
        label=_label(Survey, "surveyor_name"), max_length=200, required=False
    )
    respondent_name = forms.CharField(
        label=_label(Survey, "respondent_name"), max_length=200, required=False
    )
    other_income_year = BahtField(
        label=_label(Survey, "other_income_year"),
        help_text=_("Baht per year, besides the members' own incomes. Leave empty for none."),
    )
    expenses_month = BahtField(label=_label(Survey, "expenses_month"), help_text=_("Baht"))
    debt_formal = BahtField(label=_label(Survey, "debt_formal"), help_text=_("Baht"))
    debt_informal = BahtField(label=_label(Survey, "debt_informal"), help_text=_("Baht"))
    savings = BahtField(label=_label(Survey, "savings"), help_text=_("Baht"))
    tenure = choice_field(_label(Survey, "tenure"), Household.Tenure.choices)
    housing_condition = choice_field(
        _label(Survey, "housing_condition"), Household.Condition.choices
    )
    drinking_water_enough = yes_no_field(_label(Survey, "drinking_water_enough"))
    water_source = choice_field(_label(Survey, "water_source"), domain.WATER_SOURCE_CHOICES)
    electricity = choice_field(_label(Survey, "electricity"), domain.ELECTRICITY_CHOICES)
    waste = choice_field(_label(Survey, "waste"), domain.WASTE_CHOICES)
    welfare_received = forms.MultipleChoiceField(
        label=_label(Survey, "welfare_received"),
        choices=domain.WELFARE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every kind of help someone in the household receives now."),
    )
    needs = forms.CharField(
        label=_label(Survey, "needs"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Write what the household says it needs, in its own words."),
    )

    @classmethod
    def initial_from(cls, survey: Survey) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "surveyed_on": survey.surveyed_on,
            "surveyor_name": survey.surveyor_name,
            "respondent_name": survey.respondent_name,
            "tenure": survey.tenure,
            "housing_condition": survey.housing_condition,
            "drinking_water_enough": yes_no_initial(survey.drinking_water_enough),
            "water_source": survey.water_source,
            "electricity": survey.electricity,
            "waste": survey.waste,
            "welfare_received": list(survey.welfare_received or []),
            "needs": survey.needs,
        }
        for name in MONEY_FIELDS:
            value = getattr(survey, name)
            # "no other income" is stored as 0: shown empty, as it was typed
            initial[name] = (
                "" if name == "other_income_year" and not value else money_initial(value)
            )
        return initial

    def answers(self) -> dict[str, Any]:
        """The answers for services.survey_save (every household question)."""
        data = self.cleaned_data
        answers: dict[str, Any] = {
            name: data.get(name) for name in ("surveyor_name", "respondent_name", "needs")
        }
        for name in MONEY_FIELDS:
            answers[name] = data.get(name)
        for name in ("tenure", "housing_condition", "water_source", "electricity", "waste"):
            answers[name] = data.get(name) or ""
        answers["drinking_water_enough"] = yes_no_value(data.get("drinking_water_enough"))
        answers["welfare_received"] = list(data.get("welfare_received") or [])
        return answers

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"code": code, "title": title, "fields": [self[name] for name in names]}
            for code, title, names in self.SECTIONS
        ]


class SurveyMemberForm(PhoneFormMixin, StyledForm):
    """One member's answers: a registry person (name and age from the registry) or someone
    living in the house who is not registered (name and age typed)."""

    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_label(SurveyMember, "name"), max_length=200, required=False)
    age = forms.IntegerField(
        label=_label(SurveyMember, "age"),
        required=False,
        min_value=0,
        max_value=130,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
        ),
    )
    occupation = choice_field(
        _label(SurveyMember, "occupation"), domain.OCCUPATION_CHOICES, buttons=False
    )
    income_year = BahtField(
        label=_label(SurveyMember, "income_year"),
        help_text=_("Baht per year, from work or own business. Leave empty for none."),
    )
    education = choice_field(
        _label(SurveyMember, "education"), domain.EDUCATION_CHOICES, buttons=False
    )
    in_school = yes_no_field(_label(SurveyMember, "in_school"))
    reads_thai = yes_no_field(_label(SurveyMember, "reads_thai"))
    health_insurance = choice_field(
        _label(SurveyMember, "health_insurance"), domain.HEALTH_INSURANCE_CHOICES
    )
    has_disability = forms.BooleanField(
        label=_label(SurveyMember, "has_disability"), required=False
    )

    ANSWERS = (
        "occupation",
        "income_year",
        "education",
        "in_school",
        "reads_thai",
        "health_insurance",
        "has_disability",
    )

    def __init__(self, *args: Any, people: dict[int, Person] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.people = people or {}

    @classmethod
    def initial_from(cls, member: SurveyMember) -> dict[str, Any]:
        return {
            "person": member.person_id,
            "name": member.name,
            "age": member.age,
            "occupation": member.occupation,
            "income_year": "" if not member.income_year else money_initial(member.income_year),
            "education": member.education,
            "in_school": yes_no_initial(member.in_school),
            "reads_thai": yes_no_initial(member.reads_thai),
            "health_insurance": member.health_insurance,
            "has_disability": member.has_disability,
        }

    # --- what the card shows --------------------------------------------------------------

    def _raw(self, name: str) -> Any:
        if self.is_bound:
            return self[name].value()
        return self.initial.get(name)

    @property
    def person_obj(self) -> Person | None:
        try:
            return self.people.get(int(self._raw("person") or 0))
        except (TypeError, ValueError):
            return None

    @property
    def registry_age(self) -> int | None:
        """The registry person's age from the birth date (then the age field is not asked)."""
        person = self.person_obj
        return person.age if person is not None and person.birth_date else None

    @property
    def display_name(self) -> str:
        person = self.person_obj
        return (self._raw("name") or "") or (person.full_name if person else "")

    # --- what the service gets -------------------------------------------------------------

    def is_blank(self) -> bool:
        """A card added but left empty: not a member."""
        data = getattr(self, "cleaned_data", {}) or {}
        if data.get("person") or (data.get("name") or "").strip():
            return False
        return not any(
            data.get(name) not in (None, "", False, []) for name in ("age", *self.ANSWERS)
        )

    def member(self) -> dict[str, Any]:
        data = self.cleaned_data
        person = self.person_obj
        return {
            "person": data.get("person") or None,
            "name": data.get("name") or (person.full_name if person else ""),
            "age": None if self.registry_age is not None else data.get("age"),
            "occupation": data.get("occupation") or "",
            "income_year": data.get("income_year"),
            "education": data.get("education") or "",
            "in_school": yes_no_value(data.get("in_school")),
            "reads_thai": yes_no_value(data.get("reads_thai")),
            "health_insurance": data.get("health_insurance") or "",
            "has_disability": bool(data.get("has_disability")),
        }


class BaseMemberFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, people: dict[int, Person] | None = None, **kwargs: Any):
        self.people = people or {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "people": self.people}

    def kept_forms(self) -> list[SurveyMemberForm]:
        """The member cards sent to the service, in order (not removed, not left empty)."""
        deleted = {id(f) for f in self.deleted_forms}
        return [f for f in self.forms if id(f) not in deleted and not f.is_blank()]


SurveyMemberFormSet = forms.formset_factory(
    SurveyMemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_MEMBERS,
    validate_max=True,
    absolute_max=MAX_MEMBERS + 10,
)


class ReopenForm(StyledForm):
    reason = forms.CharField(
        label=_("Why is the survey reopened?"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At least 10 characters; kept in the audit log."),
    )


def apply_survey_errors(
    exc: ValidationError,
    form: SurveyForm,
    member_forms: list[SurveyMemberForm],
) -> None:
    """A service's errors onto the page: a question's on its field, `members.<n>` on the n-th
    member card sent (1-based, as the service counts), anything else at the top."""
    if not hasattr(exc, "error_dict"):
        for error in exc.error_list:
            form.add_error(None, error)
        return
    for key, errors in exc.error_dict.items():
        target_form: forms.Form = form
        field: str | None = key if key in form.fields else None
        if key.startswith("members."):
            try:
                target_form = member_forms[int(key.split(".", 1)[1]) - 1]
            except (ValueError, IndexError):
                target_form = form
            field = None
        for error in errors:
            target_form.add_error(field, error)
