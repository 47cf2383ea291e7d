"""Forms of the programme pages (Thai dates typed the Thai way)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chumchon.communities.models import CommunityType
from chumchon.core.forms import StyledForm, ThaiDateField

from .models import Allocation, Programme


class ProgrammeForm(StyledForm):
    fiscal_year = forms.IntegerField(label=_("Fiscal year (B.E.)"), min_value=2400, max_value=2800)
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    budget_code = forms.CharField(label=_("Budget code"), max_length=30)
    allocation_rule = forms.ChoiceField(label=_("Allocation rule"), choices=Programme.Rule.choices)
    amount_per_community = forms.CharField(
        label=_("Amount per community (baht)"), required=False, max_length=30
    )
    community_types = forms.MultipleChoiceField(
        label=_("Community types (none = all)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    require_valid_committee = forms.BooleanField(
        label=_("Only communities with a valid committee"), required=False
    )
    carry_over_deadline = ThaiDateField(label=_("Carry-over deadline"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community_types"].choices = [
            (t.code, t.name_th) for t in CommunityType.objects.order_by("pk")
        ]


class AllocateForm(StyledForm):
    as_of = ThaiDateField(label=_("Eligibility as of"))


class DropForm(StyledForm):
    community = forms.CharField(label=_("Community code"), max_length=40)
    on = ThaiDateField(label=_("Date"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DropDissolvedForm(StyledForm):
    on = ThaiDateField(label=_("Dissolved on or before"))


class TransferForm(StyledForm):
    transferred_on = ThaiDateField(label=_("Transferred on"))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    communities = forms.MultipleChoiceField(
        label=_("Communities"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].choices = list(choices)


class CloseForm(StyledForm):
    closed_on = ThaiDateField(label=_("Closed on"))
    note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CategoryForm(StyledForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    max_share = forms.CharField(label=_("Maximum share (%)"), max_length=10, required=False)


class RefusedForm(StyledForm):
    term = forms.CharField(label=_("Refused item"), max_length=100)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class AllocationFilterForm(StyledForm):
    district = forms.CharField(label=_("District code"), max_length=40, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Allocation.Status.choices],
    )
