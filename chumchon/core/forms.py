"""Form rendering shared by every module: Bootstrap classes, labels, errors next to fields."""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from .dates import parse_date


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


class StyledFormMixin:
    """Adds Bootstrap classes and ARIA links between fields, help texts and errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        # Invalid fields are marked by add_error, which full_clean calls for every error: not
        # here, since reading self.errors would validate before a subclass sets its choices.

    def _mark_invalid(self, name: str) -> None:
        widget = self.fields[name].widget
        if "is-invalid" not in widget.attrs.get("class", ""):
            widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
        widget.attrs["aria-invalid"] = "true"
        widget.attrs["aria-describedby"] = f"id_{name}_error"

    def add_error(self, field, error):
        """Every error (from full_clean or, later, from a service) marks its field."""
        super().add_error(field, error)
        names = [field] if field else []
        if field is None and hasattr(error, "error_dict"):
            names = list(error.error_dict)
        for name in names:
            if name in self.fields:
                self._mark_invalid(name)


class StyledForm(StyledFormMixin, forms.Form):
    pass


class ThaiDateField(forms.CharField):
    """A date typed the Thai way (12/03/2567, 12/03/67, 2024-03-12, Thai digits)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        return parse_date(value)


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), required=False, max_length=255)
