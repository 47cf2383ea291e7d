"""Report pages of a fund: the monthly statement, the year's balance sheet and income statement
(for the members' annual meeting), the trial balance, each as a page and in Excel (and the
statement and the year in PDF), a member's passbook in PDF, loans in arrears per district, and
the Excel import of a fund's opening balances and members.

Reading needs ``funds.view`` on the fund (404 outside reach, 403 inside without it); the
import needs ``funds.record``; the arrears report lists the funds the user may read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from chumchon.accounts.scoping import reach_of
from chumchon.core.dates import THAI_MONTHS, be_year, format_date
from chumchon.core.documents import pdf_response, render_pdf
from chumchon.core.excel import write_xlsx
from chumchon.core.money import format_number

from . import domain, selectors
from .forms_reports import DayForm, ImportForm, MonthForm, YearForm
from .imports import ImportRefused, import_opening, template_xlsx
from .models import Entry, Fund, FundMember
from .permissions import RECORD, VIEW, fund_get_for, fund_scope

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _url(name: str, *args: Any) -> str:
    """A URL of a page another part of the module may not have yet: "" until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def heading(fund: Fund) -> dict[str, Any]:
    """Who the document is about: the fund, its community and its district (Thai names)."""
    area = fund.area
    community = area if area.kind.code == "community" else None
    district = area.parent if community is not None else area
    return {
        "fund": fund,
        "community_name": community.name_th if community else "",
        "district_name": district.name_th if district else "",
        "printed_on": timezone.localdate(),
    }


def crumbs(fund: Fund, label: str) -> list[dict]:
    items: list[dict] = [{"label": _("Home"), "url": _url("home")}]
    items.append({"label": _("Community funds"), "url": _url("fund-list")})
    items.append({"label": fund.name, "url": _url("fund-detail", fund.pk)})
    items.append({"label": label})
    return items


class FundViewMixin(LoginRequiredMixin):
    perm = VIEW

    def get_fund(self) -> Fund:
        return fund_get_for(self.request.user, self.kwargs["pk"], self.perm)

    def wants(self) -> str:
        return (self.request.GET.get("format") or "").lower()


# --- the monthly statement ---------------------------------------------------------------------


def _entry_member(entry: Entry) -> str:
    if entry.member_id:
        return f"{entry.member.member_no} {entry.member.person.full_name}"
    return ""


class StatementView(FundViewMixin, View):
    def get(self, request, *args, **kwargs):
        fund = self.get_fund()
        form = MonthForm(request.GET or None)
        month = None
        if form.is_bound and form.is_valid():
            month = form.cleaned_data["month"]
        if month is None:
            month = timezone.localdate().replace(day=1)
        report = selectors.statement(fund, month)
        label = domain.month_bounds(month)[0]
        fmt = self.wants()
        if fmt == "xlsx":
            return xlsx_response(self.xlsx(fund, report), f"statement-{fund.pk}-{month:%Y-%m}.xlsx")
        if fmt == "pdf":
            pdf = render_pdf(
                "funds/reports/statement_pdf.html",
                {
                    **heading(fund),
                    "report": report,
                    "title": f"รายงานการเงินประจำเดือน{_month_label_th(label)}",
                    "subtitle": (
                        f"ระหว่างวันที่ {format_date(report.start, lang='th')} "
                        f"ถึงวันที่ {format_date(report.end, lang='th')}"
                    ),
                },
            )
            return pdf_response(pdf, f"statement-{fund.pk}-{month:%Y-%m}.pdf")
        previous = domain.add_months(month, -1)
        following = domain.add_months(month, 1)
        base = reverse("fund-statement", args=[fund.pk])
        context = {
            "fund": fund,
            "tab": "statements",
            "form": form,
            "report": report,
            "month_value": f"{month:%Y-%m}",
            "previous_url": f"{base}?month={previous:%Y-%m}",
            "next_url": f"{base}?month={following:%Y-%m}"
            if following <= timezone.localdate()
            else "",
            "xlsx_url": f"{base}?month={month:%Y-%m}&format=xlsx",
            "pdf_url": f"{base}?month={month:%Y-%m}&format=pdf",
            "before_books": report.end < fund.books_start,
            "breadcrumbs": crumbs(fund, _("Monthly statement")),
            **report_links(fund),
        }
        return render(request, "funds/reports/statement.html", context)

    def xlsx(self, fund: Fund, report: selectors.Statement) -> bytes:
        accounts = [
            [
                row.account.code,
                row.account.name,
                row.account.get_type_display(),
                row.opening,
                row.debit,
                row.credit,
                row.closing,
            ]
            for row in report.rows
        ]
        entries = []
        for entry in report.entries:
            for leg in entry.legs.all():
                entries.append(
                    [
                        entry.number,
                        entry.entry_date,
                        entry.get_kind_display(),
                        entry.description,
                        entry.reference,
                        leg.account.code,
                        leg.account.name,
                        f"{leg.member.member_no}" if leg.member_id else "",
                        f"{leg.loan.number}" if leg.loan_id else "",
                        leg.debit or None,
                        leg.credit or None,
                    ]
                )
        short = [
            [s.member.member_no, s.member.person.full_name, s.saved, s.short]
            for s in report.savings_short
        ]
        return write_xlsx(
            [
                (
                    _("Accounts"),
                    [
                        _("Code"),
                        _("Account"),
                        _("Type"),
                        _("Opening balance"),
                        _("Debit"),
                        _("Credit"),
                        _("Closing balance"),
                    ],
                    accounts,
                ),
                (
                    _("Entries"),
                    [
                        _("Entry no."),
                        _("Date"),
                        _("Kind"),
                        _("Description"),
                        _("Reference"),
                        _("Code"),
                        _("Account"),
                        _("Member no."),
                        _("Loan no."),
                        _("Debit"),
                        _("Credit"),
                    ],
                    entries,
                ),
                (
                    _("Below the savings minimum"),
                    [_("Member no."), _("Name"), _("Saved this month"), _("Short by")],
                    short,
                ),
            ]
        )


def _month_label_th(month: date) -> str:
    return f"{THAI_MONTHS[month.month - 1]} {be_year(month)}"  # official documents: Thai


def report_links(fund: Fund) -> dict[str, str]:
    return {
        "statement_url": reverse("fund-statement", args=[fund.pk]),
        "year_url": reverse("fund-year", args=[fund.pk]),
        "trial_url": reverse("fund-trial-balance", args=[fund.pk]),
    }


# --- the year: balance sheet and income statement -------------------------------------------


class YearView(FundViewMixin, View):
    def get(self, request, *args, **kwargs):
        fund = self.get_fund()
        form = YearForm(request.GET or None)
        today = timezone.localdate()
        start, end = selectors.year_bounds(fund, today)
        if form.is_bound and form.is_valid() and form.cleaned_data["year"]:
            start, end = selectors.year_bounds(
                fund, date(form.cleaned_data["year"] - 543, fund.year_start_month, 1)
            )
        on = min(end, today)
        sheet = selectors.balance_sheet(fund, on)
        income = selectors.income_statement(fund, start, end)
        savings = selectors.members_savings(fund, start, end)
        label = domain.year_label(start, end)
        fmt = self.wants()
        report = {
            "start": start,
            "end": end,
            "on": on,
            "year_label": label,
            "sheet": sheet,
            "income": income,
            "savings": savings,
            "savings_total": sum((s.closing for s in savings), selectors.ZERO),
            "ended": end < today,
        }
        if fmt == "xlsx":
            return xlsx_response(self.xlsx(report), f"year-{fund.pk}-{label}.xlsx")
        if fmt == "pdf":
            pdf = render_pdf("funds/reports/year_pdf.html", {**heading(fund), **report})
            return pdf_response(pdf, f"year-{fund.pk}-{label}.pdf")
        base = reverse("fund-year", args=[fund.pk])
        year_be = be_year(start)
        context = {
            "fund": fund,
            "tab": "statements",
            "form": form,
            **report,
            "year_be": year_be,
            "previous_url": f"{base}?year={year_be - 1}",
            "next_url": f"{base}?year={year_be + 1}" if end < today else "",
            "xlsx_url": f"{base}?year={year_be}&format=xlsx",
            "pdf_url": f"{base}?year={year_be}&format=pdf",
            "breadcrumbs": crumbs(fund, _("Annual report %(year)s") % {"year": label}),
            **report_links(fund),
        }
        return render(request, "funds/reports/year.html", context)

    def xlsx(self, report: dict[str, Any]) -> bytes:
        sheet: selectors.BalanceSheet = report["sheet"]
        income: selectors.IncomeStatement = report["income"]
        rows: list[list[Any]] = []
        for title, lines, total in (
            (_("Assets"), sheet.assets, sheet.total_assets),
            (_("Liabilities"), sheet.liabilities, sheet.total_liabilities),
            (_("Fund capital"), sheet.equity, sheet.total_equity),
        ):
            rows.append([title, "", None])
            rows.extend([line.account.code, line.account.name, line.amount] for line in lines)
            rows.append(["", _("Total: %(section)s") % {"section": title}, total])
        rows.append(["", _("Surplus to date (income less expenses)"), sheet.surplus])
        rows.append(["", _("Liabilities, capital and surplus"), sheet.total_liabilities_and_equity])
        statement: list[list[Any]] = [[_("Income"), "", None]]
        statement.extend(
            [line.account.code, line.account.name, line.amount] for line in income.income
        )
        statement.append(["", _("Total income"), income.total_income])
        statement.append([_("Expenses"), "", None])
        statement.extend(
            [line.account.code, line.account.name, line.amount] for line in income.expenses
        )
        statement.append(["", _("Total expenses"), income.total_expenses])
        statement.append(["", _("Surplus (deficit) of the year"), income.surplus])
        savings = [
            [
                s.member.member_no,
                s.member.person.full_name,
                s.opening,
                s.deposits,
                s.withdrawals,
                s.closing,
            ]
            for s in report["savings"]
        ]
        return write_xlsx(
            [
                (_("Balance sheet"), [_("Code"), _("Account"), _("Amount")], rows),
                (_("Income statement"), [_("Code"), _("Account"), _("Amount")], statement),
                (
                    _("Members' savings"),
                    [
                        _("Member no."),
                        _("Name"),
                        _("Opening balance"),
                        _("Deposits"),
                        _("Withdrawals"),
                        _("Closing balance"),
                    ],
                    savings,
                ),
            ]
        )


# --- the trial balance -----------------------------------------------------------------------


class TrialBalanceView(FundViewMixin, View):
    def get(self, request, *args, **kwargs):
        fund = self.get_fund()
        form = DayForm(request.GET or None)
        on = None
        if form.is_bound and form.is_valid():
            on = form.cleaned_data["on"]
        trial = selectors.trial_balance(fund, on)
        if self.wants() == "xlsx":
            rows = [
                [a.code, a.name, debit or None, credit or None] for a, debit, credit in trial.rows
            ]
            rows.append(["", _("Total"), trial.total_debit, trial.total_credit])
            content = write_xlsx(
                [(_("Trial balance"), [_("Code"), _("Account"), _("Debit"), _("Credit")], rows)]
            )
            stamp = (on or timezone.localdate()).isoformat()
            return xlsx_response(content, f"trial-balance-{fund.pk}-{stamp}.xlsx")
        base = reverse("fund-trial-balance", args=[fund.pk])
        query = f"?on={format_date(on, 'numeric')}&format=xlsx" if on else "?format=xlsx"
        context = {
            "fund": fund,
            "tab": "statements",
            "form": form,
            "trial": trial,
            "on": on,
            "xlsx_url": base + query,
            "breadcrumbs": crumbs(fund, _("Trial balance")),
            **report_links(fund),
        }
        return render(request, "funds/reports/trial_balance.html", context)


# --- a member's passbook ---------------------------------------------------------------------


class PassbookPdfView(FundViewMixin, View):
    def get(self, request, *args, **kwargs):
        fund = self.get_fund()
        member = get_object_or_404(
            FundMember.objects.select_related("person"), fund=fund, pk=self.kwargs["member_pk"]
        )
        lines = selectors.passbook(member)
        context = {
            **heading(fund),
            "member": member,
            "lines": lines,
            "balance": lines[-1].balance if lines else selectors.ZERO,
            "loans": selectors.member_loans(member),
        }
        pdf = render_pdf("funds/reports/passbook_pdf.html", context)
        return pdf_response(pdf, f"passbook-{fund.pk}-{member.member_no}.pdf")


# --- loans in arrears per district -----------------------------------------------------------


class ArrearsView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        user = request.user
        reach = reach_of(user)
        if not (reach.everything or reach.paths_with(VIEW)):
            raise PermissionDenied
        form = DayForm(request.GET or None)
        on = None
        if form.is_bound and form.is_valid():
            on = form.cleaned_data["on"]
        on = on or timezone.localdate()
        rows = selectors.arrears_rows(fund_scope(user, VIEW), on=on)
        groups = selectors.arrears_by_district(rows)
        if (request.GET.get("format") or "").lower() == "xlsx":
            return xlsx_response(self.xlsx(rows), f"loans-in-arrears-{on.isoformat()}.xlsx")
        base = reverse("fund-arrears")
        context = {
            "form": form,
            "on": on,
            "groups": groups,
            "count": len(rows),
            "amount": sum((r.amount for r in rows), selectors.ZERO),
            "principal": sum((r.principal_outstanding for r in rows), selectors.ZERO),
            "xlsx_url": f"{base}?on={format_date(on, 'numeric')}&format=xlsx",
            "breadcrumbs": [
                {"label": _("Home"), "url": _url("home")},
                {"label": _("Community funds"), "url": _url("fund-list")},
                {"label": _("Loans in arrears")},
            ],
        }
        return render(request, "funds/reports/arrears.html", context)

    def xlsx(self, rows: list[selectors.ArrearsRow]) -> bytes:
        data = [
            [
                row.district.code,
                row.district.name,
                row.fund.name,
                row.fund.area.name,
                row.loan.number,
                row.member.member_no,
                row.member.person.full_name,
                row.since,
                row.instalments_late,
                row.amount,
                row.principal_outstanding,
            ]
            for row in rows
        ]
        return write_xlsx(
            [
                (
                    _("Loans in arrears"),
                    [
                        _("District code"),
                        _("District"),
                        _("Fund"),
                        _("Area"),
                        _("Loan no."),
                        _("Member no."),
                        _("Member"),
                        _("In arrears since"),
                        _("Instalments late"),
                        _("Amount in arrears"),
                        _("Principal outstanding"),
                    ],
                    data,
                )
            ]
        )


# --- the opening import ----------------------------------------------------------------------


class ImportView(FundViewMixin, View):
    perm = RECORD
    template_name = "funds/reports/import.html"

    def context(self, fund: Fund, form: ImportForm, **extra: Any) -> dict[str, Any]:
        from .imports import BALANCE_COLUMNS, MEMBER_COLUMNS

        return {
            "fund": fund,
            "tab": "overview",
            "form": form,
            "has_entries": Entry.objects.filter(fund=fund).exists(),
            "member_columns": MEMBER_COLUMNS,
            "balance_columns": BALANCE_COLUMNS,
            "template_url": reverse("fund-import-template"),
            "breadcrumbs": crumbs(fund, _("Import opening balances")),
            **extra,
        }

    def get(self, request, *args, **kwargs):
        fund = self.get_fund()
        return render(request, self.template_name, self.context(fund, ImportForm()))

    def post(self, request, *args, **kwargs):
        fund = self.get_fund()
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self.context(fund, form))
        try:
            result = import_opening(
                actor=request.user, fund=fund, upload=form.cleaned_data["file"], on=fund.books_start
            )
        except ImportRefused as exc:
            return render(
                request, self.template_name, self.context(fund, form, problems=exc.problems)
            )
        messages.success(
            request,
            _(
                "Imported: %(members)s new members (%(existing)s already members), savings "
                "%(savings)s, %(loans)s loans owing %(owed)s, %(lines)s other balances."
            )
            % {
                "members": result.members_added,
                "existing": result.members_existing,
                "savings": format_number(result.savings_total),
                "loans": result.loans,
                "owed": format_number(result.loans_total),
                "lines": result.balance_lines,
            },
        )
        return redirect(_url("fund-detail", fund.pk) or reverse("fund-import", args=[fund.pk]))


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        reach = reach_of(request.user)
        if not (reach.everything or reach.paths_with(RECORD)):
            raise PermissionDenied
        return xlsx_response(template_xlsx(), "fund-opening-template.xlsx")
