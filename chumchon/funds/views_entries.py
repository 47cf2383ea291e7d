"""The books' pages (helper "books"): record an entry (one page per operation), the journal,
an entry with its confirm / reject / reverse pages, the confirmation queue, loans and closing
periods.

Permissions: reading needs ``funds.view`` on the fund, recording and reversing
``funds.record``, confirming and rejecting ``funds.confirm`` (and, a service rule, not being the
one who recorded the entry). Outside the user's reach a fund is 404 (``fund_get_for``). The
services do the checks and raise one ValidationError; its problems land on the form's fields
("amount", "entry_date", "legs.N.debit", ...), the rest on top of the form. List pages read a
constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery, Sum
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from chumchon.accounts.scoping import has_perm_anywhere
from chumchon.communities.forms import apply_service_errors
from chumchon.communities.views.common import deny_unless
from chumchon.core.dates import format_date
from chumchon.core.money import amount_problem, format_baht

from . import domain, ledger, services_entries, services_loans, services_periods
from .forms_entries import (
    OPERATION_FORMS,
    ConfirmForm,
    JournalFilterForm,
    LegFormSet,
    LoanFilterForm,
    RejectForm,
    ReverseForm,
    accounts_of,
)
from .models import Entry, Fund, FundMember, FundOfficer, Instalment, Leg, Loan, PeriodClose
from .permissions import (
    CONFIRM,
    RECORD,
    VIEW,
    can_confirm,
    can_record,
    fund_get_for,
    fund_scope,
)

ZERO = Decimal("0.00")
PAGE_SIZE = 50


def operation_labels() -> dict[str, str]:
    """Operation -> label (services_entries.OPERATIONS), in the order of the forms."""
    return {op: str(services_entries.OPERATIONS[op]) for op in OPERATION_FORMS}


def fund_crumbs(fund: Fund, *more: dict) -> list[dict]:
    crumbs = [{"label": _("Home"), "url": reverse("home")}]
    try:
        crumbs.append({"label": _("Community funds"), "url": reverse("fund-list")})
        crumbs.append({"label": fund.name, "url": reverse("fund-detail", args=[fund.pk])})
    except Exception:  # the setup pages are not there yet
        crumbs.append({"label": fund.name, "url": reverse("fund-entries", args=[fund.pk])})
    return [*crumbs, *more]


class FundPage(LoginRequiredMixin, View):
    """A page of one fund: ``perm`` on the fund (404 outside reach, 403 without it)."""

    perm = VIEW
    perm_post: str | None = None
    tab = "entries"
    template_name = ""

    def setup_fund(self, method: str) -> Fund:
        perm = self.perm_post if method == "POST" and self.perm_post else self.perm
        self.fund = fund_get_for(self.request.user, self.kwargs["pk"], perm)
        return self.fund

    def page(self, context: dict[str, Any], template: str | None = None):
        return render(
            self.request,
            template or self.template_name,
            {"fund": self.fund, "tab": self.tab, **context},
        )


# --- the fund's members, loans and balances for the forms --------------------------------------


def _available_by(field: str, fund: Fund, roles) -> dict[int, Decimal]:
    rows = (
        Leg.objects.filter(entry__fund=fund, account__role__in=roles, **{f"{field}__isnull": False})
        .values(field)
        .annotate(total=Sum(ledger.available_expr()))
        .values_list(field, "total")
    )
    return {key: total or ZERO for key, total in rows}


def current_members(fund: Fund, *, with_savings: bool = False) -> list[FundMember]:
    today = timezone.localdate()
    members = list(
        FundMember.objects.filter(fund=fund)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .select_related("person")
        .order_by("member_no")
    )
    if with_savings:
        savings = _available_by("member", fund, ["savings"])
        for member in members:
            member.available = savings.get(member.pk, ZERO)
    return members


def owing_loans(fund: Fund, *, include: int | None = None) -> list[Loan]:
    owed = _available_by("loan", fund, sorted(domain.LOAN_ROLES))
    loans = [
        loan
        for loan in Loan.objects.filter(fund=fund).select_related("member__person")
        if owed.get(loan.pk, ZERO) > 0 or loan.pk == include
    ]
    for loan in loans:
        loan.owed = owed.get(loan.pk, ZERO)
    return loans


def money_on_hand(fund: Fund) -> dict[str, Decimal]:
    return {
        "cash": ledger.balance(fund, "cash", available=True),
        "bank": ledger.balance(fund, "bank", available=True),
    }


def confirmers(fund: Fund, user: Any) -> str:
    """Who may confirm the fund's entries besides ``user``: the seats whose role confirms."""
    today = timezone.localdate()
    names = sorted(
        {
            officer.person.full_name
            for officer in FundOfficer.objects.filter(
                fund=fund,
                starts_on__lte=today,
                role_assignment__role__permissions__code=CONFIRM,
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .exclude(role_assignment__user=user)
            .select_related("person")
        }
    )
    head = _("the district division head")
    if not names:
        return _("another member of the fund's committee or %(head)s") % {"head": head}
    return _("%(names)s or %(head)s") % {"names": ", ".join(names), "head": head}


def saved_message(entry: Entry, user: Any) -> str:
    facts = {
        "number": entry.number,
        "kind": entry.get_kind_display(),
        "amount": format_baht(entry.amount),
    }
    if entry.status == Entry.Status.PENDING:
        return _(
            "Entry %(number)s (%(kind)s, %(amount)s) is saved and waits for confirmation by "
            "%(who)s: it is above the fund's threshold of %(threshold)s and counts only once "
            "confirmed."
        ) % {
            **facts,
            "who": confirmers(entry.fund, user),
            "threshold": format_baht(entry.fund.confirm_threshold),
        }
    return _("Entry %(number)s (%(kind)s, %(amount)s) is posted.") % facts


# --- recording an entry -------------------------------------------------------------------------


@dataclass
class JournalRows:
    formset: Any
    row_of: dict[int, int]  # the service's leg number -> the formset's row index


class EntryNewView(FundPage):
    perm = RECORD
    template_name = "funds/entries/entry_form.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("op") not in OPERATION_FORMS:
            raise Http404
        self.op = kwargs["op"]
        return super().dispatch(request, *args, **kwargs)

    # choices -----------------------------------------------------------------------------------

    def choices(self) -> dict[str, Any]:
        fund, op = self.fund, self.op
        if op in ("deposit", "withdrawal", "loan"):
            return {"members": current_members(fund, with_savings=True)}
        if op == "repayment":
            include = self.request.GET.get("loan") or self.request.POST.get("loan")
            return {"loans": owing_loans(fund, include=int(include) if _int(include) else None)}
        if op == "expense":
            return {"accounts": accounts_of(fund, "expense")}
        if op == "income":
            return {"accounts": accounts_of(fund, "income")}
        return {}

    def journal_choices(self) -> dict[str, Any]:
        return {
            "accounts": list(accounts_of(self.fund)),
            "members": list(
                FundMember.objects.filter(fund=self.fund)
                .select_related("person")
                .order_by("member_no")
            ),
            "loans": list(
                Loan.objects.filter(fund=self.fund)
                .select_related("member__person")
                .order_by("number")
            ),
        }

    def make_form(self, data=None):
        self.options = self.choices()
        initial = {}
        for name in ("member", "loan"):
            if _int(self.request.GET.get(name)):
                initial[name] = self.request.GET[name]
        if self.op in ("expense", "income"):
            default_role = "expenses" if self.op == "expense" else "fee_income"
            default = next((a for a in self.options["accounts"] if a.role == default_role), None)
            if default is not None:
                initial["account"] = str(default.pk)
        return OPERATION_FORMS[self.op](data, fund=self.fund, initial=initial, **self.options)

    def make_rows(self, data=None, *, extra: int = 0) -> JournalRows | None:
        if self.op != "journal":
            return None
        self.journal_options = self.journal_choices()
        formset = LegFormSet(data, prefix="legs", form_kwargs=self.journal_options)
        if extra and data is not None:
            # one more empty row (the "add a row" button without JavaScript)
            data = data.copy()
            total = str(data.get("legs-TOTAL_FORMS") or "0")
            if total.isdigit():  # a tampered count: the formset reports it
                data["legs-TOTAL_FORMS"] = str(int(total) + extra)
            formset = LegFormSet(data, prefix="legs", form_kwargs=self.journal_options)
        return JournalRows(formset, {})

    # requests ----------------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        self.setup_fund("GET")
        return self.render_form(self.make_form(), self.make_rows())

    def post(self, request, *args, **kwargs):
        self.setup_fund("POST")
        action = request.POST.get("action", "save")
        form = self.make_form(request.POST)
        rows = self.make_rows(request.POST, extra=1 if action == "add_row" else 0)
        if action == "add_row":
            return self.render_form(form, rows, keep_errors=False)
        valid = form.is_valid()
        if rows is not None:
            valid = rows.formset.is_valid() and valid
        if not valid:
            return self.render_form(form, rows)
        if action == "preview" and self.op == "loan":
            return self.render_form(form, rows, schedule=self.preview(form))
        try:
            entry = self.save(form, rows)
        except ValidationError as exc:
            self.apply_errors(form, rows, exc)
            return self.render_form(form, rows)
        messages.success(request, saved_message(entry, request.user))
        return redirect("fund-entry", pk=self.fund.pk, entry_pk=entry.pk)

    # saving ------------------------------------------------------------------------------------

    def chosen(self, form, name: str, objects) -> Any:
        value = form.cleaned_data.get(name)
        return next((o for o in objects if str(o.pk) == str(value)), None)

    def save(self, form, rows: JournalRows | None) -> Entry:
        data = form.cleaned_data
        user, fund, op = self.request.user, self.fund, self.op
        common = {"actor": user, "fund": fund, "entry_date": data["entry_date"]}
        reference = data.get("reference", "")
        entries = services_entries
        if op in ("deposit", "withdrawal"):
            member = self.chosen(form, "member", self.options["members"])
            return getattr(entries, op)(
                **common,
                member=member,
                amount=data["amount"],
                via=data["via"],
                reference=reference,
                description=data["description"],
            )
        if op == "loan":
            loan = services_loans.loan_disburse(
                **common,
                member=self.chosen(form, "member", self.options["members"]),
                principal=data["amount"],
                instalments=data["instalments"] or None,
                first_due_on=data["first_due_on"] or None,
                via=data["via"],
                purpose=data["purpose"],
                guarantors=data["guarantors"],
                reference=reference,
            )
            return (
                Entry.objects.select_related("fund")
                .filter(loan=loan, kind=Entry.Kind.LOAN)
                .order_by("number")
                .first()
            )
        if op == "repayment":
            return services_loans.repayment(
                **common,
                loan=self.chosen(form, "loan", self.options["loans"]),
                amount=data["amount"],
                via=data["via"],
                reference=reference,
            )
        if op in ("expense", "income"):
            return getattr(entries, op)(
                **common,
                amount=data["amount"],
                description=data["description"],
                via=data["via"],
                account=self.chosen(form, "account", self.options["accounts"]),
                reference=reference,
            )
        if op == "grant":
            return entries.grant(
                **common,
                amount=data["amount"],
                via=data["via"],
                source=data["source"],
                reference=reference,
            )
        if op == "capital":
            return entries.capital(
                **common,
                amount=data["amount"],
                via=data["via"],
                description=data["description"],
                reference=reference,
            )
        if op == "transfer":
            return entries.transfer(
                **common,
                amount=data["amount"],
                to=data["to"],
                reference=reference,
                description=data["description"],
            )
        return entries.journal(
            **common,
            legs=self.journal_legs(rows),
            description=data["description"],
            reference=reference,
        )

    def journal_legs(self, rows: JournalRows) -> list[dict]:
        options = self.journal_options
        by_pk = {
            name: {str(o.pk): o for o in options[name]} for name in ("accounts", "members", "loans")
        }
        legs = []
        rows.row_of.clear()
        for index, row in enumerate(rows.formset.forms):
            if row.is_blank():
                continue
            data = row.cleaned_data
            legs.append(
                {
                    "account": by_pk["accounts"].get(data.get("account") or ""),
                    "debit": data.get("debit") or "",
                    "credit": data.get("credit") or "",
                    "member": by_pk["members"].get(data.get("member") or ""),
                    "loan": by_pk["loans"].get(data.get("loan") or ""),
                }
            )
            rows.row_of[len(legs)] = index
        return legs

    def apply_errors(self, form, rows: JournalRows | None, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            apply_service_errors(form, exc)
            return
        aliases = {"principal": "amount", "account_code": "account", "date": "entry_date"}
        general = {}
        for key, errors in exc.error_dict.items():
            parts = key.split(".")
            if rows is not None and parts[0] == "legs" and len(parts) >= 2 and _int(parts[1]):
                index = rows.row_of.get(int(parts[1]))
                if index is not None:
                    row = rows.formset.forms[index]
                    target = parts[2] if len(parts) > 2 else None
                    target = target if target in row.fields else None
                    for error in errors:
                        row.add_error(target, error)
                    continue
            general[key] = errors
        if general:
            apply_service_errors(form, ValidationError(general), aliases=aliases)

    # the schedule preview and the page ----------------------------------------------------------

    def preview(self, form) -> dict | None:
        data = form.cleaned_data
        principal, problem = amount_problem(data["amount"], label=_("Principal"))
        if problem:
            form.add_error("amount", problem)
            return None
        count = data["instalments"] or self.fund.max_instalments
        first_due = data["first_due_on"] or domain.add_months(data["entry_date"], 1)
        rows = domain.schedule(
            principal, self.fund.interest_rate, self.fund.interest_method, count, first_due
        )
        return {
            "rows": rows,
            "principal": sum((r.principal_due for r in rows), ZERO),
            "interest": sum((r.interest_due for r in rows), ZERO),
            "total": sum((r.total for r in rows), ZERO),
        }

    def render_form(self, form, rows: JournalRows | None, *, keep_errors=True, schedule=None):
        labels = operation_labels()
        title = labels[self.op]
        if not keep_errors:
            # one more row: the typed values stay, without errors on what is not filled in yet
            form._errors = ErrorDict()
            if rows is not None:
                for row in rows.formset.forms:
                    row._errors = ErrorDict()
                rows.formset._errors = [row._errors for row in rows.formset.forms]
                rows.formset._non_form_errors = rows.formset.error_class()
        empty_row = None
        if rows is not None:
            empty_row = rows.formset.empty_form
        return self.page(
            {
                "title": title,
                "op": self.op,
                "form": form,
                "rows": rows.formset if rows is not None else None,
                "empty_row": empty_row,
                "schedule": schedule,
                "operations": labels,
                "money": money_on_hand(self.fund),
                "loan_rules": self.op == "loan",
                "cancel_url": reverse("fund-entries", args=[self.fund.pk]),
                "breadcrumbs": fund_crumbs(
                    self.fund,
                    {"label": _("Entries"), "url": reverse("fund-entries", args=[self.fund.pk])},
                    {"label": title},
                ),
            }
        )


def _int(value: Any) -> bool:
    return str(value or "").isdigit()


# --- the journal and an entry ----------------------------------------------------------------------


def entry_queryset():
    live_reversal = Entry.objects.filter(reverses=OuterRef("pk")).exclude(
        status=Entry.Status.REJECTED
    )
    return Entry.objects.select_related(
        "member__person", "loan", "recorded_by", "decided_by", "reverses"
    ).annotate(
        reversed_by_number=Subquery(live_reversal.values("number")[:1]),
    )


class EntryListView(FundPage):
    template_name = "funds/entries/entry_list.html"

    def get(self, request, *args, **kwargs):
        fund = self.setup_fund("GET")
        form = JournalFilterForm(request.GET or None)
        entries = entry_queryset().filter(fund=fund).order_by("-entry_date", "-number")
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["month"]:
                first, last = domain.month_bounds(data["month"])
                entries = entries.filter(entry_date__range=(first, last))
            if data["kind"]:
                entries = entries.filter(kind=data["kind"])
            if data["status"]:
                entries = entries.filter(status=data["status"])
        paginator = Paginator(entries, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        may_record = can_record(request.user, fund)
        return self.page(
            {
                "form": form,
                "page_obj": page,
                "entries": page.object_list,
                "query_string": query.urlencode(),
                "may_record": may_record,
                "operations": operation_labels() if may_record else {},
                "breadcrumbs": fund_crumbs(fund, {"label": _("Entries")}),
            }
        )


def load_entry(fund: Fund, entry_pk: Any) -> Entry:
    try:
        return (
            entry_queryset().select_related("fund__area", "fund__kind").get(fund=fund, pk=entry_pk)
        )
    except (Entry.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def entry_actions(user: Any, entry: Entry) -> dict[str, bool]:
    fund = entry.fund
    pending = entry.status == Entry.Status.PENDING
    decide = pending and entry.recorded_by_id != user.pk and can_confirm(user, fund)
    reversible = (
        entry.status == Entry.Status.POSTED
        and entry.kind != Entry.Kind.REVERSAL
        and entry.reversed_by_number is None
    )
    return {
        "confirm": decide,
        "reject": decide,
        "reverse": reversible and can_record(user, fund),
        "own_pending": pending and entry.recorded_by_id == user.pk,
    }


def entry_context(fund: Fund, entry: Entry) -> dict[str, Any]:
    legs = list(Leg.objects.filter(entry=entry).select_related("account", "member__person", "loan"))
    reversals = list(Entry.objects.filter(reverses=entry).order_by("number"))
    savings = None
    if entry.member_id and entry.kind in (Entry.Kind.DEPOSIT, Entry.Kind.WITHDRAWAL):
        savings = ledger.savings_of(entry.member)
    return {
        "entry": entry,
        "legs": legs,
        "total_debit": sum((leg.debit for leg in legs), ZERO),
        "total_credit": sum((leg.credit for leg in legs), ZERO),
        "reversals": reversals,
        "savings": savings,
    }


class EntryDetailView(FundPage):
    template_name = "funds/entries/entry_detail.html"

    def get(self, request, *args, **kwargs):
        fund = self.setup_fund("GET")
        entry = load_entry(fund, kwargs["entry_pk"])
        return self.page(
            {
                **entry_context(fund, entry),
                "actions": entry_actions(request.user, entry),
                "reject_form": RejectForm(),
                "reverse_form": ReverseForm(),
                "breadcrumbs": fund_crumbs(
                    fund,
                    {"label": _("Entries"), "url": reverse("fund-entries", args=[fund.pk])},
                    {"label": _("Entry %(number)s") % {"number": entry.number}},
                ),
            }
        )


class EntryDecisionView(FundPage):
    """Confirm, reject or reverse one entry: a page showing the entry and one form."""

    template_name = "funds/entries/entry_decide.html"
    form_class: Any = ConfirmForm

    def title(self) -> str:
        raise NotImplementedError

    def button(self) -> str:
        raise NotImplementedError

    def act(self, form) -> tuple[Entry, str]:
        raise NotImplementedError

    def load(self, method: str) -> Entry:
        fund = self.setup_fund(method)
        self.entry = load_entry(fund, self.kwargs["entry_pk"])
        return self.entry

    def get(self, request, *args, **kwargs):
        self.load("GET")
        return self.show(self.form_class())

    def post(self, request, *args, **kwargs):
        self.load("POST")
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                entry, message = self.act(form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("fund-entry", pk=self.fund.pk, entry_pk=entry.pk)
        return self.show(form)

    def show(self, form):
        fund, entry = self.fund, self.entry
        back = reverse("fund-entry", args=[fund.pk, entry.pk])
        return self.page(
            {
                **entry_context(fund, entry),
                "form": form,
                "title": self.title(),
                "button": self.button(),
                "cancel_url": back,
                "breadcrumbs": fund_crumbs(
                    fund,
                    {"label": _("Entries"), "url": reverse("fund-entries", args=[fund.pk])},
                    {"label": _("Entry %(number)s") % {"number": entry.number}, "url": back},
                    {"label": self.title()},
                ),
            }
        )


class EntryConfirmView(EntryDecisionView):
    perm = CONFIRM

    def title(self):
        return _("Confirm entry %(number)s") % {"number": self.entry.number}

    def button(self):
        return _("Confirm the entry")

    def act(self, form):
        entry = services_entries.confirm(actor=self.request.user, entry=self.entry)
        return entry, _("Entry %(number)s of %(amount)s is confirmed and posted.") % {
            "number": entry.number,
            "amount": format_baht(entry.amount),
        }


class EntryRejectView(EntryDecisionView):
    perm = CONFIRM
    form_class = RejectForm

    def title(self):
        return _("Reject entry %(number)s") % {"number": self.entry.number}

    def button(self):
        return _("Reject the entry")

    def act(self, form):
        entry = services_entries.reject(
            actor=self.request.user, entry=self.entry, reason=form.cleaned_data["reason"]
        )
        return entry, _("Entry %(number)s is rejected: it does not count in the books.") % {
            "number": entry.number
        }


class EntryReverseView(EntryDecisionView):
    perm = RECORD
    form_class = ReverseForm

    def title(self):
        return _("Reverse entry %(number)s") % {"number": self.entry.number}

    def button(self):
        return _("Reverse the entry")

    def act(self, form):
        data = form.cleaned_data
        reversal = services_entries.reverse(
            actor=self.request.user,
            entry=self.entry,
            reason=data["reason"],
            entry_date=data["entry_date"] or None,
        )
        return reversal, _("Entry %(number)s is reversed by entry %(reversal)s. %(status)s") % {
            "number": self.entry.number,
            "reversal": reversal.number,
            "status": saved_message(reversal, self.request.user),
        }


# --- the confirmation queue ---------------------------------------------------------------------


class QueueView(LoginRequiredMixin, View):
    template_name = "funds/entries/queue.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        deny_unless(has_perm_anywhere(user, CONFIRM))
        entries = (
            Entry.objects.filter(
                status=Entry.Status.PENDING,
                fund__in=fund_scope(user, CONFIRM).values("pk"),
            )
            .exclude(recorded_by=user)
            .select_related("fund__area", "member__person", "loan", "recorded_by")
            .order_by("fund__area__path", "fund_id", "entry_date", "number")
        )
        paginator = Paginator(entries, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "page_obj": page,
                "entries": page.object_list,
                "breadcrumbs": [
                    {"label": _("Home"), "url": reverse("home")},
                    {"label": _("Entries awaiting my confirmation")},
                ],
            },
        )


# --- loans ---------------------------------------------------------------------------------------


def next_due(loan: Loan, paid_principal: Decimal) -> Instalment | None:
    """The first instalment whose principal the payments so far do not cover."""
    covered = ZERO
    for instalment in loan.schedule.all():
        covered += instalment.principal_due
        if covered > paid_principal:
            return instalment
    return None


class LoanListView(FundPage):
    tab = "loans"
    template_name = "funds/entries/loan_list.html"

    def get(self, request, *args, **kwargs):
        fund = self.setup_fund("GET")
        form = LoanFilterForm(request.GET or None)
        loans = (
            Loan.objects.filter(fund=fund)
            .select_related("member__person")
            .prefetch_related(Prefetch("schedule", queryset=Instalment.objects.order_by("number")))
            .order_by("-number")
        )
        if form.is_bound and form.is_valid() and form.cleaned_data["arrears"]:
            loans = loans.filter(arrears_since__isnull=False)
        paginator = Paginator(loans, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = list(page.object_list)
        owed = ledger.owed_by_loans(loan.pk for loan in rows)
        for loan in rows:
            loan.owed_principal = owed[loan.pk].principal
            loan.owed_total = owed[loan.pk].total
            loan.next_instalment = (
                next_due(loan, loan.principal - loan.owed_principal)
                if loan.owed_principal > 0
                else None
            )
        query = request.GET.copy()
        query.pop("page", None)
        return self.page(
            {
                "form": form,
                "page_obj": page,
                "loans": rows,
                "query_string": query.urlencode(),
                "may_record": can_record(request.user, fund),
                "breadcrumbs": fund_crumbs(fund, {"label": _("Loans")}),
            }
        )


class LoanDetailView(FundPage):
    tab = "loans"
    template_name = "funds/entries/loan_detail.html"

    def get(self, request, *args, **kwargs):
        fund = self.setup_fund("GET")
        try:
            loan = Loan.objects.select_related("member__person").get(
                fund=fund, pk=kwargs["loan_pk"]
            )
        except (Loan.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc
        today = timezone.localdate()
        status = services_loans.loan_status(loan, on=today)
        covered_principal = status.paid_principal
        rows, cumulative = [], ZERO
        for instalment in status.schedule:
            before = cumulative
            cumulative += instalment.principal_due
            if covered_principal >= cumulative:
                state = "paid"
            elif covered_principal > before:
                state = "part"
            elif instalment.due_on < today:
                state = "late"
            else:
                state = "due"
            rows.append({"instalment": instalment, "state": state})
        return self.page(
            {
                "loan": loan,
                "status": status,
                "rows": rows,
                "history": status.history,
                "may_record": can_record(request.user, fund) and status.owed.total > 0,
                "breadcrumbs": fund_crumbs(
                    fund,
                    {"label": _("Loans"), "url": reverse("fund-loans", args=[fund.pk])},
                    {"label": str(loan)},
                ),
            }
        )


# --- periods -------------------------------------------------------------------------------------


class PeriodsView(FundPage):
    tab = "periods"
    perm_post = RECORD
    template_name = "funds/entries/periods.html"

    def year_choices(self, fund: Fund) -> list[tuple[Any, str]]:
        """Accounting years that have ended and are not closed yet, oldest first."""
        today = timezone.localdate()
        closed = set(
            PeriodClose.objects.filter(fund=fund, kind=PeriodClose.Kind.YEAR).values_list(
                "starts_on", flat=True
            )
        )
        first, last = domain.accounting_year_bounds(fund.books_start, fund.year_start_month)
        years = []
        while last < today:
            if first not in closed:
                years.append((first, last))
            first = domain.add_months(first, 12)
            last = domain.accounting_year_bounds(first, fund.year_start_month)[1]
        return years

    def context(self, fund: Fund) -> dict[str, Any]:
        open_start = services_periods.open_period_start(fund)
        first, last = domain.month_bounds(open_start)
        return {
            "closes": list(
                PeriodClose.objects.filter(fund=fund)
                .select_related("closed_by")
                .order_by("-ends_on", "kind")
            ),
            "open_start": open_start,
            "open_month": first,
            "open_month_end": last,
            "open_month_value": f"{first.year:04d}-{first.month:02d}",
            "month_ended": last < timezone.localdate(),
            "years": self.year_choices(fund),
            "pending": Entry.objects.filter(
                fund=fund, status=Entry.Status.PENDING, entry_date__lte=last
            ).count(),
            "may_close": can_record(self.request.user, fund),
            "breadcrumbs": fund_crumbs(fund, {"label": _("Periods")}),
        }

    def get(self, request, *args, **kwargs):
        fund = self.setup_fund("GET")
        return self.page(self.context(fund))

    def post(self, request, *args, **kwargs):
        fund = self.setup_fund("POST")
        action = request.POST.get("action")
        errors: list[str] = []
        ask = None
        try:
            if action == "close_month":
                month = domain.parse_month(request.POST.get("month"))
                if request.POST.get("confirmed") != "yes":
                    ask = {"action": action, "month": month, "value": request.POST["month"]}
                else:
                    close = services_periods.close_month(actor=request.user, fund=fund, month=month)
                    return self.closed(close)
            elif action == "close_year":
                year_start = _iso(request.POST.get("year_start"))
                if year_start is None:
                    errors.append(_("Choose the accounting year to close."))
                elif request.POST.get("confirmed") != "yes":
                    ask = {
                        "action": action,
                        "year_start": year_start,
                        "year_end": domain.accounting_year_bounds(
                            year_start, fund.year_start_month
                        )[1],
                        "value": year_start.isoformat(),
                    }
                else:
                    close = services_periods.close_year(
                        actor=request.user, fund=fund, year_start=year_start
                    )
                    return self.closed(close)
            else:
                errors.append(_("Choose a month or a year to close."))
        except ValidationError as exc:
            errors.extend(message for message in exc.messages)
        return self.page({**self.context(fund), "errors": errors, "ask": ask})

    def closed(self, close: PeriodClose):
        messages.success(
            self.request,
            _("The books are closed from %(start)s to %(end)s.")
            % {"start": format_date(close.starts_on), "end": format_date(close.ends_on)},
        )
        return redirect("fund-periods", pk=self.fund.pk)


def _iso(value: Any):
    from datetime import date

    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None
