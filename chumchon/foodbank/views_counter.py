"""The counter's pages (helper "counter"), tablet first: find a beneficiary, pick goods with
+/- buttons and a running total, confirm, print the receipt (80 mm slip or A4); the
redemptions list (Excel), a redemption and cancelling it.

Permissions: the counter needs ``foodbank.redeem`` in the district (the clerk, the district
officer and head); reading redemptions and receipts ``foodbank.view``; cancelling
``foodbank.assess``. A district outside the user's reach, or a record of another district, is
404. The server recomputes everything on confirm (``services_counter.redeem``); the running
total is only a preview. Everything works without JavaScript; htmx only updates the basket and
the search results in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from chumchon.core.audit import record_event
from chumchon.core.documents import pdf_response, render_pdf
from chumchon.core.excel import write_xlsx
from chumchon.core.national_id import mask_national_id

from . import ledger, selectors_counter, services_counter
from .forms_counter import CounterSearchForm, RedemptionCancelForm, RedemptionFilterForm
from .models import Beneficiary, Item, Redemption, Status
from .permissions import ASSESS, REDEEM, VIEW, can, district_get_for, get_for

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _item_pk(text: str) -> bool:
    """An item number as posted: digits within a bigint (beyond: no item, and no database
    error)."""
    return text.isdigit() and 0 < int(text) < 2**63


class _DryRun(Exception):
    """Rolls back a redemption checked at the review step."""


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class DistrictPage(LoginRequiredMixin, View):
    perm = REDEEM
    perm_post: str | None = None
    tab = "counter"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        perm = self.perm_post if request.method == "POST" and self.perm_post else self.perm
        self.district = district_get_for(request.user, kwargs["district"], perm)
        self.store = ledger.store_for(self.district)
        return super().dispatch(request, *args, **kwargs)

    def crumbs(self, *more: dict) -> list[dict]:
        crumbs = [{"label": _("Home"), "url": reverse("home")}]
        try:
            crumbs.append(
                {
                    "label": self.district.name,
                    "url": reverse("foodbank-district", kwargs={"district": self.district.code}),
                }
            )
        except Exception:  # the district page is another helper's
            crumbs.append({"label": self.district.name, "url": None})
        return [*crumbs, *more]

    def page(self, template: str, context: dict[str, Any], **kwargs) -> HttpResponse:
        return render(
            self.request,
            template,
            {"district": self.district, "store": self.store, "tab": self.tab, **context},
            **kwargs,
        )

    def url(self, name: str, **kwargs) -> str:
        return reverse(name, kwargs={"district": self.district.code, **kwargs})


# --- finding the beneficiary --------------------------------------------------------------------


class CounterSearchView(DistrictPage):
    """One box: a name, a beneficiary number or a 13-digit national ID. The form posts (a
    national ID never travels in a URL); htmx shows the results as the clerk types."""

    def get(self, request, district):
        return self.show(CounterSearchForm(), None)

    def post(self, request, district):
        form = CounterSearchForm(request.POST)
        results = None
        if form.is_valid():
            national_id = form.national_id
            try:
                results = selectors_counter.counter_search(
                    self.store,
                    text="" if national_id else form.cleaned_data["q"],
                    national_id=national_id,
                    on=timezone.localdate(),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("q", message)
            else:
                if national_id:
                    record_event(
                        actor=request.user,
                        action="foodbank.counter_search",
                        area_path=self.district.path,
                        object_label=mask_national_id(national_id),
                        changes={"found": len(results)},
                    )
        if is_htmx(request):
            return self.page("foodbank/counter/_results.html", {"form": form, "results": results})
        return self.show(form, results)

    def show(self, form, results):
        return self.page(
            "foodbank/counter/search.html",
            {
                "form": form,
                "results": results,
                "breadcrumbs": self.crumbs({"label": _("Counter"), "url": None}),
            },
        )


# --- the basket ---------------------------------------------------------------------------------


def _quantity(raw: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        return 0
    return int(text) if text.isdigit() else None


class CounterBeneficiaryView(DistrictPage):
    """The beneficiary at the counter: points usable today and the next expiry, who collects,
    the catalogue in stock with +/- buttons and a running total; "Review" shows the basket,
    "Confirm" redeems (nothing is saved on any error)."""

    def setup_beneficiary(self, pk: int) -> None:
        self.beneficiary = get_for(
            self.request.user,
            Beneficiary.objects.filter(store__area=self.district).select_related(
                "store__area", "person", "household"
            ),
            pk,
            REDEEM,
        )
        self.today = timezone.localdate()

    def get(self, request, district, pk):
        self.setup_beneficiary(pk)
        return self.show(quantities={}, collector=None)

    def post(self, request, district, pk):
        self.setup_beneficiary(pk)
        data = request.POST
        quantities: dict[int, str] = {}
        for key, value in data.items():
            if key.startswith("qty-") and _item_pk(key[4:]):
                quantities[int(key[4:])] = value.strip()
        step = data.get("step", "")
        if step[:1] in "+-" and _item_pk(step[1:]):
            item_pk = int(step[1:])
            current = _quantity(quantities.get(item_pk, "0")) or 0
            quantities[item_pk] = str(max(0, current + (1 if step[0] == "+" else -1)))
        collector = data.get("redeemed_by", "")
        action = data.get("action", "")
        if action not in ("review", "confirm"):
            return self.show(quantities=quantities, collector=collector)
        lines, line_items, problems = self.basket(quantities)
        redeemed_by = self.collector_person(collector)
        if not problems:
            try:
                if action == "confirm":
                    made = services_counter.redeem(
                        actor=request.user,
                        store=self.store,
                        beneficiary=self.beneficiary,
                        redeemed_by=redeemed_by,
                        lines=lines,
                    )
                else:
                    with transaction.atomic():
                        services_counter.redeem(
                            actor=request.user,
                            store=self.store,
                            beneficiary=self.beneficiary,
                            redeemed_by=redeemed_by,
                            lines=lines,
                        )
                        raise _DryRun
            except _DryRun:
                return self.show(quantities=quantities, collector=collector, review=True)
            except ValidationError as exc:
                problems = exc.message_dict
            else:
                messages.success(
                    request,
                    _("Receipt %(number)s: %(points)s points redeemed.")
                    % {"number": made.number, "points": f"{made.points:,}"},
                )
                url = self.url("foodbank-redemption", pk=made.pk)
                if is_htmx(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        return self.show(
            quantities=quantities, collector=collector, problems=problems, line_items=line_items
        )

    def basket(self, quantities: dict[int, str]):
        lines, line_items = [], []
        problems: dict[str, list[str]] = {}
        items = Item.objects.filter(store=self.store).in_bulk(
            [pk for pk, raw in quantities.items() if raw not in ("", "0")]
        )
        for pk, raw in sorted(quantities.items()):
            if raw in ("", "0"):
                continue
            item = items.get(pk)
            line_items.append(pk)
            lines.append((item.pk if item else pk, raw))
        if not lines:
            problems["lines"] = [_("Pick at least one item: tap + next to it.")]
        return lines, line_items, problems

    def collector_person(self, collector: str):
        if self.beneficiary.kind == Beneficiary.Kind.PERSON:
            return self.beneficiary.person
        adults = {
            str(p.pk): p
            for p in selectors_counter.adults_who_may_redeem(self.beneficiary, self.today)
        }
        return adults.get(str(collector))

    def show(
        self,
        *,
        quantities: dict[int, str],
        collector: Any,
        review: bool = False,
        problems: dict[str, list[str]] | None = None,
        line_items: list[int] | None = None,
    ) -> HttpResponse:
        problems = problems or {}
        line_items = line_items or []
        catalogue = selectors_counter.catalogue_in_stock(self.store, self.today)
        shown = {item.pk for item in catalogue}
        extra = [pk for pk, raw in quantities.items() if pk not in shown and raw not in ("", "0")]
        if extra:  # picked, but out of stock since: keep them in sight with their error
            for item in Item.objects.filter(store=self.store, pk__in=extra):
                item.available = 0
                item.next_expiry = None
                catalogue.append(item)
        errors_by_item: dict[int, list[str]] = {}
        general: list[str] = []
        for key, messages_ in problems.items():
            parts = key.split(".")
            if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
                n = int(parts[1])
                if n < len(line_items):
                    errors_by_item.setdefault(line_items[n], []).extend(messages_)
                    continue
            if key != "redeemed_by":
                general.extend(messages_)
        total = 0
        basket = []
        for item in catalogue:
            raw = quantities.get(item.pk, "")
            quantity = _quantity(raw)
            item.quantity = raw if raw not in ("",) else "0"
            item.errors = errors_by_item.get(item.pk, [])
            if quantity is None:
                item.errors = item.errors or [_("Type a whole number.")]
            elif quantity > 0:
                item.line_points = quantity * item.points
                total += item.line_points
                basket.append(item)
        points = selectors_counter.points_today(self.beneficiary, self.today)
        adults = []
        if self.beneficiary.kind == Beneficiary.Kind.HOUSEHOLD:
            adults = selectors_counter.adults_who_may_redeem(self.beneficiary, self.today)
        context = {
            "beneficiary": self.beneficiary,
            "label": selectors_counter.beneficiary_label(self.beneficiary),
            "points": points,
            "catalogue": catalogue,
            "basket": basket,
            "total": total,
            "left": points.usable - total,
            "over": total > points.usable,
            "adults": adults,
            "collector": str(collector or ""),
            "collector_errors": problems.get("redeemed_by", []),
            "general_errors": general,
            "review": review and not problems,
            "post_url": self.url("foodbank-counter-beneficiary", pk=self.beneficiary.pk),
            "breadcrumbs": self.crumbs(
                {"label": _("Counter"), "url": self.url("foodbank-counter")},
                {"label": f"B{self.beneficiary.number}", "url": None},
            ),
        }
        if is_htmx(self.request) and self.request.method == "POST" and not review:
            return self.page("foodbank/counter/_basket.html", context)
        return self.page("foodbank/counter/beneficiary.html", context)


# --- redemptions --------------------------------------------------------------------------------


class RedemptionListView(DistrictPage):
    perm = VIEW

    def get(self, request, district):
        form = RedemptionFilterForm(request.GET or None)
        start = end = None
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = selectors_counter.redemptions(self.store, start=start, end=end)
        if request.GET.get("format") == "xlsx":
            return self.xlsx(rows)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        return self.page(
            "foodbank/counter/redemption_list.html",
            {
                "form": form,
                "page_obj": page,
                "query": query.urlencode(),
                "can_redeem": can(request.user, REDEEM, self.district),
                "breadcrumbs": self.crumbs({"label": _("Redemptions"), "url": None}),
            },
        )

    def xlsx(self, rows) -> HttpResponse:
        header = [
            _("Receipt number"),
            _("Date"),
            _("Beneficiary"),
            _("Collected by"),
            _("Points"),
            _("Status"),
            _("Counter clerk"),
        ]
        data = (
            [
                r.number,
                r.redeemed_on,
                selectors_counter.beneficiary_masked(r.beneficiary),
                r.redeemed_by.masked_name,
                r.points,
                r.get_status_display(),
                r.clerk.get_username(),
            ]
            for r in rows.iterator(chunk_size=2000)
        )
        content = write_xlsx([(_("Redemptions"), header, data)])
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="redemptions-{self.district.code}.xlsx"'
        )
        response["Cache-Control"] = "private, no-store"
        return response


class RedemptionPage(DistrictPage):
    perm = VIEW

    def setup_redemption(self, pk: int, perm: str) -> Redemption:
        self.redemption = get_for(
            self.request.user,
            Redemption.objects.filter(store__area=self.district).select_related(
                "store__area",
                "beneficiary__person",
                "beneficiary__household",
                "redeemed_by",
                "clerk",
                "cancelled_by",
            ),
            pk,
            perm,
        )
        return self.redemption

    def facts(self) -> dict[str, Any]:
        redemption = self.redemption
        return {
            "redemption": redemption,
            "lines": selectors_counter.redemption_lines(redemption),
            "points_left": selectors_counter.points_left_after(redemption),
            "beneficiary_masked": selectors_counter.beneficiary_masked(redemption.beneficiary),
            "beneficiary_label": selectors_counter.beneficiary_label(redemption.beneficiary),
        }


class RedemptionDetailView(RedemptionPage):
    def get(self, request, district, pk):
        self.setup_redemption(pk, VIEW)
        return self.page(
            "foodbank/counter/redemption_detail.html",
            {
                **self.facts(),
                "can_cancel": self.redemption.status == Status.RECORDED
                and can(request.user, ASSESS, self.district),
                "can_redeem": can(request.user, REDEEM, self.district),
                "breadcrumbs": self.crumbs(
                    {"label": _("Redemptions"), "url": self.url("foodbank-redemptions")},
                    {"label": _("Receipt %(n)s") % {"n": self.redemption.number}, "url": None},
                ),
            },
        )


class RedemptionReceiptView(RedemptionPage):
    """The receipt as a PDF: ``?size=slip`` (80 mm roll) or ``?size=a4`` (the default)."""

    def get(self, request, district, pk):
        self.setup_redemption(pk, VIEW)
        size = "slip" if request.GET.get("size") == "slip" else "a4"
        facts = self.facts()
        pdf = render_pdf(
            "foodbank/counter/receipt.html",
            {
                **facts,
                # a roll has no page length: as long as the receipt (WeasyPrint has no "auto")
                "slip_height_mm": 110 + 11 * len(facts["lines"]),
                "size": size,
                "store": self.store,
                "district": self.district,
                "printed_at": timezone.now(),
            },
        )
        name = f"receipt-{self.district.code}-{self.redemption.number}-{size}.pdf"
        return pdf_response(pdf, name)


class RedemptionCancelView(RedemptionPage):
    perm = ASSESS

    def get(self, request, district, pk):
        self.setup_redemption(pk, ASSESS)
        return self.show(RedemptionCancelForm())

    def post(self, request, district, pk):
        self.setup_redemption(pk, ASSESS)
        form = RedemptionCancelForm(request.POST)
        if form.is_valid():
            try:
                services_counter.redemption_cancel(
                    actor=request.user,
                    redemption=self.redemption,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _("Receipt %(n)s is cancelled: the goods and points are back.")
                    % {"n": self.redemption.number},
                )
                return redirect(self.url("foodbank-redemption", pk=self.redemption.pk))
        return self.show(form)

    def show(self, form):
        return self.page(
            "foodbank/counter/redemption_cancel.html",
            {
                **self.facts(),
                "form": form,
                "breadcrumbs": self.crumbs(
                    {"label": _("Redemptions"), "url": self.url("foodbank-redemptions")},
                    {
                        "label": _("Receipt %(n)s") % {"n": self.redemption.number},
                        "url": self.url("foodbank-redemption", pk=self.redemption.pk),
                    },
                    {"label": _("Cancel"), "url": None},
                ),
            },
        )
