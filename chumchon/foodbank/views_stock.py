"""The district store's pages under /foodbank/<district>/: stock per item (near-expiry and
expired warnings, Excel), movements (filters, Excel), the catalogue (list, new, item page with
its lots in FEFO order, edit), receiving a lot, a lot's page with its movements and the three
lot forms (write-off, count, transfer), and the store's settings.

Thin views: the district comes from ``permissions.district_get_for`` (404 outside reach, 403
without the permission), items and lots from querysets of the district's store (another
district's are 404); reads need ``foodbank.view``, every form ``foodbank.record``; each write
is one service of services_stock.py whose ValidationError lands on the form's fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from chumchon.communities.forms import apply_service_errors
from chumchon.core.excel import write_xlsx

from . import ledger
from . import selectors_stock as selectors
from . import services_stock as services
from .forms_stock import (
    CountForm,
    ItemEditForm,
    ItemForm,
    MovementFilterForm,
    ReceiveForm,
    StockFilterForm,
    StoreForm,
    TransferForm,
    WriteOffForm,
)
from .models import Item, Lot, StockMovement
from .permissions import RECORD, VIEW, can, district_get_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url_or_empty(name: str, *args: Any) -> str:
    """A page another part of the module may not have yet: "" until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class DistrictPage(LoginRequiredMixin, View):
    """A page of one district's store."""

    perm = VIEW
    template_name = ""
    title = ""

    def load(self, perm: str | None = None) -> None:
        self.district = district_get_for(
            self.request.user, self.kwargs["district"], perm or self.perm
        )
        self.store = ledger.store_for(self.district)
        self.today = timezone.localdate()
        self.may_record = can(self.request.user, RECORD, self.district)

    def item(self, pk: int) -> Item:
        return get_object_or_404(Item, store=self.store, pk=pk)

    def lot(self, pk: int) -> Lot:
        return get_object_or_404(
            Lot.objects.select_related("item", "donor", "from_lot__store__area"),
            store=self.store,
            pk=pk,
        )

    def crumbs(self, *extra: dict) -> list[dict]:
        code = self.district.code
        items = [{"label": _("Home"), "url": reverse("home")}]
        home = url_or_empty("foodbank-home")
        if home:
            items.append({"label": _("Food bank"), "url": home})
        items.append(
            {
                "label": self.district.name,
                "url": url_or_empty("foodbank-district", code)
                or reverse("foodbank-stock", args=[code]),
            }
        )
        items.append({"label": _("Stock"), "url": reverse("foodbank-stock", args=[code])})
        items.extend(extra)
        return items

    def page(self, template: str, context: dict[str, Any], crumbs: list[dict] | None = None):
        title = context.get("title") or self.title
        return render(
            self.request,
            template,
            {
                "district": self.district,
                "store": self.store,
                "tab": "stock",
                "today": self.today,
                "may_record": self.may_record,
                "title": title,
                "breadcrumbs": crumbs if crumbs is not None else self.crumbs({"label": title}),
                **context,
            },
        )


# --- stock and movements -----------------------------------------------------------------------


class StockView(DistrictPage):
    def get(self, request, district):
        self.load()
        form = StockFilterForm(request.GET or None)
        category = form.cleaned_data["category"] if form.is_valid() else ""
        rows, lots = selectors.stock_overview(self.store, self.today, category=category)
        if request.GET.get("format") == "xlsx":
            return self.export(rows)
        expired = [lot for lot in lots if lot.expired]
        near = [lot for lot in lots if lot.near_expiry]
        if category:
            expired = [lot for lot in expired if lot.item.category == category]
            near = [lot for lot in near if lot.item.category == category]
        query = request.GET.copy()
        query["format"] = "xlsx"
        return self.page(
            "foodbank/stock/stock.html",
            {
                "title": _("Stock"),
                "form": form,
                "rows": rows,
                "totals": selectors.stock_totals(rows),
                "expired_lots": expired,
                "near_lots": near,
                "export_query": query.urlencode(),
            },
            self.crumbs()[:-1] + [{"label": _("Stock")}],
        )

    def export(self, rows):
        body = [
            [
                row.item.get_category_display(),
                row.item.name,
                row.item.unit,
                row.item.points,
                row.on_hand,
                row.near_expiry,
                row.expired,
                row.next_expiry,
                _("yes") if row.item.active else _("no"),
            ]
            for row in rows
        ]
        content = write_xlsx(
            [
                (
                    _("Stock"),
                    [
                        _("Item category"),
                        _("Item"),
                        _("Unit"),
                        _("Points per unit"),
                        _("On hand"),
                        _("Near expiry"),
                        _("Expired, to write off"),
                        _("Next expiry"),
                        _("Active"),
                    ],
                    body,
                )
            ]
        )
        return xlsx_response(content, f"stock-{self.district.code}-{self.today.isoformat()}.xlsx")


class MovementsView(DistrictPage):
    def get(self, request, district):
        self.load()
        form = MovementFilterForm(request.GET or None, store=self.store)
        movements = selectors.movements(self.store, form.filters())
        if request.GET.get("format") == "xlsx":
            return self.export(movements)
        page = Paginator(movements, 100).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        export = query.copy()
        export["format"] = "xlsx"
        return self.page(
            "foodbank/stock/movements.html",
            {
                "title": _("Stock movements"),
                "form": form,
                "page_obj": page,
                "is_paginated": page.has_other_pages(),
                "query_string": query.urlencode(),
                "export_query": export.urlencode(),
            },
        )

    def export(self, movements):
        body = [
            [
                m.moved_on,
                m.get_kind_display(),
                m.item.name,
                m.item.unit,
                m.lot_id,
                m.quantity,
                m.lot.expires_on,
                m.reason,
                f"R{m.redemption.number}" if m.redemption_id else "",
                m.recorded_by.get_username(),
                m.recorded_at,
            ]
            for m in movements
        ]
        content = write_xlsx(
            [
                (
                    _("Movements"),
                    [
                        _("Date"),
                        _("Kind"),
                        _("Item"),
                        _("Unit"),
                        _("Lot"),
                        _("Quantity"),
                        _("Expires on"),
                        _("Reason"),
                        _("Receipt"),
                        _("Recorded by"),
                        _("Recorded at"),
                    ],
                    body,
                )
            ]
        )
        return xlsx_response(
            content, f"stock-movements-{self.district.code}-{self.today.isoformat()}.xlsx"
        )


# --- the catalogue -----------------------------------------------------------------------------


class ItemListView(DistrictPage):
    def get(self, request, district):
        self.load()
        items = list(Item.objects.filter(store=self.store).order_by("category", "name", "id"))
        on_hand = ledger.item_stock(self.store, on=self.today)
        for item in items:
            item.on_hand = on_hand.get(item.pk, 0)
        return self.page(
            "foodbank/stock/items.html",
            {"title": _("Catalogue"), "items": items},
        )


class FormPage(DistrictPage):
    """A form of the store that calls one service (GET shows it, POST saves)."""

    perm = RECORD
    template_name = "foodbank/stock/form.html"
    submit = ""

    def prepare(self) -> None:
        self.load()

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form) -> HttpResponse:
        raise NotImplementedError

    def back(self) -> str:
        return reverse("foodbank-stock", args=[self.district.code])

    def extra(self) -> dict[str, Any]:
        return {}

    def crumb_trail(self) -> list[dict]:
        return self.crumbs({"label": self.title})

    def render_form(self, form):
        return self.page(
            self.template_name,
            {
                "form": form,
                "submit_label": self.submit or _("Save"),
                "cancel_url": self.back(),
                **self.extra(),
            },
            self.crumb_trail(),
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


class ItemCreateView(FormPage):
    @property
    def title(self):
        return _("New item")

    def back(self):
        return reverse("foodbank-items", args=[self.district.code])

    def crumb_trail(self):
        return self.crumbs({"label": _("Catalogue"), "url": self.back()}, {"label": self.title})

    def make_form(self, data=None):
        return ItemForm(data, initial={"points": ""})

    def save(self, form):
        item = services.item_create(actor=self.request.user, store=self.store, **form.cleaned_data)
        messages.success(self.request, _("%(item)s was added to the catalogue.") % {"item": item})
        return redirect("foodbank-item", district=self.district.code, pk=item.pk)


class ItemDetailView(DistrictPage):
    def get(self, request, district, pk):
        self.load()
        item = self.item(pk)
        lots = selectors.lots_of(self.store, item, on=self.today)
        on_hand = sum(lot.left for lot in lots)
        catalogue = reverse("foodbank-items", args=[self.district.code])
        return self.page(
            "foodbank/stock/item.html",
            {
                "title": str(item),
                "item": item,
                "lots": lots,
                "on_hand": on_hand,
                "usable": sum(lot.left for lot in lots if not lot.expired),
            },
            self.crumbs({"label": _("Catalogue"), "url": catalogue}, {"label": str(item)}),
        )


class ItemEditView(FormPage):
    def prepare(self):
        self.load()
        self.the_item = self.item(self.kwargs["pk"])

    @property
    def title(self):
        return _("Edit %(item)s") % {"item": self.the_item}

    def back(self):
        return reverse("foodbank-item", args=[self.district.code, self.the_item.pk])

    def crumb_trail(self):
        catalogue = reverse("foodbank-items", args=[self.district.code])
        return self.crumbs(
            {"label": _("Catalogue"), "url": catalogue},
            {"label": str(self.the_item), "url": self.back()},
            {"label": _("Edit")},
        )

    def make_form(self, data=None):
        return ItemEditForm.for_item(self.the_item, data)

    def save(self, form):
        services.item_update(actor=self.request.user, item=self.the_item, **form.cleaned_data)
        messages.success(self.request, _("The item was saved."))
        return redirect(self.back())


# --- receiving and lots ------------------------------------------------------------------------


class ReceiveView(FormPage):
    template_name = "foodbank/stock/receive.html"

    @property
    def title(self):
        return _("Receive goods")

    @property
    def submit(self):
        return _("Receive")

    def make_form(self, data=None):
        initial = {}
        chosen = self.request.GET.get("item")
        if chosen and chosen.isdigit():
            initial["item"] = Item.objects.filter(store=self.store, pk=chosen, active=True).first()
        return ReceiveForm(data, store=self.store, initial=initial)

    def extra(self):
        return {
            "new_item_url": reverse("foodbank-item-new", args=[self.district.code]),
            "new_donor_url": url_or_empty("foodbank-donor-new"),
        }

    def save(self, form):
        data = form.cleaned_data
        lot = services.receive(
            actor=self.request.user,
            store=self.store,
            item=data["item"],
            quantity=data["quantity"],
            received_on=data["received_on"],
            expires_on=data["expires_on"],
            donor=data["donor"],
            kind=data["kind"],
            note=data["note"],
        )
        messages.success(
            self.request,
            _("Lot %(lot)s received: %(quantity)s %(unit)s of %(item)s.")
            % {
                "lot": lot.pk,
                "quantity": data["quantity"],
                "unit": lot.item.unit,
                "item": lot.item.name,
            },
        )
        return redirect("foodbank-lot", district=self.district.code, pk=lot.pk)


class LotView(DistrictPage):
    def get(self, request, district, pk):
        self.load()
        lot = self.lot(pk)
        moves = list(selectors.lot_movements(lot))
        transfer_ids = [m.transfer_id for m in moves if m.transfer_id]
        partners = {
            m.transfer_id: m
            for m in StockMovement.objects.filter(transfer_id__in=transfer_ids)
            .exclude(lot=lot)
            .select_related("store__area")
        }
        running = 0
        for move in moves:
            running += move.quantity
            move.running = running
            move.partner = partners.get(move.transfer_id)
        left = running
        expired = selectors.is_expired(lot.expires_on, self.today)
        near = not expired and selectors.is_near_expiry(
            lot.expires_on, self.today, self.store.near_expiry_days
        )
        item_url = reverse("foodbank-item", args=[self.district.code, lot.item_id])
        label = _("Lot %(lot)s") % {"lot": lot.pk}
        return self.page(
            "foodbank/stock/lot.html",
            {
                "title": label,
                "lot": lot,
                "moves": moves,
                "left": left,
                "expired": expired,
                "near": near,
                "from_lot_url": (
                    reverse("foodbank-lot", args=[lot.from_lot.store.area.code, lot.from_lot_id])
                    if lot.from_lot_id and can(request.user, VIEW, lot.from_lot.store)
                    else ""
                ),
            },
            self.crumbs({"label": str(lot.item), "url": item_url}, {"label": label}),
        )


class LotFormPage(FormPage):
    template_name = "foodbank/stock/lot_form.html"

    def prepare(self):
        self.load()
        self.the_lot = self.lot(self.kwargs["pk"])
        self.left = ledger.lot_left(self.store, lots=[self.the_lot.pk]).get(self.the_lot.pk, 0)

    def back(self):
        return reverse("foodbank-lot", args=[self.district.code, self.the_lot.pk])

    def crumb_trail(self):
        lot = self.the_lot
        return self.crumbs(
            {
                "label": str(lot.item),
                "url": reverse("foodbank-item", args=[self.district.code, lot.item_id]),
            },
            {"label": _("Lot %(lot)s") % {"lot": lot.pk}, "url": self.back()},
            {"label": self.title},
        )

    def extra(self):
        lot = self.the_lot
        return {
            "lot": lot,
            "left": self.left,
            "expired": selectors.is_expired(lot.expires_on, self.today),
        }


class LotWriteOffView(LotFormPage):
    @property
    def title(self):
        return _("Write off")

    def make_form(self, data=None):
        initial = {}
        if selectors.is_expired(self.the_lot.expires_on, self.today):
            initial = {"quantity": self.left, "reason": _("expired")}
        return WriteOffForm(data, initial=initial)

    def save(self, form):
        services.write_off(
            actor=self.request.user, store=self.store, lot=self.the_lot, **form.cleaned_data
        )
        messages.success(
            self.request,
            _("%(quantity)s %(unit)s written off lot %(lot)s.")
            % {
                "quantity": form.cleaned_data["quantity"],
                "unit": self.the_lot.item.unit,
                "lot": self.the_lot.pk,
            },
        )
        return redirect(self.back())


class LotCountView(LotFormPage):
    @property
    def title(self):
        return _("Stock count")

    @property
    def submit(self):
        return _("Record the count")

    def make_form(self, data=None):
        return CountForm(data)

    def save(self, form):
        movement = services.count(
            actor=self.request.user, store=self.store, lot=self.the_lot, **form.cleaned_data
        )
        if movement is None:
            messages.success(self.request, _("The count agrees with the records."))
        else:
            messages.success(
                self.request,
                _("The count was recorded: an adjustment of %(quantity)s %(unit)s.")
                % {"quantity": f"{movement.quantity:+d}", "unit": self.the_lot.item.unit},
            )
        return redirect(self.back())


class LotTransferView(LotFormPage):
    @property
    def title(self):
        return _("Transfer to another district")

    @property
    def submit(self):
        return _("Transfer")

    def make_form(self, data=None):
        return TransferForm(data, lot=self.the_lot)

    def save(self, form):
        data = form.cleaned_data
        out, into = services.transfer(
            actor=self.request.user,
            store=self.store,
            to_district=data["to_district"],
            lot=self.the_lot,
            quantity=data["quantity"],
            on=data["on"],
            reason=data["reason"],
        )
        messages.success(
            self.request,
            _("%(quantity)s %(unit)s sent to %(district)s (their lot %(lot)s).")
            % {
                "quantity": into.quantity,
                "unit": self.the_lot.item.unit,
                "district": data["to_district"].name,
                "lot": into.lot_id,
            },
        )
        return redirect(self.back())


# --- the store ---------------------------------------------------------------------------------


class StoreEditView(FormPage):
    @property
    def title(self):
        return _("Food bank settings")

    def make_form(self, data=None):
        return StoreForm.for_store(self.store, data)

    def save(self, form):
        services.store_update(actor=self.request.user, store=self.store, **form.cleaned_data)
        messages.success(self.request, _("The settings were saved."))
        return redirect("foodbank-stock", district=self.district.code)
