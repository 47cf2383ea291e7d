"""Forms of the election pages: what a person types, checked for shape only. The rules (who may
stand, ballot checks, ranking) live in services_elections.py; a service's ValidationError lands
on these fields through `apply_election_errors`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chumchon.communities.forms import RegistryForm, apply_service_errors, date_field
from chumchon.communities.models import Community, Person
from chumchon.core.dates import format_date

from .models import CommitteeTerm, Election

YEAR_HELP = _("Buddhist-era year, e.g. 2569.")


class CommunityPickField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        district = obj.area.parent.display_name if obj.area.parent else ""
        return f"{obj.area.code} · {obj.area.name} ({district})"


class PersonPickField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        house = obj.household.house_no if obj.household_id else ""
        age = obj.age
        parts = [obj.full_name]
        if house:
            parts.append(str(_("house no. %(no)s") % {"no": house}))
        if age is not None:
            parts.append(str(_("age %(age)d") % {"age": age}))
        return " · ".join(parts)


class ElectionFilterForm(RegistryForm):
    """The list's filters (GET): district, community, status, BE year."""

    district = forms.ChoiceField(label=_("District"), required=False)
    community = forms.ChoiceField(label=_("Community"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Election.Status.choices],
    )
    year = forms.IntegerField(
        label=_("Year of the election (BE)"),
        required=False,
        min_value=2500,
        max_value=2700,
        help_text=YEAR_HELP,
    )

    def __init__(self, *args, districts=(), communities=(), **kwargs):
        self.districts, self.communities = districts, communities
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self.fields["district"].choices = [("", _("All districts"))] + [
            (a.code, f"{a.code} {a.display_name}") for a in self.districts
        ]
        self.fields["community"].choices = [("", _("All communities"))] + [
            (str(c.pk), f"{c.area.code} · {c.area.name}") for c in self.communities
        ]
        if len(self.districts) < 2:
            del self.fields["district"]


class ElectionDetailsForm(RegistryForm):
    """Date, place, announcement and note (planning and editing a planned election)."""

    held_on = date_field(_("Election date"))
    place = forms.CharField(label=_("Place"), max_length=300)
    announcement_no = forms.CharField(label=_("Announcement number"), max_length=60, required=False)
    announced_on = date_field(_("Announced on"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    DETAIL_FIELDS = ("held_on", "place", "announcement_no", "announced_on", "note")

    def detail_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.DETAIL_FIELDS}
        for name in ("place", "announcement_no", "note"):
            values[name] = values[name].strip()
        return values


class ElectionPlanForm(ElectionDetailsForm):
    """Plan an election: a community where the user has committees.manage, then the details and
    the kind (a by-election names the term whose vacancies it fills)."""

    community = CommunityPickField(label=_("Community"), queryset=Community.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind of election"), choices=Election.Kind.choices, initial="general"
    )
    term = forms.ModelChoiceField(
        label=_("Term (by-election only)"),
        queryset=CommitteeTerm.objects.none(),
        required=False,
        help_text=_("The term in office whose vacant seats the by-election fills."),
    )

    field_order = ["community", "kind", "term", *ElectionDetailsForm.DETAIL_FIELDS]

    def __init__(self, *args, communities: QuerySet | None = None, **kwargs):
        self.communities = communities if communities is not None else Community.objects.none()
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self.fields["community"].queryset = self.communities
        self.fields["term"].queryset = CommitteeTerm.objects.filter(
            community__in=self.communities, status=CommitteeTerm.Status.IN_OFFICE
        ).select_related("community__area")
        self.fields["term"].label_from_instance = lambda t: (
            f"{t.community.area.name} · {format_date(t.starts_on, 'short')} – "
            f"{format_date(t.ends_on, 'short')}"
        )

    # kind / term / community agreement is checked by services_elections.election_plan
    # (its errors land on the `term` field).


class CandidateForm(RegistryForm):
    """Register a candidate: a current member of the community (by name), optionally a ballot
    number (the next free number otherwise)."""

    person = PersonPickField(
        label=_("Person (a current member of the community)"), queryset=Person.objects.none()
    )
    number = forms.IntegerField(
        label=_("Ballot number"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("Leave empty for the next free number."),
    )

    def __init__(self, *args, people: QuerySet | None = None, **kwargs):
        self.people = people if people is not None else Person.objects.none()
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self.fields["person"].queryset = self.people


class WithdrawForm(RegistryForm):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=500)


class CancelForm(RegistryForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CertifyForm(RegistryForm):
    starts_on = date_field(
        _("The new term starts on"),
        required=False,
        help_text=_("Day/month/year in the Buddhist era; empty: the day of certification."),
    )


def parse_lot_order(text: str) -> list[int]:
    """ "3, 5, 1" (or spaces, Thai commas) -> [3, 5, 1]."""
    parts = [p for p in re.split(r"[\s,、]+", text.strip()) if p]
    numbers = []
    for part in parts:
        if not part.isdigit():
            raise ValidationError(
                _("Write the ballot numbers in the order drawn, separated by commas, e.g. 3, 5.")
            )
        numbers.append(int(part))
    if len(set(numbers)) != len(numbers):
        raise ValidationError(_("A ballot number appears twice in the lot order."))
    return numbers


class ResultsForm(RegistryForm):
    """Ballot counts and votes per candidate (one field `votes_<ballot number>` each); the
    tie-break fields matter only when equal votes straddle the last elected seat."""

    ballots_issued = forms.IntegerField(label=_("Ballots issued"), min_value=0)
    ballots_cast = forms.IntegerField(label=_("Ballots cast"), min_value=0)
    ballots_spoiled = forms.IntegerField(label=_("Spoiled ballots"), min_value=0)
    ballots_blank = forms.IntegerField(label=_("Blank ballots"), min_value=0)
    tie_break_method = forms.CharField(
        label=_("Tie-break method"),
        max_length=200,
        required=False,
        help_text=_("Only when candidates with equal votes compete for a seat, e.g. drawing lots."),
    )
    tie_break_note = forms.CharField(
        label=_("Tie-break record"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lot_order = forms.CharField(
        label=_("Lot order (ballot numbers in the order drawn)"),
        max_length=200,
        required=False,
        help_text=_("e.g. 3, 5: only for the tied candidates."),
    )

    COUNT_FIELDS = ("ballots_issued", "ballots_cast", "ballots_spoiled", "ballots_blank")

    def __init__(self, *args, candidates=(), election: Election | None = None, **kwargs):
        self.candidates = list(candidates)
        if election is not None and election.ballots_cast is not None:
            initial = {name: getattr(election, name) for name in self.COUNT_FIELDS}
            initial["tie_break_method"] = election.tie_break_method
            initial["tie_break_note"] = election.tie_break_note
            for c in self.candidates:
                initial[f"votes_{c.number}"] = c.votes
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        for c in self.candidates:
            self.fields[f"votes_{c.number}"] = forms.IntegerField(
                label=_("Votes for no. %(no)d %(name)s")
                % {"no": c.number, "name": c.person.full_name},
                min_value=0,
            )
        self.order_fields([*self.COUNT_FIELDS, *self.vote_field_names()])

    def vote_field_names(self) -> list[str]:
        return [f"votes_{c.number}" for c in self.candidates]

    def vote_fields(self):
        return [self[name] for name in self.vote_field_names()]

    def count_fields(self):
        return [self[name] for name in self.COUNT_FIELDS]

    def tie_fields(self):
        return [self[name] for name in ("tie_break_method", "tie_break_note", "lot_order")]

    def clean_lot_order(self) -> list[int]:
        return parse_lot_order(self.cleaned_data.get("lot_order") or "")

    def result_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.COUNT_FIELDS},
            "votes": {c.number: data[f"votes_{c.number}"] for c in self.candidates},
            "tie_break_method": data["tie_break_method"].strip(),
            "tie_break_note": data["tie_break_note"].strip(),
            "lot_order": data["lot_order"],
        }


class CorrectionForm(ResultsForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit log with the old and new counts."),
    )


def apply_election_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service error on its field: `votes.3` (a candidate's votes) -> `votes_3`; errors on
    fields the form lacks go to the top of the form."""
    if not hasattr(exc, "error_dict"):
        apply_service_errors(form, exc)
        return
    for name, errors in exc.error_dict.items():
        match = re.fullmatch(r"votes[._\[](\d+)\]?", name)
        target = f"votes_{match.group(1)}" if match else name
        for error in errors:
            form.add_error(target if target in form.fields else None, error)
