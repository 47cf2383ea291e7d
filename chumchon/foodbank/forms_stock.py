"""Forms of the store pages. Quantities, points and day counts are typed as text and parsed by
services_stock, so the pages and the API give the same messages; dates are typed the Thai way
(ThaiDateField)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chumchon.core.dates import format_date
from chumchon.core.forms import StyledForm, ThaiDateField
from chumchon.organizations.models import Area

from .models import Donor, Item, Lot, StockMovement, Store


def today_text() -> str:
    return format_date(timezone.localdate(), "numeric")


class StoreForm(StyledForm):
    name = forms.CharField(label=_("Name of the food bank"), max_length=255)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    near_expiry_days = forms.CharField(
        label=_("Warn this many days before expiry"),
        max_length=5,
        help_text=_("0 to 365. Lots expiring within these days are flagged on the stock page."),
    )
    award_valid_days = forms.CharField(
        label=_("Points awarded are valid for (days)"),
        max_length=5,
        help_text=_("1 to 3,650. Applies to points awarded from now on."),
    )

    @classmethod
    def for_store(cls, store: Store, data=None) -> StoreForm:
        initial = {name: getattr(store, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class ItemForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    unit = forms.CharField(
        label=_("Unit"), max_length=50, help_text=_("What one unit is: bag, bottle, pack, can.")
    )
    category = forms.ChoiceField(label=_("Item category"), choices=Item.Category.choices)
    points = forms.CharField(
        label=_("Points per unit"),
        max_length=10,
        help_text=_("A change applies to later redemptions only."),
    )
    barcode = forms.CharField(label=_("Barcode"), max_length=50, required=False)


class ItemEditForm(ItemForm):
    active = forms.BooleanField(
        label=_("Active (offered at the counter)"),
        required=False,
        help_text=_("An item may be deactivated even while it has stock."),
    )

    @classmethod
    def for_item(cls, item: Item, data=None) -> ItemEditForm:
        initial = {name: getattr(item, name) for name in cls.base_fields}
        return cls(data, initial=initial)


def donors_for(district: Area):
    """Donors of the district and city-wide donors of the city above it (active ones)."""
    parts = [p for p in district.path.strip("/").split("/") if p]
    ancestors = ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]
    return (
        Donor.objects.filter(active=True)
        .filter(Q(area=district) | Q(area__kind__code="city", area__path__in=ancestors))
        .select_related("area")
        .order_by("name", "id")
    )


class ReceiveForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Received as"),
        choices=[
            (StockMovement.Kind.DONATION_IN, _("a donation")),
            (StockMovement.Kind.PURCHASE_IN, _("a purchase")),
        ],
        initial=StockMovement.Kind.DONATION_IN,
        widget=forms.RadioSelect,
    )
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none())
    quantity = forms.CharField(label=_("Quantity (units)"), max_length=12)
    received_on = ThaiDateField(label=_("Received on"))
    expires_on = ThaiDateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Leave empty for goods that do not expire (soap, detergent)."),
    )
    donor = forms.ModelChoiceField(
        label=_("Donor"),
        queryset=Donor.objects.none(),
        required=False,
        help_text=_("Donors of this district and city-wide donors."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, store: Store, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("received_on", today_text())
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(store=store, active=True).order_by(
            "category", "name", "id"
        )
        self.fields["donor"].queryset = donors_for(store.area)
        self.fields["donor"].label_from_instance = lambda d: (
            f"{d} · {_('city-wide')}" if d.area_id != store.area_id else str(d)
        )
        self.fields["kind"].widget.attrs.pop("class", None)


class WriteOffForm(StyledForm):
    quantity = forms.CharField(label=_("Units to write off"), max_length=12)
    on = ThaiDateField(label=_("Date"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Expired, damaged, spoiled..."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on", today_text())
        super().__init__(*args, **kwargs)


class CountForm(StyledForm):
    counted = forms.CharField(label=_("Units counted"), max_length=12)
    on = ThaiDateField(label=_("Date of the count"))
    reason = forms.CharField(
        label=_("Reason for a difference"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the count differs from the records."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on", today_text())
        super().__init__(*args, **kwargs)


class TransferForm(StyledForm):
    to_district = forms.ModelChoiceField(
        label=_("Send to district"), queryset=Area.objects.none(), to_field_name="code"
    )
    quantity = forms.CharField(label=_("Units to send"), max_length=12)
    on = ThaiDateField(label=_("Date"))
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, lot: Lot, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on", today_text())
        super().__init__(*args, **kwargs)
        self.fields["to_district"].queryset = (
            Area.objects.filter(kind__code="district", is_active=True)
            .exclude(pk=lot.store.area_id)
            .order_by("code")
        )
        self.fields["to_district"].label_from_instance = lambda a: f"{a.code} {a.name}"


class StockFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Item category"),
        choices=[("", _("All categories")), *Item.Category.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.attrs["class"] = "form-select"


class MovementFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    item = forms.ModelChoiceField(
        label=_("Item"), queryset=Item.objects.none(), required=False, empty_label=_("All items")
    )
    date_from = ThaiDateField(label=_("From"), required=False)
    date_to = ThaiDateField(label=_("To"), required=False)

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *StockMovement.Kind.choices]
        self.fields["item"].queryset = Item.objects.filter(store=store).order_by("name", "id")
        for name, field in self.fields.items():
            css = "form-select" if name in ("kind", "item") else "form-control"
            field.widget.attrs["class"] = css

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
