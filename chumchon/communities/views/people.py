"""Person pages: create in a household, the person's page, edit, status, move, the logged
reveal of the national ID, the subject-access report, and quick registration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from chumchon.core.national_id import format_national_id

from .. import domain, services
from ..forms import (
    CommunityPickForm,
    PersonForm,
    PersonMoveForm,
    PersonStatusForm,
    QuickRegisterForm,
    ReasonForm,
    edit_districts,
)
from ..models import Community, Person
from ..permissions import (
    can_edit_people,
    can_reveal_national_id,
    can_view_history,
    can_view_national_ids,
    can_view_people,
    can_view_subject_report,
    can_view_welfare_flags,
    household_get_for,
    household_scope,
    person_get_for,
    person_scope,
)
from ..selectors import person_memberships, person_subject_records
from .common import (
    RegistryFormView,
    deny_unless,
    flag_badges,
    household_crumbs,
    person_crumbs,
)

PERSON_ERROR_CODES = {"invalid_national_id": "national_id"}


class PersonMixin(LoginRequiredMixin):
    def get_person(self) -> Person:
        if not hasattr(self, "_person"):
            self._person = person_get_for(self.request.user, self.kwargs["pk"])
        return self._person

    def load(self):
        return self.get_person()

    def crumbs(self, label: str) -> list[dict]:
        return [*person_crumbs(self.request.user, self.object), {"label": label}]


class PersonCreateView(RegistryFormView):
    template_name = "communities/person_form.html"
    error_codes = PERSON_ERROR_CODES

    def load(self):
        return household_get_for(self.request.user, self.kwargs["pk"])

    def allowed(self, household) -> bool:
        return can_edit_people(self.request.user, household)

    def make_form(self, data=None):
        return PersonForm(data, with_welfare=can_view_welfare_flags(self.request.user, self.object))

    def save(self, form):
        data = form.cleaned_data
        person = services.person_create(
            actor=self.request.user,
            household=self.object,
            national_id=data["national_id"],
            **form.membership_values(),
            **form.person_values(),
        )
        messages.success(self.request, _("%(name)s was added.") % {"name": person.full_name})
        return redirect("person-detail", pk=person.pk)

    def context(self):
        household = self.object
        return {
            "title": _("New person in %(house)s") % {"house": household},
            "warning": _("The community is dissolved: it takes no new members.")
            if household.community.is_dissolved
            else "",
            "submit_label": _("Add the person"),
            "prefixes": domain.PREFIXES,
            "cancel_url": reverse("household-detail", args=[household.pk]),
            "breadcrumbs": [
                *household_crumbs(self.request.user, household),
                {"label": _("New person")},
            ],
        }


class PersonDetailView(PersonMixin, TemplateView):
    template_name = "communities/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        person = self.get_person()
        deny_unless(can_view_people(user, person))
        show_flags = can_view_welfare_flags(user, person)
        can_edit = can_edit_people(user, person)
        context.update(
            person=person,
            memberships=person_memberships(person),
            moves=person.moves.select_related("from_area", "to_area").order_by("-moved_on"),
            show_id=can_view_national_ids(user, person),
            show_flags=show_flags,
            flags=flag_badges(person) if show_flags else [],
            can_edit=can_edit,
            can_change_status=can_edit and bool(services.STATUS_TRANSITIONS.get(person.status)),
            can_reveal=can_reveal_national_id(user, person),
            can_subject_report=can_view_subject_report(user, person),
            can_view_history=can_view_history(user, person),
            reveal_form=ReasonForm(prefix="reveal"),
            breadcrumbs=person_crumbs(user, person)[:-1] + [{"label": person.full_name}],
        )
        return context


class PersonEditView(PersonMixin, RegistryFormView):
    template_name = "communities/person_form.html"
    error_codes = PERSON_ERROR_CODES

    def allowed(self, person) -> bool:
        return can_edit_people(self.request.user, person)

    def make_form(self, data=None):
        membership = self.object.memberships.filter(until__isnull=True).first()
        return PersonForm(
            data,
            person=self.object,
            membership=membership,
            with_membership=membership is not None,
            with_welfare=can_view_welfare_flags(self.request.user, self.object),
        )

    def save(self, form):
        services.person_update(
            actor=self.request.user,
            person=self.object,
            national_id=form.national_id_value(),
            **form.membership_values(),
            **form.person_values(),
        )
        messages.success(self.request, _("The person's details were saved."))
        return redirect("person-detail", pk=self.object.pk)

    def context(self):
        return {
            "title": _("Edit %(name)s") % {"name": self.object.full_name},
            "submit_label": _("Save"),
            "prefixes": domain.PREFIXES,
            "cancel_url": reverse("person-detail", args=[self.object.pk]),
            "breadcrumbs": self.crumbs(_("Edit")),
        }


class PersonStatusView(PersonMixin, RegistryFormView):
    template_name = "communities/person_status.html"

    def allowed(self, person) -> bool:
        return can_edit_people(self.request.user, person)

    def allowed_statuses(self):
        targets = services.STATUS_TRANSITIONS.get(self.object.status, set())
        return [(value, label) for value, label in Person.Status.choices if value in targets]

    def make_form(self, data=None):
        return PersonStatusForm(data, allowed=self.allowed_statuses())

    def save(self, form):
        data = form.cleaned_data
        person = services.person_set_status(
            actor=self.request.user,
            person=self.object,
            status=data["status"],
            on=data["status_on"],
            moved_to=data["moved_to"],
        )
        messages.success(
            self.request,
            _("The status of %(name)s is now: %(status)s.")
            % {"name": person.full_name, "status": person.get_status_display()},
        )
        return redirect("person-detail", pk=person.pk)

    def context(self):
        return {
            "title": _("Status of %(name)s") % {"name": self.object.full_name},
            "statuses": self.allowed_statuses(),
            "submit_label": _("Save the status"),
            "cancel_url": reverse("person-detail", args=[self.object.pk]),
            "breadcrumbs": self.crumbs(_("Status")),
        }


class PersonMoveView(PersonMixin, RegistryFormView):
    """Step 1 (GET ?community=): choose the community; step 2: the household there (or a new
    one by house number), the date and the relation."""

    template_name = "communities/person_move.html"
    error_codes = PERSON_ERROR_CODES
    error_aliases = {
        "since": "moved_on",
        "house_no": "new_house_no",
        "house_code": "new_house_no",
        "community": "to_community",
        "household": "to_household",
    }

    def allowed(self, person) -> bool:
        return can_edit_people(self.request.user, person)

    def chosen_community(self, raw) -> Community | None:
        # deliberately city-wide (not community_scope): a person may move to any active
        # community, and community names are not personal data; households there are listed
        # only within reach (`within_reach` below)
        try:
            return Community.objects.active().select_related("area__parent__kind").get(pk=int(raw))
        except (TypeError, ValueError, Community.DoesNotExist):
            return None

    def make_form(self, data=None):
        raw = data.get("to_community") if data is not None else self.request.GET.get("community")
        self.community = self.chosen_community(raw)
        # outside the user's reach the households there are not listed: a house number only
        self.within_reach = self.community is None or can_view_people(
            self.request.user, self.community
        )
        return PersonMoveForm(data, community=self.community, within_reach=self.within_reach)

    def save(self, form):
        data = form.cleaned_data
        user = self.request.user
        person = self.object
        old_household = person.household
        moving = {
            "actor": user,
            "person": person,
            "on": data["moved_on"],
            "relation": data["relation"],
            "in_house_registration": data["in_house_registration"],
            "reason": data["reason"].strip(),
        }
        if "to_household" not in form.fields:
            household = services.person_move_to_house_no(
                community=data["to_community"],
                house_no=data["new_house_no"],
                neutral=True,
                field="new_house_no",
                **moving,
            )
        else:
            with transaction.atomic():  # a new household is kept only if the move succeeds
                household = data["to_household"]
                if household is None:
                    household = services.household_create(
                        actor=user, community=data["to_community"], house_no=data["new_house_no"]
                    )
                services.person_move(to_household=household, **moving)
        messages.success(
            self.request,
            _("%(name)s moved to %(house)s, %(community)s.")
            % {"name": person.full_name, "house": household, "community": household.community},
        )
        if person_scope(user).filter(pk=person.pk).exists():
            return redirect("person-detail", pk=person.pk)
        if old_household and household_scope(user).filter(pk=old_household.pk).exists():
            return redirect("household-detail", pk=old_household.pk)
        return redirect("community-list")

    def context(self):
        initial = {"community": self.community.pk} if self.community else None
        return {
            "title": _("Move %(name)s") % {"name": self.object.full_name},
            "community": self.community,
            "within_reach": self.within_reach,
            "pick_form": CommunityPickForm(initial=initial),
            "cancel_url": reverse("person-detail", args=[self.object.pk]),
            "breadcrumbs": self.crumbs(_("Move")),
        }


class PersonRevealView(PersonMixin, RegistryFormView):
    """The full national ID, once, after a logged reason (a page, or an htmx fragment)."""

    template_name = "communities/person_reveal.html"
    PARTIAL = "communities/_reveal_panel.html"

    def allowed(self, person) -> bool:
        return can_view_subject_report(self.request.user, person)  # personal.reveal there

    @property
    def is_htmx(self) -> bool:
        return self.request.headers.get("HX-Request") == "true"

    def make_form(self, data=None):
        return ReasonForm(data, prefix="reveal")

    def save(self, form):
        number = services.person_reveal_national_id(
            actor=self.request.user, person=self.object, reason=form.cleaned_data["reason"]
        )
        return self.render(form, number=number)

    def render(self, form, **extra):
        if self.is_htmx:
            self.template_name = self.PARTIAL
        response = super().render(form, **extra)
        add_never_cache_headers(response)
        return response

    def context(self):
        return {
            "person": self.object,
            "has_id": bool(self.object.national_id),
            "title": _("National ID of %(name)s") % {"name": self.object.full_name},
            "breadcrumbs": self.crumbs(_("Reveal national ID")),
        }


class PersonSubjectReportView(PersonMixin, RegistryFormView):
    """Everything held on one person, for a subject-access request (a logged reveal)."""

    template_name = "communities/person_subject_report.html"

    def allowed(self, person) -> bool:
        return can_view_subject_report(self.request.user, person)

    def make_form(self, data=None):
        return ReasonForm(data)

    def save(self, form):
        person = self.object
        services.person_subject_report_logged(
            actor=self.request.user, person=person, reason=form.cleaned_data["reason"]
        )
        response = render(
            self.request,
            "communities/person_subject_report_result.html",
            {
                "person": person,
                "national_id": format_national_id(person.national_id),
                "fields": _person_fields(person),
                "flags": flag_badges(person),
                **person_subject_records(person),
                "reason": form.cleaned_data["reason"],
                "breadcrumbs": self.crumbs(_("Subject-access report")),
            },
        )
        add_never_cache_headers(response)
        return response

    def context(self):
        return {
            "person": self.object,
            "title": _("Subject-access report: %(name)s") % {"name": self.object.full_name},
            "breadcrumbs": self.crumbs(_("Subject-access report")),
        }


def _person_fields(person: Person) -> list[tuple[str, object]]:
    """Every stored field of the person with its label (choices shown as their labels)."""
    rows = []
    skip = {"id", "national_id", "national_id_hash", "household", "area", "user"}
    for field in Person._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(person, field.attname)
        if field.choices and value not in (None, ""):
            value = getattr(person, f"get_{field.name}_display")()
        rows.append((str(field.verbose_name), value))
    return rows


class PersonQuickRegisterView(RegistryFormView):
    """A minimal person for the food bank and welfare: no ID, in no house registration."""

    def allowed(self, obj) -> bool:
        return edit_districts(self.request.user).exists()

    def make_form(self, data=None):
        return QuickRegisterForm(data, user=self.request.user)

    def save(self, form):
        data = form.cleaned_data
        person = services.person_quick_register(
            actor=self.request.user,
            area=data["district"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            approximate_age=data["approximate_age"],
            sex=data["sex"],
            missing_id_reason=data["missing_id_reason"],
            phone=data["phone"].strip(),
        )
        messages.success(self.request, _("%(name)s was registered.") % {"name": person.full_name})
        return redirect("person-detail", pk=person.pk)

    def context(self):
        return {
            "title": _("Quick registration of a person"),
            "intro": _(
                "For people outside any house registration (homeless people, migrants) whom "
                "the food bank and welfare serve: a name, an approximate age, no national ID."
            ),
            "submit_label": _("Register"),
            "cancel_url": reverse("community-list"),
            "breadcrumbs": [
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Communities"), "url": reverse("community-list")},
                {"label": _("Quick registration")},
            ],
        }
