"""Forms of the committee pages (one per service). Dates are typed the Thai way."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chumchon.communities.forms import RegistryForm, date_field

from . import domain
from .models import CommitteeMember
from .selectors import STATES
from .services_terms import MEMBER_END_REASONS

STATE_LABELS = {
    "valid": _("Valid committee"),
    "invalid": _("Committee not valid"),
    "complete": _("Complete committee"),
    "expiring": _("Term expiring within 90 days"),
    "missing": _("No committee in office"),
}


class MemberEndForm(RegistryForm):
    on = date_field(_("Ends from (first day without the seat)"))
    reason = forms.ChoiceField(
        label=_("Why the membership ends"),
        choices=[
            (code, label)
            for code, label in CommitteeMember.EndReason.choices
            if code in MEMBER_END_REASONS
        ],
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DateForm(RegistryForm):
    on = date_field(_("From"))


class EndForm(RegistryForm):
    on = date_field(_("Ends on (first day no longer in place)"))


class PositionAssignForm(RegistryForm):
    member = forms.ChoiceField(label=_("Member"))
    code = forms.ChoiceField(label=_("Position"), choices=domain.POSITION_CHOICES)
    title = forms.CharField(
        label=_("Title of the position"),
        required=False,
        max_length=200,
        help_text=_("Required for a position the committee defines."),
    )
    on = date_field(_("From"))

    def __init__(self, data=None, files=None, *, members=(), **kwargs):
        self.members = list(members)
        super().__init__(data, files, **kwargs)

    def setup(self) -> None:
        self.fields["member"].choices = [(str(m.pk), m.person.full_name) for m in self.members]


class GrantRoleForm(RegistryForm):
    username = forms.CharField(
        label=_("User account (username)"),
        max_length=150,
        help_text=_(
            "The member's own user account: it gets the committee member role at this "
            "community until the term ends."
        ),
    )


class TermEndEarlyForm(RegistryForm):
    on = date_field(_("Ended from (date of the district order)"))
    order_no = forms.CharField(label=_("District order number"), max_length=60)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AdviserForm(RegistryForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    expertise = forms.CharField(label=_("Expertise or role"), max_length=300, required=False)
    starts_on = date_field(_("From"))


class WorkingGroupForm(RegistryForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = date_field(_("From"))


class WorkingGroupMemberForm(RegistryForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role in the group"), max_length=200, required=False)


class ReportForm(RegistryForm):
    reported_on = date_field(_("Report date"))
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(label=_("Attachment"), required=False)


class StatusFilterForm(RegistryForm):
    zone = forms.ChoiceField(label=_("Zone"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    state = forms.ChoiceField(label=_("Committee"), required=False)

    def __init__(self, data=None, *, zones=(), districts=(), **kwargs):
        self.zones = list(zones)
        self.districts = list(districts)
        super().__init__(data, **kwargs)

    def setup(self) -> None:
        self.fields["zone"].choices = [("", _("All zones"))] + [
            (z.code, z.display_name) for z in self.zones
        ]
        self.fields["district"].choices = [("", _("All districts"))] + [
            (d.code, d.display_name) for d in self.districts
        ]
        self.fields["state"].choices = [("", _("All communities"))] + [
            (s, STATE_LABELS[s]) for s in STATES
        ]
