"""Registry forms: what a person types, checked for shape only. The rules live in the services;
`apply_service_errors` puts a service's ValidationError on the form's fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chumchon.accounts.scoping import scope_queryset
from chumchon.core.dates import format_date
from chumchon.core.forms import StyledForm, ThaiDateField
from chumchon.organizations.models import Area

from . import domain
from .models import Community, CommunityType, Household, Person

DATE_HELP = _("Day/month/year in the Buddhist era, e.g. 12/03/2567.")


class ThaiDateInput(forms.TextInput):
    """Shows a date as day/month/BE year (12/03/2567), as people type it back."""

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(
            {"placeholder": _("dd/mm/yyyy BE"), "inputmode": "numeric", **(attrs or {})}
        )

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return format_date(value, "numeric")
        return super().format_value(value)


def date_field(label: Any, *, required: bool = True, help_text: Any = DATE_HELP) -> ThaiDateField:
    return ThaiDateField(
        label=label, required=required, widget=ThaiDateInput(), help_text=help_text
    )


def edit_districts(user: Any) -> QuerySet[Area]:
    """Districts where the user may create records (records.edit), for the pickers."""
    return scope_queryset(
        Area.objects.of_kind("district").active().select_related("kind").order_by("code"),
        user,
        perm="records.edit",
        path_field="path",
    )


class DistrictChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.code} {obj.display_name}"


class CommunityChoiceField(forms.ModelChoiceField):
    """Any active community of the city: names are not personal data."""

    def label_from_instance(self, obj: Community) -> str:
        district = obj.area.parent.display_name if obj.area.parent else ""
        return f"{obj.area.code} · {obj.area.name} ({district})"


def apply_service_errors(
    form: forms.Form,
    exc: ValidationError,
    *,
    aliases: dict[str, str] | None = None,
    codes: dict[str, str] | None = None,
) -> None:
    """Put a service's errors on the form: each on its field when the form has it (or an
    alias: the service's `parent` is the form's `district`), else at the top of the form.
    `codes` places errors without a field by their code (an invalid area code on `code`)."""
    aliases = aliases or {}
    codes = codes or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = aliases.get(name, name)
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
        return
    for error in exc.error_list:
        target = codes.get(error.code or "")
        form.add_error(target if target in form.fields else None, error)


class RegistryForm(StyledForm):
    """A StyledForm whose fields are set up (choices, querysets, removed fields) before the data
    is bound: StyledForm validates in `__init__` to mark invalid fields, which would otherwise
    check the data against the class's empty choices. Subclasses keep their own arguments on
    `self` and adjust fields in `setup()`."""

    def __init__(self, data=None, files=None, **kwargs):
        super().__init__(None, None, **kwargs)
        self.setup()
        if data is not None or files is not None:
            self.is_bound = True
            self.data = data if data is not None else {}
            self.files = files if files is not None else {}
            self._errors = None
            for name in self.errors:
                if name in self.fields:
                    self._mark_invalid(name)

    def setup(self) -> None:
        """Adjust the fields (runs before the data is bound)."""


# --- communities -------------------------------------------------------------------------


class CommunityFilterForm(RegistryForm):
    """The list's filters (GET): zone, district, type, status and a text search."""

    q = forms.CharField(label=_("Search (name or code)"), required=False, max_length=100)
    zone = forms.ChoiceField(label=_("Zone"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Community.Status.choices],
    )
    on = date_field(
        _("As of date"),
        required=False,
        help_text=_(
            "Optional: the communities that existed that day (announced, not yet dissolved) "
            "and the registry counts as they were then."
        ),
    )

    def __init__(self, *args, zones=(), districts=(), types=(), **kwargs):
        self.zones, self.districts, self.types = zones, districts, types
        super().__init__(*args, **kwargs)

    def setup(self):
        zones, districts, types = self.zones, self.districts, self.types
        self.fields["zone"].choices = [("", _("All zones"))] + [
            (a.code, a.display_name) for a in zones
        ]
        self.fields["district"].choices = [("", _("All districts"))] + [
            (a.code, f"{a.code} {a.display_name}") for a in districts
        ]
        self.fields["type"].choices = [("", _("All types"))] + [(t.code, t.name) for t in types]
        if not zones:
            del self.fields["zone"]
        if not districts:
            del self.fields["district"]


class CommunityForm(RegistryForm):
    """Create (with district and code) or edit (profile only) a community."""

    district = DistrictChoiceField(label=_("District"), queryset=Area.objects.none())
    code = forms.CharField(
        label=_("Community code"),
        max_length=40,
        help_text=_("Unique across the installation, e.g. HC001."),
    )
    name_th = forms.CharField(label=_("Name in Thai"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    type = forms.ModelChoiceField(
        label=_("Community type"), queryset=CommunityType.objects.filter(is_active=True)
    )
    announcement_no = forms.CharField(
        label=_("Announcement number (establishment)"), max_length=60, required=False
    )
    announced_on = date_field(_("Announcement date"), required=False)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lat = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
    )
    lng = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
    )
    declared_families = forms.IntegerField(
        label=_("Families (declared by the district)"), min_value=0, initial=0
    )
    declared_households = forms.IntegerField(
        label=_("Households (declared by the district)"), min_value=0, required=False
    )
    declared_population = forms.IntegerField(
        label=_("Population (declared by the district)"), min_value=0, required=False
    )

    PROFILE_FIELDS = (
        "type",
        "announcement_no",
        "announced_on",
        "address",
        "lat",
        "lng",
        "declared_families",
        "declared_households",
        "declared_population",
    )

    def __init__(self, *args, user=None, community: Community | None = None, **kwargs):
        self.user, self.community = user, community
        if community is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name_th": community.area.name_th,
                    "name_en": community.area.name_en,
                    **{name: getattr(community, name) for name in self.PROFILE_FIELDS},
                },
            )
        super().__init__(*args, **kwargs)

    def setup(self):
        if self.community is None:
            districts = edit_districts(self.user)
            self.fields["district"].queryset = districts
            first_two = list(districts[:2])
            if len(first_two) == 1:  # one district: choose it already
                self.fields["district"].initial = first_two[0].pk
        else:
            del self.fields["district"]
            del self.fields["code"]

    def profile_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.PROFILE_FIELDS}
        values["announcement_no"] = values["announcement_no"].strip()
        values["address"] = values["address"].strip()
        return values


class DissolveForm(RegistryForm):
    dissolved_on = date_field(_("Dissolved on"))
    announcement_no = forms.CharField(label=_("Dissolution announcement number"), max_length=60)
    reason = forms.CharField(
        label=_("Reason for dissolution"), widget=forms.Textarea(attrs={"rows": 3})
    )


# --- households --------------------------------------------------------------------------


class HouseholdForm(RegistryForm):
    house_no = forms.CharField(label=_("House number"), max_length=40)
    house_code = forms.CharField(
        label=_("House registration code"),
        max_length=30,
        required=False,
        help_text=_("11 digits (spaces and dashes are ignored); leave blank when unknown."),
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tenure = forms.ChoiceField(
        label=_("Tenure"), required=False, choices=[("", "—"), *Household.Tenure.choices]
    )
    condition = forms.ChoiceField(
        label=_("Housing condition"),
        required=False,
        choices=[("", "—"), *Household.Condition.choices],
    )

    def __init__(self, *args, household: Household | None = None, **kwargs):
        if household is not None:
            kwargs.setdefault(
                "initial", {name: getattr(household, name) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class HouseholdMoveForm(RegistryForm):
    to_community = CommunityChoiceField(
        label=_("Move to community"),
        queryset=Community.objects.none(),
        help_text=_("Any community of the city; the household then belongs to its district."),
    )
    moved_on = date_field(_("Moved on"))
    reason = forms.CharField(
        label=_("Reason or reference"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, household: Household, **kwargs):
        self.household = household
        super().__init__(*args, **kwargs)

    def setup(self):
        self.fields["to_community"].queryset = (
            Community.objects.active()
            .exclude(pk=self.household.community_id)
            .select_related("area__parent__kind")
            .order_by("area__code")
        )


class PovertyOverrideForm(RegistryForm):
    POOR, NOT_POOR, CLEAR = "poor", "not_poor", "clear"

    poor = forms.ChoiceField(
        label=_("Poverty status set by hand"),
        choices=[
            (POOR, _("Poor household")),
            (NOT_POOR, _("Not a poor household")),
            (CLEAR, _("No manual status (use the survey)")),
        ],
    )
    poor_override_reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when setting a status: at least 10 characters."),
    )

    def poor_value(self) -> bool | None:
        return {self.POOR: True, self.NOT_POOR: False}.get(self.cleaned_data["poor"])


# --- people ------------------------------------------------------------------------------

WELFARE_FIELDS = (
    "disability_card",
    "disability_type",
    "bedridden",
    "chronic_illness",
    "child_in_need",
    "disaster_victim",
    "sensitive_legal_basis",
)
MEMBERSHIP_FIELDS = ("relation", "in_house_registration", "since")


class PersonForm(RegistryForm):
    """All of a person's fields. On edit, a blank national ID keeps the one on record (the
    form never shows it); welfare fields appear only to those who may see them."""

    national_id = forms.CharField(
        label=_("National ID"),
        max_length=30,
        required=False,
        help_text=_("13 digits; spaces and dashes are ignored."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    remove_national_id = forms.BooleanField(
        label=_("Remove the national ID"),
        required=False,
        help_text=_(
            "Only when the ID on record is wrong and the right one is not known: give the "
            "reason why there is no national ID below."
        ),
    )
    missing_id_reason = forms.ChoiceField(
        label=_("Why there is no national ID"),
        required=False,
        choices=[("", "—"), *Person.MissingId.choices],
    )
    prefix = forms.CharField(
        label=_("Prefix"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "prefix-options"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", "—"), *Person.Sex.choices]
    )
    birth_date = date_field(_("Birth date"), required=False)
    nationality = forms.CharField(
        label=_("Nationality"), max_length=60, required=False, initial="ไทย"
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    relation = forms.ChoiceField(
        label=_("Relation to the head of household"),
        required=False,
        choices=[("", "—"), *domain.RELATION_CHOICES],
    )
    in_house_registration = forms.BooleanField(
        label=_("Name is in this house's registration (ทะเบียนบ้าน)"), required=False, initial=True
    )
    since = date_field(
        _("In the household since"),
        required=False,
        help_text=_(
            "Blank means today. Committee elections count days of residence from this date."
        ),
    )
    disability_card = forms.CharField(
        label=_("Disability card number"), max_length=40, required=False
    )
    disability_type = forms.ChoiceField(
        label=_("Disability type"), required=False, choices=[("", "—"), *domain.DISABILITY_CHOICES]
    )
    bedridden = forms.BooleanField(label=_("Bedridden"), required=False)
    chronic_illness = forms.BooleanField(label=_("Chronic illness"), required=False)
    child_in_need = forms.BooleanField(label=_("Child in need"), required=False)
    disaster_victim = forms.BooleanField(label=_("Disaster victim"), required=False)
    sensitive_legal_basis = forms.ChoiceField(
        label=_("Legal basis for health and disability data"),
        required=False,
        choices=[("", "—"), *Person.LegalBasis.choices],
        help_text=_("Required when any health or disability field is filled."),
    )

    IDENTITY_FIELDS = (
        "national_id",
        "remove_national_id",
        "missing_id_reason",
        "prefix",
        "first_name",
        "last_name",
        "sex",
        "birth_date",
        "nationality",
        "phone",
    )
    SENSITIVE_GROUP = (
        "disability_card",
        "disability_type",
        "bedridden",
        "chronic_illness",
        "sensitive_legal_basis",
    )
    OTHER_FLAGS = ("child_in_need", "disaster_victim")

    def __init__(
        self,
        *args,
        person: Person | None = None,
        membership=None,
        with_membership: bool = True,
        with_welfare: bool = True,
        **kwargs,
    ):
        self.person = person
        self.with_membership, self.with_welfare = with_membership, with_welfare
        if person is not None:
            initial = {
                name: getattr(person, name)
                for name in (*self.IDENTITY_FIELDS, *WELFARE_FIELDS)
                if name not in ("national_id", "remove_national_id")
            }
            if membership is not None:
                initial.update({name: getattr(membership, name) for name in MEMBERSHIP_FIELDS})
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def setup(self):
        person = self.person
        if person is not None:
            self.fields["national_id"].help_text = _(
                "Leave blank to keep the ID on record (%(masked)s); type a new one to replace it."
            ) % {"masked": person.masked_national_id or _("none")}
        if person is None or not person.national_id:  # nothing to remove
            del self.fields["remove_national_id"]
        if not self.with_membership:
            for name in MEMBERSHIP_FIELDS:
                del self.fields[name]
        if not self.with_welfare:
            for name in WELFARE_FIELDS:
                del self.fields[name]

    # groups for the template (a fieldset each)
    def identity(self):
        return [self[n] for n in self.IDENTITY_FIELDS if n in self.fields]

    def membership(self):
        return [self[n] for n in MEMBERSHIP_FIELDS if n in self.fields]

    def sensitive(self):
        return [self[n] for n in self.SENSITIVE_GROUP if n in self.fields]

    def other_flags(self):
        return [self[n] for n in self.OTHER_FLAGS if n in self.fields]

    def person_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = [n for n in (*self.IDENTITY_FIELDS, *WELFARE_FIELDS) if n in self.fields]
        values = {n: data[n] for n in names if n not in ("national_id", "remove_national_id")}
        for name in ("prefix", "first_name", "last_name", "nationality", "phone"):
            if name in values:
                values[name] = values[name].strip()
        return values

    def membership_values(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in MEMBERSHIP_FIELDS if n in self.fields}

    def clean(self):
        data = super().clean()
        # without an ID, a reason is required: the service's rule (`_clean_person`), whose
        # error lands on `missing_id_reason` through apply_service_errors
        if data.get("remove_national_id") and (data.get("national_id") or "").strip():
            self.add_error(
                "national_id",
                _("Either type a new national ID or remove the one on record, not both."),
            )
        return data

    def national_id_value(self) -> str | None:
        """For `services.person_update`: None keeps the ID on record, "" removes it."""
        if self.cleaned_data.get("remove_national_id"):
            return ""
        return self.cleaned_data["national_id"] or None


class PersonStatusForm(RegistryForm):
    status = forms.ChoiceField(label=_("New status"))
    status_on = date_field(_("Date"))
    moved_to = forms.CharField(
        label=_("Moved to (for a move out)"),
        max_length=255,
        required=False,
        help_text=_("Where the person went: a province, a district or an address."),
    )

    def __init__(self, *args, allowed: list[tuple[str, Any]], **kwargs):
        self.allowed = allowed
        super().__init__(*args, **kwargs)

    def setup(self):
        self.fields["status"].choices = self.allowed


class PersonMoveForm(RegistryForm):
    """Move a person to a household of any community. In a community within the user's reach:
    an existing household (chosen from the list) or a new one made there with the given house
    number. Outside it (`within_reach=False`) nothing about the households there is listed:
    the user gives the house number only, and the person joins the household with that number
    or a new one."""

    to_community = CommunityChoiceField(
        label=_("Community"), queryset=Community.objects.none(), widget=forms.HiddenInput
    )
    to_household = forms.ModelChoiceField(
        label=_("Household"),
        queryset=Household.objects.none(),
        required=False,
        empty_label=_("— a new household —"),
    )
    new_house_no = forms.CharField(
        label=_("House number of the new household"),
        max_length=40,
        required=False,
        help_text=_("Only when the person moves into a household not yet registered."),
    )
    relation = forms.ChoiceField(
        label=_("Relation to the head of household"),
        required=False,
        choices=[("", "—"), *domain.RELATION_CHOICES],
    )
    in_house_registration = forms.BooleanField(
        label=_("Name is in this house's registration (ทะเบียนบ้าน)"), required=False, initial=True
    )
    moved_on = date_field(_("Moved on"))
    reason = forms.CharField(
        label=_("Reason or reference"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args, community: Community | None = None, within_reach: bool = True, **kwargs
    ):
        self.community = community
        self.within_reach = within_reach
        super().__init__(*args, **kwargs)

    def setup(self):
        community = self.community
        self.fields["to_community"].queryset = Community.objects.active().select_related(
            "area__parent__kind"
        )
        if not self.within_reach:
            del self.fields["to_household"]
            house_no = self.fields["new_house_no"]
            house_no.required = True
            house_no.label = _("House number")
            house_no.help_text = _(
                "The person joins the household with this house number in the community, or a "
                "new household made with it."
            )
            return
        if community is not None:
            self.fields["to_community"].initial = community.pk
            # not household_scope: the view builds this form with within_reach=True only when
            # the user may view the people of `community` (can_view_people)
            self.fields["to_household"].queryset = Household.objects.filter(
                community=community, is_active=True
            ).order_by("house_no_key", "pk")
        self.fields["to_household"].label_from_instance = _household_label

    def clean(self):
        data = super().clean()
        if not self.within_reach:
            return data
        community = data.get("to_community")
        household = data.get("to_household")
        new_house_no = (data.get("new_house_no") or "").strip()
        if (
            community is not None
            and household is not None
            and household.community_id != community.pk
        ):
            self.add_error("to_household", _("This household is not in the chosen community."))
        if household is None and not new_house_no and "to_household" not in self.errors:
            self.add_error(
                "new_house_no",
                _("Choose a household, or give the house number of a new household."),
            )
        if household is not None and new_house_no:
            self.add_error(
                "new_house_no",
                _("Choose a household or give a new house number, not both."),
            )
        return data


def _household_label(household: Household) -> str:
    label = str(household)
    if household.house_code:
        label += f" ({household.house_code})"
    return label


class CommunityPickForm(RegistryForm):
    """Step one of a person's move: which community (GET)."""

    community = CommunityChoiceField(label=_("Community"), queryset=Community.objects.none())

    def setup(self):
        self.fields["community"].queryset = (
            Community.objects.active().select_related("area__parent__kind").order_by("area__code")
        )


class ReasonForm(RegistryForm):
    """The reason for seeing personal data in full (kept in the reveal log)."""

    reason = forms.CharField(
        label=_("Why you need to see this"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "At least 10 characters, e.g. the request or case reference. Auditors read it."
        ),
    )


class QuickRegisterForm(RegistryForm):
    district = DistrictChoiceField(label=_("District"), queryset=Area.objects.none())
    first_name = forms.CharField(
        label=_("First name (or what the person is called)"), max_length=100
    )
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    approximate_age = forms.IntegerField(
        label=_("Approximate age (years)"), required=False, min_value=0, max_value=130
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

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def setup(self):
        districts = edit_districts(self.user)
        self.fields["district"].queryset = districts
        first_two = list(districts[:2])
        if len(first_two) == 1:  # one district: choose it already
            self.fields["district"].initial = first_two[0].pk
