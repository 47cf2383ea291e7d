"""The counter (helper "counter"): goods taken for points, and cancelling a redemption.

``redeem`` checks everything first (the beneficiary, who collects, each line's item, quantity
and stock, the points usable today) and raises ONE ValidationError naming every problem;
then, under the store's lock, it writes the redemption, its lines (one per item and lot), one
stock movement per lot (negative) and one points entry per award used, lots and awards taken
earliest-expiry first (``domain.fefo``; expired ones never). ``ledger.move`` and
``ledger.post_points`` refuse a lot or an award below zero: the safety net.

``redemption_cancel`` writes the opposite: the goods back to the same lots ("return"), the
points back to the same awards ("reverse" entries naming the redeem entry); points of an award
that has expired meanwhile expire again at once ("expire"), and those of an award taken back
meanwhile (``award_reverse``) are taken back again at once. The redemption keeps its rows and
becomes "cancelled" with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.communities.models import Person
from chumchon.core.audit import record_event
from chumchon.core.dates import format_date

from . import domain, ledger
from .domain import add
from .models import (
    Beneficiary,
    Item,
    Lot,
    PointEntry,
    Redemption,
    RedemptionLine,
    Status,
    StockMovement,
    Store,
)
from .selectors_counter import adults_who_may_redeem, beneficiary_label


def _line_parts(line: Any) -> tuple[Any, Any, Any]:
    if isinstance(line, dict):
        return line.get("item"), line.get("quantity"), line.get("lot")
    parts = tuple(line)
    if len(parts) == 2:
        return parts[0], parts[1], None
    if len(parts) == 3:
        return parts
    raise ValueError("a line is (item, quantity) or (item, quantity, lot)")


def _check_beneficiary(store: Store, beneficiary: Beneficiary, problems) -> None:
    if beneficiary.store_id != store.pk:
        add(
            problems,
            "beneficiary",
            _(
                "%(who)s is a beneficiary of another district's food bank (%(other)s), not of "
                "%(store)s: redeem there."
            )
            % {
                "who": beneficiary_label(beneficiary),
                "other": beneficiary.store.name,
                "store": store.name,
            },
        )
    elif beneficiary.state != Beneficiary.State.ACTIVE:
        add(
            problems,
            "beneficiary",
            _("%(who)s was closed on %(date)s: a closed beneficiary cannot redeem.")
            % {
                "who": beneficiary_label(beneficiary),
                "date": format_date(beneficiary.closed_on) or "-",
            },
        )


def _check_collector(beneficiary: Beneficiary, redeemed_by: Person | None, on: date, problems):
    if redeemed_by is None:
        add(problems, "redeemed_by", _("Choose who collects the goods."))
        return
    if beneficiary.kind == Beneficiary.Kind.PERSON:
        if redeemed_by.pk != beneficiary.person_id:
            add(
                problems,
                "redeemed_by",
                _("%(name)s is not beneficiary %(who)s: only the beneficiary collects.")
                % {"name": redeemed_by.full_name, "who": beneficiary_label(beneficiary)},
            )
        return
    adults = {p.pk for p in adults_who_may_redeem(beneficiary, on)}
    if redeemed_by.pk not in adults:
        add(
            problems,
            "redeemed_by",
            _(
                "%(name)s is not an adult member of household %(household)s: only a member aged "
                "%(age)s or more collects for the household."
            )
            % {
                "name": redeemed_by.full_name,
                "household": beneficiary.household,
                "age": domain.ADULT_AGE,
            },
        )


@transaction.atomic
def redeem(
    *,
    actor: Any,
    store: Store,
    beneficiary: Beneficiary,
    redeemed_by: Person | None,
    lines: list,
    on: date | None = None,
) -> Redemption:
    """Goods for points at the counter, today. ``lines``: [(item, quantity)] or
    [(item, quantity, lot)] with raw quantities (strings or numbers)."""
    store = ledger.lock_store(store)
    today = timezone.localdate()
    on = on or today
    problems: dict[str, list[str]] = {}
    if on != today:
        add(
            problems,
            "redeemed_on",
            _(
                "Goods are redeemed on the day they are handed out (today, %(today)s), not on %(on)s."
            )
            % {"today": format_date(today), "on": format_date(on)},
        )
    beneficiary = Beneficiary.objects.select_related("store", "person", "household").get(
        pk=beneficiary.pk
    )
    _check_beneficiary(store, beneficiary, problems)
    _check_collector(beneficiary, redeemed_by, on, problems)

    # the lines: items, quantities, lots ------------------------------------------------------
    parsed: list[tuple[int, Item, int, Lot | None]] = []
    if not lines:
        add(problems, "lines", _("Pick at least one item."))
    raw = [_line_parts(line) for line in lines or []]
    item_ids = {getattr(i, "pk", i) for i, _q, _l in raw if i is not None}
    lot_ids = {getattr(lot, "pk", lot) for _i, _q, lot in raw if lot is not None}
    items = Item.objects.in_bulk([i for i in item_ids if isinstance(i, int)])
    lots = Lot.objects.in_bulk([i for i in lot_ids if isinstance(i, int)])
    for n, (item_ref, quantity_raw, lot_ref) in enumerate(raw):
        item = items.get(getattr(item_ref, "pk", item_ref))
        row = n + 1
        if item is None or item.store_id != store.pk:
            add(
                problems,
                f"lines.{n}.item",
                _("Line %(row)s: this item is not in the catalogue of %(store)s.")
                % {"row": row, "store": store.name},
            )
            item = None
        elif not item.active:
            add(
                problems,
                f"lines.{n}.item",
                _("Line %(row)s: %(item)s is no longer handed out (inactive).")
                % {"row": row, "item": item.name},
            )
            item = None
        label = (
            _("Quantity of %(item)s") % {"item": item.name}
            if item
            else _("Line %(row)s quantity") % {"row": row}
        )
        quantity, problem = domain.count_problem(
            quantity_raw, label=label, maximum=domain.MAX_QUANTITY
        )
        if problem:
            add(problems, f"lines.{n}.quantity", problem)
        lot = None
        if lot_ref is not None:
            lot = lots.get(getattr(lot_ref, "pk", lot_ref))
            if item is not None and (
                lot is None or lot.item_id != item.pk or lot.store_id != store.pk
            ):
                add(
                    problems,
                    f"lines.{n}.lot",
                    _("Line %(row)s: lot %(lot)s is not a lot of %(item)s in this food bank.")
                    % {"row": row, "lot": getattr(lot_ref, "pk", lot_ref), "item": item.name},
                )
                lot = None
                item = None
            elif item is not None and lot.expires_on is not None and lot.expires_on < on:
                add(
                    problems,
                    f"lines.{n}.lot",
                    _("Lot %(lot)s of %(item)s expired on %(date)s: it cannot be handed out.")
                    % {"lot": lot.pk, "item": item.name, "date": format_date(lot.expires_on)},
                )
                item = None
        if item is not None and quantity is not None:
            parsed.append((n, item, quantity, lot))

    # stock: explicit lots first, then earliest expiry first ----------------------------------
    takes: dict[tuple[int, int], int] = defaultdict(int)  # (item id, lot id) -> units
    if parsed:
        # only the basket's items: a whole store's lots are many, a basket has a few items
        left = ledger.lot_left(store, items=sorted({item.pk for _n, item, _q, _lot in parsed}))
        wanted_lot: dict[int, tuple[int, Item, int]] = {}
        wanted_fefo: dict[int, tuple[int, Item, int]] = {}
        for n, item, quantity, lot in parsed:
            target = wanted_lot if lot is not None else wanted_fefo
            key = lot.pk if lot is not None else item.pk
            first, _item, before = target.get(key, (n, item, 0))
            target[key] = (first, item, before + quantity)
        for lot_pk, (n, item, quantity) in wanted_lot.items():
            have = left.get(lot_pk, 0)
            if have < quantity:
                add(
                    problems,
                    f"lines.{n}.quantity",
                    _("Only %(have)s %(unit)s of %(item)s in stock in lot %(lot)s.")
                    % {"have": have, "unit": item.unit, "item": item.name, "lot": lot_pk},
                )
                continue
            left[lot_pk] = have - quantity
            takes[(item.pk, lot_pk)] += quantity
        if wanted_fefo:
            candidates = Lot.objects.filter(
                store=store, item_id__in=list(wanted_fefo), pk__in=list(left)
            ).only("pk", "item_id", "expires_on", "received_on")
            by_item: dict[int, list[domain.Bucket]] = defaultdict(list)
            for lot in candidates:
                by_item[lot.item_id].append(
                    domain.Bucket(lot.pk, left.get(lot.pk, 0), lot.expires_on, lot.received_on)
                )
            for item_pk, (n, item, quantity) in wanted_fefo.items():
                taken, short = domain.fefo(by_item[item_pk], quantity, on=on)
                if short:
                    have = quantity - short
                    add(
                        problems,
                        f"lines.{n}.quantity",
                        _("Only %(have)s %(unit)s of %(item)s in stock.")
                        % {"have": have, "unit": item.unit, "item": item.name},
                    )
                    continue
                for lot_pk, units in taken:
                    takes[(item_pk, lot_pk)] += units

    # points (of every line that could be read, so a short stock and too few points are both
    # named) --------------------------------------------------------------------------------
    points_each = {item.pk: item.points for _n, item, _q, _l in parsed}
    points = sum(quantity * item.points for _n, item, quantity, _l in parsed)
    awards: list = []
    if "beneficiary" not in problems:
        awards = ledger.usable_awards(beneficiary, on)
        have = sum(left_ for _award, left_ in awards)
        if points > have:
            add(
                problems,
                "points",
                _("These goods need %(need)s points; %(who)s has %(have)s points usable today.")
                % {
                    "need": f"{points:,}",
                    "who": beneficiary_label(beneficiary),
                    "have": f"{have:,}",
                },
            )
    domain.raise_problems(problems)

    # write ---------------------------------------------------------------------------------
    number = (Redemption.objects.filter(store=store).aggregate(n=Max("number"))["n"] or 0) + 1
    redemption = Redemption(
        store=store,
        number=number,
        beneficiary=beneficiary,
        redeemed_by=redeemed_by,
        redeemed_on=on,
        points=points,
        clerk=actor,
    )
    redemption.full_clean()
    redemption.save()
    lot_rows = Lot.objects.select_related("item").in_bulk([lot for _i, lot in takes])
    for (item_pk, lot_pk), units in sorted(takes.items()):
        lot = lot_rows[lot_pk]
        RedemptionLine.objects.create(
            redemption=redemption,
            item_id=item_pk,
            lot=lot,
            quantity=units,
            points_each=points_each[item_pk],
            points=units * points_each[item_pk],
        )
        ledger.move(
            actor=actor,
            store=store,
            lot=lot,
            kind=StockMovement.Kind.REDEMPTION,
            quantity=-units,
            on=on,
            redemption=redemption,
        )
    by_award = {award.pk: award for award, _left in awards}
    taken, short = domain.fefo(
        [domain.Bucket(a.pk, left_, a.expires_on, a.awarded_on) for a, left_ in awards],
        points,
        on=on,
    )
    if short:  # usable_awards said enough: cannot happen under the lock
        raise ValidationError({"points": [_("Not enough points.")]})
    for award_pk, used in taken:
        ledger.post_points(
            actor=actor,
            award=by_award[award_pk],
            kind=PointEntry.Kind.REDEEM,
            points=-used,
            on=on,
            redemption=redemption,
        )
    record_event(
        actor=actor,
        action="foodbank.redeem",
        obj=redemption,
        area_path=store.area.path,
        object_label=f"{store.area.code} R{number}",
        changes={
            "beneficiary": [None, beneficiary.number],
            "points": [None, points],
            "lines": [None, [[i, lot, u] for (i, lot), u in sorted(takes.items())]],
        },
    )
    return redemption


@transaction.atomic
def redemption_cancel(*, actor: Any, redemption: Redemption, reason: str) -> Redemption:
    """Cancel a redemption with the reason: goods back to their lots, points to their awards
    (expired again at once when the award has expired meanwhile, taken back again at once
    when the award was taken back meanwhile)."""
    store = ledger.lock_store(redemption.store)
    redemption = Redemption.objects.select_related("store__area").get(pk=redemption.pk)
    reason = (reason or "").strip()
    problems: dict[str, list[str]] = {}
    if redemption.status == Status.CANCELLED:
        add(
            problems,
            "status",
            _("Receipt %(number)s was already cancelled on %(date)s.")
            % {
                "number": redemption.number,
                "date": format_date(redemption.cancelled_at),
            },
        )
    if not reason:
        add(problems, "reason", _("Give the reason for cancelling the receipt."))
    domain.raise_problems(problems)
    today = timezone.localdate()
    for movement in StockMovement.objects.filter(
        redemption=redemption, kind=StockMovement.Kind.REDEMPTION
    ).select_related("lot__item"):
        ledger.move(
            actor=actor,
            store=store,
            lot=movement.lot,
            kind=StockMovement.Kind.RETURN,
            quantity=-movement.quantity,
            on=today,
            reason=reason,
            redemption=redemption,
        )
    for entry in PointEntry.objects.filter(
        redemption=redemption, kind=PointEntry.Kind.REDEEM
    ).select_related("award"):
        ledger.post_points(
            actor=actor,
            award=entry.award,
            kind=PointEntry.Kind.REVERSE,
            points=-entry.points,
            on=today,
            redemption=redemption,
            reverses=entry,
            reason=reason,
        )
        if entry.award.expires_on < today:
            ledger.post_points(
                actor=actor,
                award=entry.award,
                kind=PointEntry.Kind.EXPIRE,
                points=entry.points,
                on=today,
                redemption=redemption,
                reason=_("The award expired on %(date)s.")
                % {"date": format_date(entry.award.expires_on)},
            )
        elif PointEntry.objects.filter(
            award=entry.award, kind=PointEntry.Kind.REVERSE, redemption__isnull=True
        ).exists():
            # the award was taken back (services_points.award_reverse) after this redemption:
            # its points do not come back to life, they are taken back again at once
            ledger.post_points(
                actor=actor,
                award=entry.award,
                kind=PointEntry.Kind.REVERSE,
                points=entry.points,
                on=today,
                reason=_(
                    "The award was taken back: its points returned by receipt %(number)s "
                    "are taken back too."
                )
                % {"number": redemption.number},
            )
    redemption.status = Status.CANCELLED
    redemption.cancel_reason = reason
    redemption.cancelled_at = timezone.now()
    redemption.cancelled_by = actor
    redemption.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    record_event(
        actor=actor,
        action="foodbank.redemption_cancel",
        obj=redemption,
        area_path=store.area.path,
        object_label=f"{store.area.code} R{redemption.number}",
        changes={"status": [Status.RECORDED, Status.CANCELLED]},
        reason=reason,
    )
    return redemption
