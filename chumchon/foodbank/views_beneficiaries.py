"""The beneficiary pages of a district food bank (helper "beneficiaries"), under
/foodbank/<district>/beneficiaries/: the list (search, welfare flag filter, points), registering
a person (by national ID) or a household (by house code or house number), the quick
registration of a person in no house registration, a beneficiary's page (flags, assessments,
awards with their expiry and points left, allowances, points history), the assessment form, a
one-off award, a monthly allowance, stopping it, taking an award back, closing.

Reading needs ``foodbank.view`` in the district, every write ``foodbank.assess``; outside the
user's reach the district is 404 (``permissions.district_get_for``), and a beneficiary of
another district is 404 under this one. The services check the rest and raise one
ValidationError, whose problems land on the form's fields. Welfare flags are shown to those who
may see them in the registry (``personal.view_flags``); national IDs only masked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from chumchon.accounts.scoping import has_perm
from chumchon.communities.forms import apply_service_errors
from chumchon.communities.models import Community, Household, Membership, Person
from chumchon.communities.services import find_person_by_national_id
from chumchon.communities.views.common import FLAG_LABELS
from chumchon.core.audit import record_event
from chumchon.core.national_id import mask_national_id

from . import ledger, selectors_points, services_points
from .forms_points import (
    AllowanceForm,
    AssessForm,
    AwardForm,
    BeneficiaryFilterForm,
    CloseForm,
    FindForm,
    QuickRegisterForm,
    RegisterForm,
    ReverseForm,
    StopForm,
)
from .models import Allowance, Award, Beneficiary, Criterion
from .permissions import ASSESS, VIEW, district_get_for

PAGE_SIZE = 50
FLAGS_PERM = "personal.view_flags"


def base_template() -> str:
    """The district header with tabs once it exists (helper "reports"), else the plain page."""
    try:
        get_template("foodbank/base_district.html")
    except TemplateDoesNotExist:
        return "foodbank/beneficiaries/_plain.html"
    return "foodbank/beneficiaries/_in_district.html"


def flag_labels(codes: list[str]) -> list[str]:
    return [str(FLAG_LABELS.get(code, code)) for code in codes]


class DistrictPage(LoginRequiredMixin, View):
    """A page of a district's food bank: ``perm`` there (``perm_post`` for POST)."""

    perm = VIEW
    perm_post: str | None = None
    template_name = ""
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        perm = self.perm_post if request.method == "POST" and self.perm_post else self.perm
        self.district = district_get_for(request.user, kwargs["district"], perm)
        self.store = ledger.store_for(self.district)
        self.today = timezone.localdate()
        return super().dispatch(request, *args, **kwargs)

    def may(self, perm: str) -> bool:
        return has_perm(self.request.user, perm, self.district.path)

    def crumbs(self, *more: dict) -> list[dict]:
        crumbs = [{"label": _("Home"), "url": reverse("home")}]
        for name, label, args in (
            ("foodbank-home", _("Food bank"), []),
            ("foodbank-district", self.district.display_name, [self.district.code]),
        ):
            try:
                url = reverse(name, args=args)
            except NoReverseMatch:  # the reports' pages are not there yet
                continue
            crumbs.append({"label": label, "url": url})
        crumbs.append(
            {
                "label": _("Beneficiaries"),
                "url": reverse("foodbank-beneficiaries", args=[self.district.code]),
            }
        )
        return [*crumbs, *more]

    def page(self, context: dict[str, Any], template: str | None = None, status: int = 200):
        context = {
            "district": self.district,
            "store": self.store,
            "tab": "beneficiaries",
            "base_template": base_template(),
            "title": self.title,
            "may_assess": self.may(ASSESS),
            "may_view_flags": self.may(FLAGS_PERM),
            **context,
        }
        context.setdefault("breadcrumbs", self.crumbs({"label": context["title"], "url": None}))
        return render(self.request, template or self.template_name, context, status=status)


class BeneficiaryPage(DistrictPage):
    """A page of one beneficiary of the district (404 for another district's)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_beneficiary(self) -> Beneficiary:
        beneficiary = (
            Beneficiary.objects.filter(store__area=self.district, pk=self.kwargs["pk"])
            .select_related("store__area", "person__household", "household__community__area")
            .first()
        )
        if beneficiary is None:
            raise Http404
        beneficiary.label = services_points.beneficiary_label(beneficiary)
        return beneficiary

    def beneficiary_url(self, beneficiary: Beneficiary) -> str:
        return reverse("foodbank-beneficiary", args=[self.district.code, beneficiary.pk])

    def beneficiary_crumbs(self, beneficiary: Beneficiary, title: str) -> list[dict]:
        return self.crumbs(
            {"label": beneficiary.label, "url": self.beneficiary_url(beneficiary)},
            {"label": title, "url": None},
        )


# --- the list ----------------------------------------------------------------------------------


class BeneficiaryListView(DistrictPage):
    template_name = "foodbank/beneficiaries/list.html"

    def post(self, request, district):
        """The search form posts, so a national ID searched never sits in a URL (address bar,
        history, server logs); pages of the result keep the other filters in the query."""
        return self.get(request, district, data=request.POST)

    def get(self, request, district, data=None):
        self.title = _("Beneficiaries")
        show_flags = self.may(FLAGS_PERM)
        data = request.GET if data is None else data
        form = BeneficiaryFilterForm(data or None, show_flags=show_flags)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        national_id = _national_id_in(filters.get("q"))
        qs = selectors_points.filtered(self.store, filters, self.today)
        if national_id:
            record_event(
                actor=request.user,
                action="foodbank.beneficiary_search",
                area_path=self.district.path,
                object_label=mask_national_id(national_id),
                changes={"found": qs.count()},
            )
        paginator = Paginator(selectors_points.with_row_data(qs, self.today), PAGE_SIZE)
        page = paginator.get_page(data.get("page"))
        rows = selectors_points.rows_for(list(page.object_list), self.today)
        for row in rows:
            row.flag_labels = flag_labels(row.flags) if show_flags else []
        query = {
            k: v
            for k, v in data.items()
            if k not in ("page", "csrfmiddlewaretoken") and v and not (k == "q" and national_id)
        }
        return self.page(
            {
                "form": form,
                "rows": rows,
                "page_obj": page,
                "is_paginated": page.has_other_pages(),
                "query_string": urlencode(query),
                "count": paginator.count,
            }
        )


def _national_id_in(text: str | None) -> str:
    """The 13 digits when a search text is a national ID (as selectors_points.filtered reads
    it), else ""."""
    digits = (text or "").strip().replace("-", "").replace(" ", "")
    return digits if len(digits) == 13 and digits.isdigit() else ""


# --- registering -------------------------------------------------------------------------------


def normalize_digits(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


class BeneficiaryNewView(DistrictPage):
    """Find a person (national ID) or a household (house code, or community and house number),
    then register them."""

    perm = ASSESS
    template_name = "foodbank/beneficiaries/register.html"

    def communities(self):
        return list(
            Community.objects.filter(area__path__startswith=self.district.path)
            .filter(status=Community.Status.ACTIVE)
            .select_related("area")
            .order_by("area__code")
        )

    def candidate(self, kind: str, target: Person | Household) -> dict[str, Any]:
        """What the page shows of the person or household found, with the refusal (another
        district, already registered) or the warning (household already served)."""
        problems = services_points.registration_problems(self.store, kind, target)
        info: dict[str, Any] = {"kind": kind, "problems": problems, "warnings": []}
        if kind == Beneficiary.Kind.PERSON:
            info["person"] = target
            if not problems:
                served = selectors_points.household_beneficiary_of(self.store, target)
                if served is not None:
                    info["warnings"].append(
                        _(
                            "%(name)s lives in a household that is already beneficiary "
                            "B%(number)s: register the person too only if they need their own "
                            "points."
                        )
                        % {"name": target.full_name, "number": served.number}
                    )
            info["flags"] = flag_labels(target.welfare_flags()) if not problems else []
        else:
            info["household"] = target
            if not problems:
                info["members"] = [
                    m.person
                    for m in Membership.objects.open_on(self.today)
                    .filter(household=target)
                    .select_related("person")
                ]
                for served in selectors_points.member_beneficiaries(self.store, target):
                    info["warnings"].append(
                        _("%(name)s of this household is already beneficiary B%(number)s.")
                        % {"name": served.person.full_name, "number": served.number}
                    )
        info["form"] = RegisterForm(
            initial={
                "kind": kind,
                "person": target.pk if kind == Beneficiary.Kind.PERSON else None,
                "household": target.pk if kind == Beneficiary.Kind.HOUSEHOLD else None,
            }
        )
        return info

    def find(self, form: FindForm) -> dict[str, Any] | None:
        if not form.is_bound or not form.is_valid():
            return None
        data = form.cleaned_data
        national_id = normalize_digits(data.get("national_id"))
        house_code = normalize_digits(data.get("house_code"))
        if data.get("national_id"):
            try:
                person = find_person_by_national_id(national_id)
            except ValidationError as exc:
                form.add_error("national_id", exc)
                return None
            if person is None:
                form.add_error(
                    "national_id",
                    _(
                        "No one with this national ID is in the registry: register the person "
                        "in the registry first, or use the quick registration."
                    ),
                )
                return None
            return self.candidate(Beneficiary.Kind.PERSON, person)
        if data.get("house_code"):
            household = Household.objects.filter(house_code=house_code).first()
            if household is None:
                form.add_error(
                    "house_code",
                    _("No household with the house registration code %(code)s is in the registry.")
                    % {"code": house_code},
                )
                return None
            return self.candidate(Beneficiary.Kind.HOUSEHOLD, household)
        if data.get("community") or data.get("house_no"):
            if not data.get("community") or not data.get("house_no"):
                form.add_error("house_no", _("Give both the community and the house number."))
                return None
            household = (
                Household.objects.filter(
                    community_id=data["community"],
                    community__area__path__startswith=self.district.path,
                    house_no=data["house_no"].strip(),
                )
                .order_by("id")
                .first()
            )
            if household is None:
                form.add_error(
                    "house_no",
                    _("No household with house number %(no)s in this community.")
                    % {"no": data["house_no"].strip()},
                )
                return None
            return self.candidate(Beneficiary.Kind.HOUSEHOLD, household)
        return None

    def render_page(self, find_form, found=None, status=200):
        self.title = _("Register a beneficiary")
        return self.page({"find_form": find_form, "found": found}, status=status)

    def get(self, request, district):
        return self.render_page(FindForm(communities=self.communities()))

    def post(self, request, district):
        if request.POST.get("action") == "find":
            # a POST, so that a national ID never travels in a URL (logs, history, links)
            find_form = FindForm(request.POST, communities=self.communities())
            found = self.find(find_form)
            if found is not None:  # a fresh form: the typed ID is not echoed back
                find_form = FindForm(communities=self.communities())
            return self.render_page(find_form, found)
        find_form = FindForm(communities=self.communities())
        form = RegisterForm(request.POST)
        if not form.is_valid():
            return self.render_page(find_form, {"form": form, "problems": {}, "warnings": []})
        kind = form.cleaned_data["kind"]
        target = None
        if kind == Beneficiary.Kind.PERSON and form.cleaned_data.get("person"):
            target = Person.objects.filter(pk=form.cleaned_data["person"]).first()
        elif kind == Beneficiary.Kind.HOUSEHOLD and form.cleaned_data.get("household"):
            target = Household.objects.filter(pk=form.cleaned_data["household"]).first()
        try:
            beneficiary = services_points.beneficiary_register(
                actor=request.user,
                store=self.store,
                kind=kind,
                person=target if kind == Beneficiary.Kind.PERSON else None,
                household=target if kind == Beneficiary.Kind.HOUSEHOLD else None,
                registered_on=form.cleaned_data.get("registered_on"),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            found = self.candidate(kind, target) if target is not None else {"warnings": []}
            apply_service_errors(form, exc)
            found["form"] = form
            return self.render_page(find_form, found)
        messages.success(
            request,
            _("Registered as beneficiary B%(number)s.") % {"number": beneficiary.number},
        )
        if kind == Beneficiary.Kind.PERSON:
            served = selectors_points.household_beneficiary_of(self.store, target)
            if served is not None:
                messages.warning(
                    request,
                    _("Their household is beneficiary B%(number)s too.")
                    % {"number": served.number},
                )
        return redirect("foodbank-beneficiary", district=self.district.code, pk=beneficiary.pk)


class BeneficiaryQuickView(DistrictPage):
    perm = ASSESS
    template_name = "foodbank/beneficiaries/form.html"

    def render_form(self, form):
        self.title = _("Quick registration")
        return self.page(
            {
                "form": form,
                "intro": _(
                    "For a person in no house registration (homeless, migrant): the registry "
                    "keeps a minimal record at the district, and the person is registered "
                    "here at once."
                ),
                "submit_label": _("Register"),
                "cancel_url": reverse("foodbank-beneficiaries", args=[self.district.code]),
            }
        )

    def get(self, request, district):
        return self.render_form(QuickRegisterForm())

    def post(self, request, district):
        form = QuickRegisterForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        data = form.cleaned_data
        try:
            beneficiary = services_points.beneficiary_quick_register(
                actor=request.user,
                store=self.store,
                first_name=data["first_name"],
                last_name=data.get("last_name", ""),
                approximate_age=data.get("approximate_age"),
                sex=data.get("sex", ""),
                missing_id_reason=data["missing_id_reason"],
                phone=data.get("phone", ""),
                note=data.get("note", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.render_form(form)
        messages.success(
            request,
            _("Registered as beneficiary B%(number)s.") % {"number": beneficiary.number},
        )
        return redirect("foodbank-beneficiary", district=self.district.code, pk=beneficiary.pk)


# --- one beneficiary ---------------------------------------------------------------------------


class BeneficiaryDetailView(BeneficiaryPage):
    template_name = "foodbank/beneficiaries/detail.html"

    def get(self, request, district, pk):
        beneficiary = self.get_beneficiary()
        self.title = beneficiary.label
        show_flags = self.may(FLAGS_PERM)
        assessments = list(beneficiary.assessments.select_related("assessed_by"))
        criteria = {c.code: c for c in Criterion.objects.all()}
        for assessment in assessments:
            assessment.flag_labels = flag_labels(assessment.flags) if show_flags else []
            assessment.lines = [
                (criteria[code].name if code in criteria else code, score)
                for code, score in assessment.scores.items()
            ]
        allowances = list(beneficiary.allowances.order_by("-starts_on", "-id"))
        running = services_points.running_allowance(beneficiary, self.today)
        for allowance in allowances:
            allowance.running = running is not None and allowance.pk == running.pk
        members = []
        if beneficiary.kind == Beneficiary.Kind.HOUSEHOLD:
            members = [
                m.person
                for m in Membership.objects.open_on(self.today)
                .filter(household=beneficiary.household)
                .select_related("person")
            ]
        return self.page(
            {
                "beneficiary": beneficiary,
                "flags": (
                    flag_labels(services_points.current_flags(beneficiary, self.today))
                    if show_flags
                    else []
                ),
                "balance": ledger.points_balance(beneficiary, self.today),
                "assessments": assessments,
                "awards": selectors_points.awards_with_left(beneficiary, self.today),
                "allowances": allowances,
                "history": selectors_points.points_history(beneficiary),
                "members": members,
                "adults": selectors_points.adults_who_may_redeem(beneficiary, self.today),
                "active": beneficiary.state == Beneficiary.State.ACTIVE,
                "breadcrumbs": self.crumbs({"label": beneficiary.label, "url": None}),
            }
        )


class BeneficiaryFormPage(BeneficiaryPage):
    """A form about one beneficiary: GET shows it, POST calls the service."""

    perm = ASSESS
    template_name = "foodbank/beneficiaries/form.html"
    form_class: Any = None
    submit_label = ""
    success_message = ""

    def make_form(self, data=None):
        return self.form_class(data)

    def extra(self) -> dict[str, Any]:
        return {}

    def render_form(self, form):
        return self.page(
            {
                "form": form,
                "beneficiary": self.beneficiary,
                "submit_label": self.submit_label,
                "cancel_url": self.beneficiary_url(self.beneficiary),
                "breadcrumbs": self.beneficiary_crumbs(self.beneficiary, self.title),
                **self.extra(),
            }
        )

    def setup_page(self):
        self.beneficiary = self.get_beneficiary()

    def get(self, request, *args, **kwargs):
        self.setup_page()
        return self.render_form(self.make_form())

    def post(self, request, *args, **kwargs):
        self.setup_page()
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        try:
            self.save(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases=self.aliases())
            return self.render_form(form)
        messages.success(request, self.success_message)
        return redirect(self.beneficiary_url(self.beneficiary))

    def aliases(self) -> dict[str, str]:
        return {}

    def save(self, data: dict[str, Any]) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class AssessView(BeneficiaryFormPage):
    template_name = "foodbank/beneficiaries/assess.html"

    def setup_page(self):
        super().setup_page()
        self.title = _("Assessment")
        self.submit_label = _("Save the assessment")
        self.criteria = list(Criterion.objects.filter(active=True))

    def make_form(self, data=None):
        return AssessForm(data, criteria=self.criteria)

    def extra(self):
        show = self.may(FLAGS_PERM)
        return {
            "flags": (
                flag_labels(services_points.current_flags(self.beneficiary, self.today))
                if show
                else []
            ),
        }

    def aliases(self):
        return {f"scores.{c.code}": f"score_{c.code}" for c in self.criteria}

    def save(self, data):
        form = self.make_form()
        form.cleaned_data = data
        assessment = services_points.assess(
            actor=self.request.user,
            beneficiary=self.beneficiary,
            scores=form.scores(),
            assessed_on=data.get("assessed_on"),
            note=data.get("note", ""),
        )
        self.success_message = _("Assessment saved: total score %(total)s.") % {
            "total": assessment.total
        }


class AwardView(BeneficiaryFormPage):
    form_class = AwardForm

    def setup_page(self):
        super().setup_page()
        self.title = _("Award points")
        self.submit_label = _("Award")

    def extra(self):
        return {
            "intro": _(
                "A one-off grant. Points are valid for %(days)s days unless you give "
                "another expiry date."
            )
            % {"days": self.store.award_valid_days}
        }

    def save(self, data):
        award = services_points.award_grant(
            actor=self.request.user,
            store=self.store,
            beneficiary=self.beneficiary,
            points=data.get("points"),
            reason=data.get("reason", ""),
            awarded_on=data.get("awarded_on"),
            expires_on=data.get("expires_on"),
        )
        self.success_message = _("%(points)s points awarded.") % {"points": award.points}


class AllowanceView(BeneficiaryFormPage):
    form_class = AllowanceForm

    def setup_page(self):
        super().setup_page()
        self.title = _("Monthly allowance")
        self.submit_label = _("Start the allowance")

    def extra(self):
        return {
            "intro": _(
                "Points are awarded on the 1st of every month from the first month until the "
                "end (or until stopped); when the allowance starts this month, this month's "
                "points come at once."
            )
        }

    def save(self, data):
        services_points.allowance_start(
            actor=self.request.user,
            store=self.store,
            beneficiary=self.beneficiary,
            points=data.get("points"),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            valid_days=data.get("valid_days") or None,
            reason=data.get("reason", ""),
        )
        self.success_message = _("The monthly allowance has started.")


class AllowanceStopView(BeneficiaryFormPage):
    form_class = StopForm

    def setup_page(self):
        super().setup_page()
        self.allowance = Allowance.objects.filter(
            beneficiary=self.beneficiary, pk=self.kwargs["allowance_pk"]
        ).first()
        if self.allowance is None:
            raise Http404
        self.title = _("Stop the allowance")
        self.submit_label = _("Stop")

    def extra(self):
        return {
            "intro": _("%(points)s points a month since %(since)s.")
            % {
                "points": self.allowance.points,
                "since": services_points.month_label(self.allowance.starts_on),
            }
        }

    def save(self, data):
        services_points.allowance_stop(
            actor=self.request.user,
            allowance=self.allowance,
            stopped_on=data.get("stopped_on") or self.today,
            reason=data.get("reason", ""),
        )
        self.success_message = _("The allowance is stopped.")


class AwardReverseView(BeneficiaryFormPage):
    form_class = ReverseForm

    def setup_page(self):
        super().setup_page()
        self.award = Award.objects.filter(
            beneficiary=self.beneficiary, pk=self.kwargs["award_pk"]
        ).first()
        if self.award is None:
            raise Http404
        self.title = _("Take back an award")
        self.submit_label = _("Take back what is left")

    def aliases(self):
        return {"award": "reason"}

    def extra(self):
        return {
            "intro": _(
                "%(points)s points awarded on %(date)s; what is left of them (%(left)s) is "
                "taken back."
            )
            % {
                "points": self.award.points,
                "date": services_points.format_date(self.award.awarded_on),
                "left": services_points.award_points_left(self.award),
            }
        }

    def save(self, data):
        entry = services_points.award_reverse(
            actor=self.request.user, award=self.award, reason=data.get("reason", "")
        )
        self.success_message = _("%(points)s points taken back.") % {"points": -entry.points}


class CloseView(BeneficiaryFormPage):
    form_class = CloseForm

    def setup_page(self):
        super().setup_page()
        self.title = _("Close the registration")
        self.submit_label = _("Close")

    def extra(self):
        return {
            "intro": _(
                "A running allowance stops on the closing day; points already awarded stay "
                "until they expire."
            )
        }

    def save(self, data):
        services_points.beneficiary_close(
            actor=self.request.user,
            beneficiary=self.beneficiary,
            reason=data.get("reason", ""),
            closed_on=data.get("closed_on"),
        )
        self.success_message = _("The registration is closed.")
