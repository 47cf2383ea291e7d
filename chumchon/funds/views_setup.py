"""Fund setup pages: the list of funds in reach, creating a fund, its overview, rules, chart of
accounts, members (add by national ID, leave), and its committee (appoint, end a seat, grant the
seat's role to a user account).

Thin views: reads need ``funds.view`` on the fund, the rules, chart and committee
``funds.manage``, members ``funds.record`` (the treasurer keeps the member list); every write is
one service of services_setup.py whose ValidationError lands on the form's fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from chumchon.accounts.scoping import has_perm_anywhere
from chumchon.communities.forms import apply_service_errors
from chumchon.organizations.models import Area

from . import ledger
from . import services_setup as services
from .forms_setup import (
    AccountForm,
    FundCreateForm,
    FundRulesForm,
    MemberAddForm,
    MemberLeaveForm,
    OfficerAppointForm,
    OfficerEndForm,
    OfficerGrantForm,
)
from .models import Account, Entry, Fund, FundKind, FundMember, FundOfficer, Leg
from .permissions import (
    MANAGE,
    RECORD,
    VIEW,
    can_create_funds,
    can_manage,
    can_record,
    creatable_areas,
    fund_get_for,
    fund_scope,
)

ZERO = Decimal("0.00")
_MONEY = ledger.MONEY_SUM
POSTED = Entry.Status.POSTED


def url_or_none(name: str, *args: Any) -> str | None:
    """A page another helper provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def crumbs(fund: Fund | None = None, last: str | None = None) -> list[dict]:
    items = [
        {"label": _("Home"), "url": reverse("home")},
        {"label": _("Community funds"), "url": reverse("fund-list")},
    ]
    if fund is not None:
        items.append({"label": fund.name, "url": reverse("fund-detail", args=[fund.pk])})
    if last:
        items.append({"label": last})
    return items


def _sum_subquery(legs, expression) -> Coalesce:
    """The sum of ``expression`` over ``legs`` (a queryset filtered on an OuterRef), 0 if none."""
    total = (
        legs.order_by()
        .values("entry__fund")
        .annotate(total=Sum(expression, output_field=_MONEY))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def with_figures(funds):
    """Funds annotated with active members, cash + bank, loans outstanding and pending entries
    (posted legs; one query whatever the number of funds)."""
    legs = Leg.objects.filter(entry__fund=OuterRef("pk"), entry__status=POSTED)
    members = (
        FundMember.objects.filter(fund=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("fund")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pending = (
        Entry.objects.filter(fund=OuterRef("pk"), status=Entry.Status.PENDING)
        .order_by()
        .values("fund")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return funds.annotate(
        n_members=Coalesce(Subquery(members), Value(0)),
        money=_sum_subquery(
            legs.filter(account__role__in=["cash", "bank"]), F("debit") - F("credit")
        ),
        loans_outstanding=_sum_subquery(
            legs.filter(account__role="loans"), F("debit") - F("credit")
        ),
        n_pending=Coalesce(Subquery(pending), Value(0)),
    )


class FundListView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        if not has_perm_anywhere(user, VIEW):
            raise PermissionDenied
        scope = fund_scope(user)
        districts = Area.objects.filter(kind__code="district").filter(
            Q(pk__in=scope.values("area__parent")) | Q(pk__in=scope.values("area"))
        )
        district = (request.GET.get("district") or "").strip()
        community = (request.GET.get("community") or "").strip()
        kind = (request.GET.get("kind") or "").strip()
        funds = scope
        if district:
            area = Area.objects.filter(code=district, kind__code="district").first()
            funds = funds.filter(area__path__startswith=area.path) if area else funds.none()
        if community:
            funds = funds.filter(Q(area__code=community) | Q(area__name_th__icontains=community))
        if kind:
            funds = funds.filter(kind__code=kind)
        funds = with_figures(funds.select_related("area__parent", "kind")).order_by(
            "area__path", "name", "pk"
        )
        page = Paginator(funds, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "funds/setup/fund_list.html",
            {
                "page_obj": page,
                "districts": districts.order_by("code"),
                "kinds": FundKind.objects.all(),
                "district": district,
                "community": community,
                "kind": kind,
                "can_create": can_create_funds(user),
                "queue_url": url_or_none("fund-queue"),
                "arrears_url": url_or_none("fund-arrears"),
                "breadcrumbs": crumbs()[:-1] + [{"label": _("Community funds")}],
            },
        )


class FundCreateView(LoginRequiredMixin, View):
    template_name = "funds/setup/fund_create.html"

    def _form(self, data=None):
        areas = creatable_areas(self.request.user).select_related("kind").order_by("path")
        initial = {}
        area = self.request.GET.get("area")
        if area:
            initial["area"] = areas.filter(code=area).first()
        return FundCreateForm(data, areas=areas, initial=initial)

    def _render(self, form):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "kinds": FundKind.objects.all(),
                "title": _("New community fund"),
                "breadcrumbs": crumbs(None, _("New community fund")),
            },
        )

    def get(self, request):
        if not can_create_funds(request.user):
            raise PermissionDenied
        return self._render(self._form())

    def post(self, request):
        if not can_create_funds(request.user):
            raise PermissionDenied
        form = self._form(request.POST)
        if form.is_valid():
            try:
                fund = services.fund_create(actor=request.user, **form.values())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The fund %(name)s was created.") % {"name": fund.name})
                return redirect("fund-detail", pk=fund.pk)
        return self._render(form)


class FundPageMixin(LoginRequiredMixin, View):
    """A page of one fund: 404 outside reach, 403 without the permission there."""

    tab = "overview"

    def load(self, perm: str = VIEW) -> Fund:
        self.fund = fund_get_for(self.request.user, self.kwargs["pk"], perm)
        return self.fund

    def page(self, template: str, context: dict[str, Any], title: str | None = None):
        return render(
            self.request,
            template,
            {
                "fund": self.fund,
                "tab": self.tab,
                "title": title,
                "breadcrumbs": crumbs(self.fund, title),
                **context,
            },
        )


class FundDetailView(FundPageMixin):
    def get(self, request, pk):
        fund = self.load()
        from . import selectors

        summary = selectors.fund_summary(fund)
        user = request.user
        operations = []
        recorder = can_record(user, fund)
        if recorder:
            from .services_entries import OPERATIONS

            operations = [
                {"label": label, "url": reverse("fund-entry-new", args=[fund.pk, op])}
                for op, label in OPERATIONS.items()
            ]
        entries = list(
            Entry.objects.filter(fund=fund)
            .select_related("member__person")
            .order_by("-entry_date", "-number")[:10]
        )
        return self.page(
            "funds/setup/fund_detail.html",
            {
                "summary": summary,
                "entries": entries,
                "operations": operations,
                "can_manage": can_manage(user, fund),
                "entries_url": url_or_none("fund-entries", fund.pk),
                "queue_url": url_or_none("fund-queue"),
                # opening balances come in once, before the first entry
                "import_url": reverse("fund-import", args=[fund.pk])
                if recorder and not entries
                else "",
            },
        )


class FundFormPage(FundPageMixin):
    """One form of a fund that calls one service (GET shows it, POST saves)."""

    perm = MANAGE
    template_name = "funds/setup/form.html"
    title = ""
    submit = ""

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form) -> HttpResponse:
        raise NotImplementedError

    def back(self) -> str:
        return reverse("fund-detail", args=[self.fund.pk])

    def prepare(self) -> None:
        self.load(self.perm)

    def render_form(self, form):
        return self.page(
            self.template_name,
            {"form": form, "submit_label": self.submit, "cancel_url": self.back()},
            self.title,
        )

    def get(self, request, *args, **kwargs):
        self.prepare()
        return self.render_form(self.make_form())

    def post(self, request, *args, **kwargs):
        self.prepare()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                return self.save(form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return self.render_form(form)


class FundEditView(FundFormPage):
    @property
    def title(self):
        return _("Rules of the fund")

    @property
    def submit(self):
        return _("Save")

    def make_form(self, data=None):
        fund = self.fund
        initial = {name: getattr(fund, name) for name in ("name", "registration_no", "note")}
        for name in services.RULE_FIELDS:
            value = getattr(fund, name)
            initial[name] = f"{value:,}" if isinstance(value, Decimal) else value
        return FundRulesForm(data, initial=initial)

    def save(self, form):
        services.fund_update(actor=self.request.user, fund=self.fund, **form.values())
        messages.success(
            self.request,
            _("The rules were saved. Loans already paid out keep the rules of their contract."),
        )
        return redirect("fund-detail", pk=self.fund.pk)


class FundAccountsView(FundPageMixin):
    """The chart of accounts with each account's posted balance; adding an account."""

    def _render(self, form):
        fund = self.fund
        totals = {
            row["account"]: row
            for row in Leg.objects.filter(entry__fund=fund, entry__status=POSTED)
            .order_by()
            .values("account")
            .annotate(debit=Sum("debit"), credit=Sum("credit"))
        }
        rows = []
        for account in Account.objects.filter(fund=fund).order_by("code"):
            total = totals.get(account.pk, {"debit": ZERO, "credit": ZERO})
            if account.debit_normal:
                balance = total["debit"] - total["credit"]
            else:
                balance = total["credit"] - total["debit"]
            rows.append({"account": account, "balance": balance})
        return self.page(
            "funds/setup/accounts.html",
            {"rows": rows, "form": form if can_manage(self.request.user, fund) else None},
            _("Chart of accounts"),
        )

    def get(self, request, pk):
        self.load()
        return self._render(AccountForm())

    def post(self, request, pk):
        self.load(MANAGE)
        form = AccountForm(request.POST)
        if form.is_valid():
            try:
                account = services.account_add(
                    actor=request.user, fund=self.fund, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The account %(account)s was added.") % {"account": account}
                )
                return redirect("fund-accounts", pk=self.fund.pk)
        return self._render(form)


def with_member_money(members):
    """Members annotated with their posted savings and the principal their loans still owe
    (one query whatever the number of members)."""
    savings = Leg.objects.filter(
        member=OuterRef("pk"), account__role="savings", entry__status=POSTED
    )
    loans = Leg.objects.filter(
        loan__member=OuterRef("pk"), account__role="loans", entry__status=POSTED
    )
    return members.annotate(
        savings=_sum_subquery(savings, F("credit") - F("debit")),
        loans_outstanding=_sum_subquery(loans, F("debit") - F("credit")),
    )


class FundMembersView(FundPageMixin):
    tab = "members"

    def _render(self, form):
        fund = self.fund
        show = self.request.GET.get("show", "")
        members = FundMember.objects.filter(fund=fund).select_related("person")
        if show != "all":
            members = members.filter(left_on__isnull=True)
        members = with_member_money(members).order_by("member_no")
        page = Paginator(members, 100).get_page(self.request.GET.get("page"))
        return self.page(
            "funds/setup/members.html",
            {
                "page_obj": page,
                "show": show,
                "form": form if can_record(self.request.user, fund) else None,
            },
            _("Members"),
        )

    def get(self, request, pk):
        self.load()
        return self._render(MemberAddForm(initial={"joined_on": ""}))

    def post(self, request, pk):
        self.load(RECORD)
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                member = services.member_add(
                    actor=request.user,
                    fund=self.fund,
                    person=form.person,
                    joined_on=form.cleaned_data["joined_on"],
                    member_no=form.cleaned_data["member_no"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, aliases={"person": "national_id"})
            else:
                messages.success(
                    request,
                    _("%(name)s joined the fund as member %(no)s.")
                    % {"name": member.person.full_name, "no": member.member_no},
                )
                return redirect("fund-members", pk=self.fund.pk)
        return self._render(form)


class MemberMixin(FundPageMixin):
    tab = "members"

    def load_member(self, perm: str = VIEW) -> FundMember:
        fund = self.load(perm)
        self.member = get_object_or_404(
            FundMember.objects.select_related("person"), pk=self.kwargs["member_pk"], fund=fund
        )
        return self.member


class FundMemberView(MemberMixin):
    def get(self, request, pk, member_pk):
        member = self.load_member()
        from . import selectors

        passbook = selectors.passbook(member)
        loans = selectors.member_loans(member)
        for loan in loans:
            loan.url = url_or_none("fund-loan", self.fund.pk, loan.pk)
        user = request.user
        return self.page(
            "funds/setup/member.html",
            {
                "member": member,
                "person": member.person,
                "passbook": passbook,
                "savings": passbook[-1].balance if passbook else ZERO,
                "loans": loans,
                "can_record": can_record(user, self.fund),
                "passbook_pdf_url": url_or_none("fund-passbook-pdf", self.fund.pk, member.pk),
                "deposit_url": url_or_none("fund-entry-new", self.fund.pk, "deposit"),
            },
            _("Member %(no)s") % {"no": member.member_no},
        )


class FundMemberLeaveView(MemberMixin, FundFormPage):
    perm = RECORD

    @property
    def title(self):
        return _("Member %(no)s %(name)s leaves the fund") % {
            "no": self.member.member_no,
            "name": self.member.person.full_name,
        }

    @property
    def submit(self):
        return _("Record the leaving")

    def prepare(self):
        self.load_member(self.perm)

    def back(self):
        return reverse("fund-member", args=[self.fund.pk, self.member.pk])

    def make_form(self, data=None):
        return MemberLeaveForm(data, initial={"left_on": ""})

    def save(self, form):
        services.member_leave(actor=self.request.user, member=self.member, **form.cleaned_data)
        messages.success(self.request, _("The member's leaving was recorded."))
        return redirect(self.back())


class FundCommitteeView(FundPageMixin):
    tab = "committee"

    def _render(self, form):
        fund = self.fund
        today = timezone.localdate()
        officers = list(
            FundOfficer.objects.filter(fund=fund)
            .select_related("person", "role_assignment__user", "role_assignment__role")
            .order_by("-starts_on", "pk")
        )
        current, past = [], []
        for officer in officers:
            assignment = officer.role_assignment
            officer.role_active = assignment is not None and (
                assignment.valid_to is None or assignment.valid_to >= today
            )
            if officer.ends_on is None or officer.ends_on > today:
                current.append(officer)
            else:
                past.append(officer)
        return self.page(
            "funds/setup/committee.html",
            {
                "current": current,
                "past": past,
                "form": form if can_manage(self.request.user, fund) else None,
            },
            _("Fund committee"),
        )

    def get(self, request, pk):
        self.load()
        return self._render(OfficerAppointForm(initial={"starts_on": ""}))

    def post(self, request, pk):
        self.load(MANAGE)
        form = OfficerAppointForm(request.POST)
        if form.is_valid():
            try:
                officer = services.officer_appoint(
                    actor=request.user,
                    fund=self.fund,
                    person=form.person,
                    position=form.cleaned_data["position"],
                    starts_on=form.cleaned_data["starts_on"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, aliases={"person": "national_id"})
            else:
                messages.success(
                    request,
                    _("%(name)s was appointed %(position)s.")
                    % {
                        "name": officer.person.full_name,
                        "position": officer.get_position_display(),
                    },
                )
                return redirect("fund-committee", pk=self.fund.pk)
        return self._render(form)


class OfficerMixin(FundFormPage):
    tab = "committee"

    def prepare(self):
        fund = self.load(self.perm)
        self.officer = get_object_or_404(
            FundOfficer.objects.select_related("person"), pk=self.kwargs["officer_pk"], fund=fund
        )

    def back(self):
        return reverse("fund-committee", args=[self.fund.pk])

    def seat(self) -> dict[str, str]:
        return {
            "name": self.officer.person.full_name,
            "position": self.officer.get_position_display(),
        }


class FundOfficerEndView(OfficerMixin):
    @property
    def title(self):
        return _("End the seat of %(name)s (%(position)s)") % self.seat()

    @property
    def submit(self):
        return _("End the seat")

    def make_form(self, data=None):
        return OfficerEndForm(data, initial={"ends_on": ""})

    def save(self, form):
        services.officer_end(actor=self.request.user, officer=self.officer, **form.cleaned_data)
        messages.success(self.request, _("The seat was ended."))
        return redirect(self.back())


class FundOfficerGrantView(OfficerMixin):
    @property
    def title(self):
        return _("Grant the role of %(position)s to a user account: %(name)s") % self.seat()

    @property
    def submit(self):
        return _("Grant the role")

    def make_form(self, data=None):
        return OfficerGrantForm(data)

    def save(self, form):
        services.officer_grant_role(actor=self.request.user, officer=self.officer, user=form.user)
        messages.success(
            self.request,
            _("The user account %(user)s now acts for this fund as %(position)s.")
            % {"user": form.user.get_username(), "position": self.officer.get_position_display()},
        )
        return redirect(self.back())
