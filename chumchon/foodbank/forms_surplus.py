"""Forms of the surplus relay's pages. Weights and headcounts stay text here: the services
parse them, so pages and API give the same messages."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from chumchon.communities.forms import RegistryForm
from chumchon.core.forms import StyledForm, ThaiDateField

from .models import Distribution, Donor, Status, SurplusDonation

KG_WIDGET = {"inputmode": "decimal", "autocomplete": "off"}
#: empty category rows shown on a new donation form (more are added by the button)
CATEGORY_ROWS = 5


class DonorForm(RegistryForm):
    area = forms.ChoiceField(label=_("District or city"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Donor.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=255)
    branch = forms.CharField(label=_("Branch"), max_length=255, required=False)
    tax_id = forms.CharField(label=_("Tax ID"), max_length=20, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=255, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    agreement_no = forms.CharField(label=_("Agreement number"), max_length=100, required=False)
    agreement_on = ThaiDateField(label=_("Agreement date"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data=None, *, areas=(), **kwargs):
        self.areas = list(areas)
        super().__init__(data, **kwargs)

    def setup(self):
        self.fields["area"].choices = [(a.code, a.display_name) for a in self.areas]


class DonorFilterForm(RegistryForm):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, data=None, *, districts=(), **kwargs):
        self.districts = list(districts)
        super().__init__(data, **kwargs)

    def setup(self):
        self.fields["kind"].choices = [("", _("All"))] + list(Donor.Kind.choices)
        self.fields["district"].choices = [("", _("All"))] + [
            (d.code, d.display_name) for d in self.districts
        ]


class PeriodForm(StyledForm):
    start = ThaiDateField(label=_("From"), required=False)
    end = ThaiDateField(label=_("To"), required=False)


class DonationForm(RegistryForm):
    donor = forms.ChoiceField(label=_("Donor"))
    donated_on = ThaiDateField(label=_("Date"), help_text=_("e.g. 1/3/2567"))
    weight_kg = forms.CharField(
        label=_("Weight (kg)"),
        max_length=30,
        help_text=_("Up to 3 decimals (to the gram)."),
        widget=forms.TextInput(attrs=KG_WIDGET),
    )
    picked_up_by = forms.CharField(label=_("Picked up by"), max_length=255, required=False)
    pickup_address = forms.CharField(
        label=_("Pick-up place"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    handed_over_to = forms.CharField(label=_("Received by"), max_length=255, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data=None, *, donors=(), **kwargs):
        self.donors = list(donors)
        super().__init__(data, **kwargs)

    def setup(self):
        self.fields["donor"].choices = [("", "---------")] + [
            (str(d.pk), f"{d} ({d.get_kind_display()})") for d in self.donors
        ]


class CategoryForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Food category"),
        required=False,
        choices=[("", "---------")] + list(SurplusDonation.Category.choices),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    weight_kg = forms.CharField(
        label=_("Weight (kg)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={**KG_WIDGET, "class": "form-control"}),
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("category") and not (data.get("weight_kg") or "").strip()


CategoryFormSet = formset_factory(CategoryForm, extra=0, max_num=50, absolute_max=60)


class DistributionForm(RegistryForm):
    distributed_on = ThaiDateField(label=_("Date"), help_text=_("e.g. 1/3/2567"))
    recipient_kind = forms.ChoiceField(
        label=_("To"), choices=Distribution.Recipient.choices, widget=forms.RadioSelect
    )
    community = forms.ChoiceField(
        label=_("Community"), required=False, help_text=_("When the food went to a community.")
    )
    recipient_name = forms.CharField(
        label=_("Shelter or group"),
        max_length=255,
        required=False,
        help_text=_("When the food went to a shelter or a recipient group."),
    )
    national_ids = forms.CharField(
        label=_("National IDs of the registered persons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("When the food went to registered persons: one 13-digit ID per line."),
    )
    weight_kg = forms.CharField(
        label=_("Weight (kg)"),
        max_length=30,
        help_text=_("Up to 3 decimals (to the gram)."),
        widget=forms.TextInput(attrs=KG_WIDGET),
    )
    headcount = forms.CharField(
        label=_("People served"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data=None, *, communities=(), **kwargs):
        self.communities = list(communities)
        super().__init__(data, **kwargs)

    def setup(self):
        self.fields["recipient_kind"].widget.attrs.pop("class", None)
        self.fields["community"].choices = [("", "---------")] + [
            (c.area.code, f"{c.area.code} · {c.area.name}") for c in self.communities
        ]


class CancelForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ListFilterForm(StyledForm):
    start = ThaiDateField(label=_("From"), required=False)
    end = ThaiDateField(label=_("To"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Status.choices)
    )
    recipient_kind = forms.ChoiceField(
        label=_("To"),
        required=False,
        choices=[("", _("All"))] + list(Distribution.Recipient.choices),
    )


class ImpactForm(RegistryForm):
    start = ThaiDateField(label=_("From"), required=False)
    end = ThaiDateField(label=_("To"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, data=None, *, areas=(), **kwargs):
        self.areas = list(areas)
        super().__init__(data, **kwargs)

    def setup(self):
        self.fields["area"].choices = [(a.code, a.display_name) for a in self.areas]
