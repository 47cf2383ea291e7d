"""Forms of the application pages: what a person types, checked for shape only. The spending
rules (amounts, refused items, category shares, dates, statuses, maker-checker) live in
services_applications.py; a service's ValidationError lands on these forms through
`apply_application_errors` (item problems on their row of the item formset)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from chumchon.core.forms import StyledForm, ThaiDateField

from .domain import ItemIn
from .models import Application

DATE_HELP = _("Day/month/Buddhist-era year, e.g. 15/01/2567.")


class ApplicationForm(StyledForm):
    title = forms.CharField(label=_("Project title"), max_length=300, required=False)
    prepared_for = forms.ChoiceField(
        label=_("Prepared by"), choices=Application.PreparedFor.choices, required=False
    )


class ItemForm(StyledForm):
    activity = forms.CharField(label=_("Activity"), max_length=300, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    description = forms.CharField(label=_("Item"), max_length=500, required=False)
    amount = forms.CharField(
        label=_("Amount (baht)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "data-item-amount": "1"}
        ),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choose a category")), *categories]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any((data.get(name) or "").strip() for name in self.fields)


class BaseItemFormSet(BaseFormSet):
    def __init__(self, *args, categories=(), **kwargs):
        self.categories = list(categories)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "categories": self.categories}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            categories=self.categories,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def item_rows(self) -> list[tuple[int, ItemIn]]:
        """(form index, item) of the rows typed in (blank rows are skipped)."""
        rows = []
        for index, form in enumerate(self.forms):
            if form.is_blank():
                continue
            data = form.cleaned_data
            rows.append(
                (
                    index,
                    ItemIn(
                        category=data.get("category") or "",
                        description=data.get("description") or "",
                        amount=(data.get("amount") or "").strip(),
                        activity=data.get("activity") or "",
                    ),
                )
            )
        return rows


ItemFormSet = formset_factory(ItemForm, formset=BaseItemFormSet, extra=0, max_num=200)


class SubmitForm(StyledForm):
    submitted_on = ThaiDateField(label=_("Submitted on"), help_text=DATE_HELP)


class ReviewForm(StyledForm):
    on = ThaiDateField(label=_("Reviewed on"), help_text=DATE_HELP, required=False)
    note = forms.CharField(
        label=_("Review note"), required=False, widget=forms.Textarea({"rows": 2})
    )


class ApproveForm(StyledForm):
    on = ThaiDateField(label=_("Approved on"), help_text=DATE_HELP, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))


class ReturnForm(StyledForm):
    on = ThaiDateField(label=_("Returned on"), help_text=DATE_HELP, required=False)
    reason = forms.CharField(label=_("Reason (what to change)"), widget=forms.Textarea({"rows": 2}))


def apply_application_errors(
    exc: ValidationError,
    *,
    form: forms.Form,
    formset: BaseItemFormSet | None = None,
    rows: list[tuple[int, Any]] | None = None,
) -> list[str]:
    """Put a service's problems where they belong: `items.N.field` on the N-th typed row of the
    formset, other fields of `form` on them; returns the messages that belong to no field
    (shown above the form)."""
    general: list[str] = []
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    rows = rows or []
    for key, errors in exc.message_dict.items():
        parts = key.split(".")
        if parts[0] == "items" and len(parts) == 3 and formset is not None:
            n = int(parts[1])
            if 1 <= n <= len(rows):
                item_form = formset.forms[rows[n - 1][0]]
                for message in errors:
                    item_form.add_error(parts[2], message)
                continue
        if key in form.fields:
            for message in errors:
                form.add_error(key, message)
        else:
            general.extend(errors)
    return general
