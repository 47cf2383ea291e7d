"""The upload form of registry imports."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chumchon.core.forms import StyledForm

from .imports.columns import COMMUNITIES, PEOPLE, SURVEYS
from .imports.start import check_upload


class ImportForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            (PEOPLE, _("Households and people")),
            (COMMUNITIES, _("Communities")),
            (SURVEYS, _("Household surveys")),
        ],
        initial=PEOPLE,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_(
            "Excel workbook (.xlsx, at most 300,000 rows) or CSV (UTF-8 or Thai Windows "
            "encoding), at most 100 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): save nothing"),
        required=False,
    )
    draft = forms.BooleanField(
        label=_("Surveys: import as drafts (not submitted, not classified)"),
        required=False,
    )
    replace_drafts = forms.BooleanField(
        label=_("Surveys: replace a house's draft survey of the round (never a submitted one)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # radios look like Bootstrap radios, not a form-control box
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and cleaned.get("file"):
            try:
                check_upload(cleaned["kind"], cleaned["file"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return cleaned
