"""The staff search page: one box for communities, households and people (GET ?q=), and a
national-ID form sent by POST only, so that an ID never appears in a URL, a log or the history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chumchon.accounts.scoping import has_perm_anywhere
from chumchon.core.forms import StyledForm

from ..permissions import can_view_national_ids
from ..search import COUNT_CAP, MAX_QUERY_LENGTH, SearchResults, search_registry
from .common import deny_unless


def can_search_registry(user: Any) -> bool:
    """Staff and committee members: whoever may see people somewhere (then scoped)."""
    return has_perm_anywhere(user, "people.view")


def can_search_national_ids(user: Any) -> bool:
    """Whoever may see (masked) national IDs somewhere: staff, not committee members."""
    return has_perm_anywhere(user, "records.view")


class TextSearchForm(StyledForm):
    # No max_length here: the search says what is wrong (empty, too long) in its own words.
    q = forms.CharField(
        label=gettext_lazy("Name, house number or community"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Part of a Thai or English name (“สมชาย ใจดี” for first and last name), a house "
            "number or a community code. Fewer than 3 characters: names that start with them."
        ),
    )


class NationalIdSearchForm(StyledForm):
    national_id = forms.CharField(
        label=gettext_lazy("National ID"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=gettext_lazy("13 digits; dashes and spaces are ignored. Each search is logged."),
    )


class RegistrySearchView(LoginRequiredMixin, View):
    template_name = "communities/search.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            deny_unless(can_search_registry(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        # Only `q` is read: a national ID in the query string is ignored, never searched.
        text_form = TextSearchForm(request.GET if "q" in request.GET else None)
        results = None
        if text_form.is_bound:
            results = self._search(text_form, "q", text=request.GET.get("q", ""))
        return self._render(text_form, NationalIdSearchForm(), results)

    def post(self, request):
        deny_unless(can_search_national_ids(request.user))
        id_form = NationalIdSearchForm(request.POST)
        value = request.POST.get("national_id", "")
        results = None
        if not value.strip():
            id_form.is_valid()
            id_form.add_error("national_id", _("Enter the 13-digit national ID number."))
        else:
            results = self._search(id_form, "national_id", national_id=value)
            if results is not None:
                id_form = NationalIdSearchForm()  # the number is not echoed back
        return self._render(TextSearchForm(), id_form, results)

    def _search(self, form: forms.Form, field: str, **query: str) -> SearchResults | None:
        form.is_valid()
        try:
            return search_registry(self.request.user, **query)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if name not in form.fields else name, message)
            return None

    def _render(self, text_form, id_form, results: SearchResults | None):
        user = self.request.user
        people = []
        if results is not None:
            people = [
                {
                    "person": person,
                    "masked_id": person.masked_national_id
                    if can_view_national_ids(user, person)
                    else None,
                }
                for person in results.people
            ]
        response = render(
            self.request,
            self.template_name,
            {
                "text_form": text_form,
                "id_form": id_form if can_search_national_ids(user) else None,
                "results": results,
                "people": people,
                "cap": COUNT_CAP,
                "max_length": MAX_QUERY_LENGTH,
                "breadcrumbs": [
                    {"label": _("Home"), "url": reverse("home")},
                    {"label": _("Search the registry")},
                ],
            },
        )
        add_never_cache_headers(response)  # names and masked IDs: not for shared caches
        return response
