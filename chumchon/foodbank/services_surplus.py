"""Writes of the surplus food relay (Model 1): donors, surplus donations, distributions.

- ``donor_create`` / ``donor_update``: a donor belongs to a district, or to the city for chains
  giving in many districts under an agreement.
- ``donation_record``: the weight is parsed here (``domain.weight_problem``: kg to the gram),
  the category weights must add up to it, and the meals and CO2 factors valid on the donation's
  date are copied onto the row (no factor valid: refused). ``donation_cancel`` keeps the row
  (status cancelled) and refuses when the district would then have handed on more food than it
  received on some day.
- ``distribution_record``: food handed on by the district; under the district's store lock, the
  kg on hand (received minus handed on, recorded rows only) must stay at or above zero at the
  end of every day from the distribution's date on, so a backdated distribution cannot take
  food that later distributions already used.

Every function is keyword-only with the actor first, atomic, checks everything before writing
and raises one ValidationError naming every problem; every write is audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.communities.models import Community, Person
from chumchon.core.audit import model_changes, record_event, snapshot
from chumchon.core.dates import format_date
from chumchon.core.params import ParameterMissing, parameter_decimal
from chumchon.organizations.models import Area

from . import domain, ledger
from .domain import add, format_kg, raise_problems
from .models import Distribution, DonationCategory, Donor, Status, SurplusDonation

DONOR_FIELDS = (
    "branch",
    "tax_id",
    "contact_name",
    "contact_phone",
    "email",
    "address",
    "agreement_no",
    "agreement_on",
    "active",
    "note",
)
TEXT_FIELDS = ("branch", "tax_id", "contact_name", "contact_phone", "email", "agreement_no")
MAX_HEADCOUNT = 1_000_000


def _today() -> date:
    return timezone.localdate()


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def _is_donor_area(area: Any) -> bool:
    return isinstance(area, Area) and area.kind.code in ("district", "city")


# --- donors ------------------------------------------------------------------------------------


def _check_donor(donor: Donor, problems: dict[str, list[str]]) -> None:
    donor.name = _clean(donor.name)
    for name in TEXT_FIELDS:
        setattr(donor, name, _clean(getattr(donor, name)))
    if not donor.name:
        add(problems, "name", _("Enter the donor's name."))
    if donor.kind not in Donor.Kind.values:
        add(
            problems,
            "kind",
            _("“%(value)s” is not a kind of donor: use one of %(choices)s.")
            % {"value": donor.kind, "choices": ", ".join(Donor.Kind.values)},
        )
    area = donor.area if donor.area_id else None
    if not _is_donor_area(area):
        add(problems, "area", _("A donor belongs to a district or to the whole city."))
    if problems:
        return
    try:
        donor.full_clean(exclude=["area", "created_by"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                add(problems, name, message)


@transaction.atomic
def donor_create(*, actor: Any, area: Area, kind: str, name: str, **fields: Any) -> Donor:
    """Register a donor at a district or at the city (chains under an agreement)."""
    unknown = set(fields) - set(DONOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown donor fields: {', '.join(sorted(unknown))}")
    donor = Donor(
        area=area if isinstance(area, Area) else None,
        kind=kind or "",
        name=name or "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{k: (v if v is not None or k == "agreement_on" else "") for k, v in fields.items()},
    )
    problems: dict[str, list[str]] = {}
    _check_donor(donor, problems)
    raise_problems(problems)
    donor.save()
    record_event(
        actor=actor,
        action="foodbank.donor_create",
        obj=donor,
        changes=model_changes(None, snapshot(donor)),
        area_path=donor.area.path,
    )
    return donor


@transaction.atomic
def donor_update(*, actor: Any, donor: Donor, **fields: Any) -> Donor:
    """Change a donor's details (area, kind, name or contact fields); audited before/after."""
    allowed = {"area", "kind", "name", *DONOR_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown donor fields: {', '.join(sorted(unknown))}")
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    before = snapshot(donor)
    for name, value in fields.items():
        if name == "area":
            donor.area = value if isinstance(value, Area) else None  # type: ignore[assignment]
            if value is None or not isinstance(value, Area):
                donor.area_id = None  # type: ignore[assignment]
        elif name == "agreement_on":
            donor.agreement_on = value
        elif name == "active":
            donor.active = bool(value)
        else:
            setattr(donor, name, value if value is not None else "")
    problems: dict[str, list[str]] = {}
    _check_donor(donor, problems)
    raise_problems(problems)
    donor.save()
    changes = model_changes(before, snapshot(donor))
    if changes:
        record_event(
            actor=actor,
            action="foodbank.donor_update",
            obj=donor,
            changes=changes,
            area_path=donor.area.path,
        )
    return donor


# --- the district's kg on hand, day by day -----------------------------------------------------


def _by_day(district: Area) -> dict[date, int]:
    """Net grams per day (received minus handed on) of the district's recorded rows."""
    net: dict[date, int] = defaultdict(int)
    rows = (
        SurplusDonation.objects.filter(district=district, status=Status.RECORDED)
        .values("donated_on")
        .annotate(g=Sum("weight_g"))
        .order_by()
    )
    for row in rows:
        net[row["donated_on"]] += int(row["g"] or 0)
    rows = (
        Distribution.objects.filter(district=district, status=Status.RECORDED)
        .values("distributed_on")
        .annotate(g=Sum("weight_g"))
        .order_by()
    )
    for row in rows:
        net[row["distributed_on"]] -= int(row["g"] or 0)
    return net


def _totals_by(district: Area, day: date) -> tuple[int, int]:
    """(received, handed on) grams of the district up to the end of ``day``."""
    received = SurplusDonation.objects.filter(
        district=district, status=Status.RECORDED, donated_on__lte=day
    ).aggregate(g=Sum("weight_g"))["g"]
    handed = Distribution.objects.filter(
        district=district, status=Status.RECORDED, distributed_on__lte=day
    ).aggregate(g=Sum("weight_g"))["g"]
    return int(received or 0), int(handed or 0)


def _lowest_from(net: dict[date, int], since: date) -> tuple[int, date]:
    """The lowest end-of-day balance from ``since`` on and the first day it is reached."""
    running = 0
    lowest: int | None = None
    lowest_day = since
    for day in sorted(set(net) | {since}):
        running += net.get(day, 0)
        if day >= since and (lowest is None or running < lowest):
            lowest, lowest_day = running, day
    return (running if lowest is None else lowest), lowest_day


# --- donations ---------------------------------------------------------------------------------


def _check_date(value: Any, field: str, problems: dict[str, list[str]]) -> date | None:
    if value is None or value == "":
        add(problems, field, _("Enter the date."))
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        add(problems, field, _("Enter a valid date."))
        return None
    if value > _today():
        add(
            problems,
            field,
            _("The date cannot be in the future (%(date)s).") % {"date": format_date(value)},
        )
        return None
    return value


def _check_district(district: Any, problems: dict[str, list[str]]) -> bool:
    if not isinstance(district, Area) or district.kind.code != "district":
        add(problems, "district", _("Choose a district."))
        return False
    return True


def donor_fits(donor: Donor, district: Area) -> bool:
    """The donor gives in this district: its own, or a city-level donor above it."""
    if donor.area_id == district.pk:
        return True
    area = donor.area
    return area.kind.code == "city" and district.path.startswith(area.path)


@transaction.atomic
def donation_record(
    *,
    actor: Any,
    district: Area,
    donor: Donor | None,
    donated_on: date | None,
    weight_kg: Any,
    categories: Sequence[tuple[Any, Any]] = (),
    picked_up_by: str = "",
    pickup_address: str = "",
    pickup_at: datetime | None = None,
    handed_over_to: str = "",
    reference: str = "",
    note: str = "",
) -> SurplusDonation:
    """Record surplus food received by ``district`` (weights in kg, up to 3 decimals)."""
    problems: dict[str, list[str]] = {}
    district_ok = _check_district(district, problems)
    if donor is None:
        add(problems, "donor", _("Choose the donor."))
    elif district_ok and not donor_fits(donor, district):
        add(
            problems,
            "donor",
            _("%(donor)s is a donor of %(area)s, not of %(district)s.")
            % {"donor": donor, "area": donor.area.display_name, "district": district.display_name},
        )
    elif not donor.active:
        add(problems, "donor", _("%(donor)s is marked inactive.") % {"donor": donor})
    day = _check_date(donated_on, "donated_on", problems)
    grams, problem = domain.weight_problem(weight_kg, label=_("The weight"))
    if problem:
        add(problems, "weight_kg", problem)
    lines, category_problems = domain.check_categories(
        grams, list(categories), known=SurplusDonation.Category.values
    )
    for key, messages in category_problems.items():
        for message in messages:
            add(problems, key, message)
    factors = None
    if day is not None:
        try:
            factors = domain.Factors(
                parameter_decimal(domain.MEALS_KEY, day), parameter_decimal(domain.CO2_KEY, day)
            )
        except ParameterMissing:
            add(
                problems,
                "donated_on",
                _("No meals/CO2 factor is valid on %(date)s: central staff must set one.")
                % {"date": format_date(day)},
            )
    if pickup_at is not None and isinstance(pickup_at, datetime):
        local = timezone.localtime(pickup_at) if timezone.is_aware(pickup_at) else pickup_at
        if local.date() > _today():
            add(problems, "pickup_at", _("The pick-up time cannot be in the future."))
    raise_problems(problems)
    assert district_ok and donor is not None and day is not None and grams and factors

    ledger.lock_district(district)
    number = (
        SurplusDonation.objects.filter(district=district).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    donation = SurplusDonation(
        district=district,
        number=number,
        donor=donor,
        donated_on=day,
        weight_g=grams,
        meals_per_kg=factors.meals_per_kg,
        kgco2e_per_kg=factors.kgco2e_per_kg,
        picked_up_by=_clean(picked_up_by),
        pickup_address=(pickup_address or "").strip(),
        pickup_at=pickup_at,
        handed_over_to=_clean(handed_over_to),
        reference=_clean(reference),
        note=(note or "").strip(),
        recorded_by=actor,
    )
    donation.full_clean(exclude=["recorded_by", "cancelled_by"])
    donation.save()
    DonationCategory.objects.bulk_create(
        [DonationCategory(donation=donation, category=c.category, weight_g=c.grams) for c in lines]
    )
    meals, kgco2e = domain.donation_impact(grams, factors)
    record_event(
        actor=actor,
        action="foodbank.donation_record",
        obj=donation,
        changes={
            "donor": donation.donor_id,
            "donated_on": day.isoformat(),
            "weight_kg": str(domain.kg(grams)),
            "categories": {c.category: str(domain.kg(c.grams)) for c in lines},
            "meals": str(meals),
            "kgco2e": str(kgco2e),
        },
        area_path=district.path,
    )
    return donation


def _check_reason(reason: Any, problems: dict[str, list[str]]) -> str:
    reason = (reason or "").strip()
    if not reason:
        add(problems, "reason", _("Say why it is cancelled."))
    return reason


def _check_recorded(obj: Any, problems: dict[str, list[str]]) -> None:
    if obj.status != Status.RECORDED:
        add(problems, "__all__", _("This record is already cancelled."))


@transaction.atomic
def donation_cancel(*, actor: Any, donation: SurplusDonation, reason: str) -> SurplusDonation:
    """Cancel a donation recorded in error (kept, status cancelled). Refused when the district
    would then have handed on more food than it received at the end of some day."""
    problems: dict[str, list[str]] = {}
    reason = _check_reason(reason, problems)
    raise_problems(problems)
    district = donation.district
    ledger.lock_district(district)
    donation = SurplusDonation.objects.select_related("district", "donor").get(pk=donation.pk)
    _check_recorded(donation, problems)
    raise_problems(problems)
    net = _by_day(district)
    net[donation.donated_on] -= donation.weight_g
    lowest, day = _lowest_from(net, donation.donated_on)
    if lowest < 0:
        received, handed = _totals_by(district, day)
        add(
            problems,
            "__all__",
            _(
                "This donation cannot be cancelled: without its %(kg)s kg the district would "
                "have received %(received)s kg and handed on %(handed)s kg by %(date)s, "
                "%(short)s kg more than it received. Cancel the distributions first."
            )
            % {
                "kg": format_kg(donation.weight_g),
                "received": format_kg(received - donation.weight_g),
                "handed": format_kg(handed),
                "date": format_date(day),
                "short": format_kg(-lowest),
            },
        )
        raise_problems(problems)
    donation.status = Status.CANCELLED
    donation.cancel_reason = reason
    donation.cancelled_at = timezone.now()
    donation.cancelled_by = actor
    donation.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    record_event(
        actor=actor,
        action="foodbank.donation_cancel",
        obj=donation,
        changes={"status": [Status.RECORDED, Status.CANCELLED]},
        reason=reason,
        area_path=district.path,
    )
    return donation


# --- distributions -----------------------------------------------------------------------------


@transaction.atomic
def distribution_record(
    *,
    actor: Any,
    district: Area,
    distributed_on: date | None,
    recipient_kind: str,
    weight_kg: Any,
    headcount: Any,
    community: Community | None = None,
    recipient_name: str = "",
    persons: Iterable[Person] = (),
    note: str = "",
) -> Distribution:
    """Record food handed on by ``district``; never more than it holds on any day."""
    problems: dict[str, list[str]] = {}
    district_ok = _check_district(district, problems)
    day = _check_date(distributed_on, "distributed_on", problems)
    persons = list(dict.fromkeys(persons))
    recipient_name = _clean(recipient_name)
    kinds = Distribution.Recipient
    if recipient_kind not in kinds.values:
        add(
            problems,
            "recipient_kind",
            _("Choose to whom the food went: %(choices)s.")
            % {"choices": ", ".join(str(label) for label in kinds.labels)},
        )
    if recipient_kind == kinds.COMMUNITY and community is None:
        add(problems, "community", _("Choose the community."))
    if community is not None and district_ok and community.area.parent_id != district.pk:
        add(
            problems,
            "community",
            _("%(community)s is not a community of %(district)s.")
            % {"community": community.area.name, "district": district.display_name},
        )
    if recipient_kind in (kinds.SHELTER, kinds.GROUP) and not recipient_name:
        add(problems, "recipient_name", _("Enter the name of the shelter or group."))
    if recipient_kind == kinds.PERSONS and not persons:
        add(problems, "persons", _("Add at least one registered person."))
    if district_ok:
        for person in persons:
            if not person.area.path.startswith(district.path):
                add(
                    problems,
                    "persons",
                    _("%(person)s is not registered in %(district)s.")
                    % {"person": person.masked_national_id or person.pk, "district": district},
                )
    grams, problem = domain.weight_problem(weight_kg, label=_("The weight"))
    if problem:
        add(problems, "weight_kg", problem)
    people, problem = domain.count_problem(
        headcount, label=_("People served"), maximum=MAX_HEADCOUNT
    )
    if problem:
        add(problems, "headcount", problem)
    elif people is not None and people < len(persons):
        add(
            problems,
            "headcount",
            _("People served (%(n)s) cannot be fewer than the %(persons)s persons named.")
            % {"n": people, "persons": len(persons)},
        )
    raise_problems(problems)
    assert day is not None and grams is not None and people is not None

    ledger.lock_district(district)
    net = _by_day(district)
    before = dict(net)
    net[day] -= grams
    lowest, low_day = _lowest_from(net, day)
    if lowest < 0:
        can, _d = _lowest_from(before, day)
        received, handed = _totals_by(district, low_day)
        add(
            problems,
            "weight_kg",
            _(
                "The district has received %(received)s kg and handed on %(handed)s kg by "
                "%(date)s: at most %(most)s kg can be handed on (not %(kg)s kg)."
            )
            % {
                "received": format_kg(received),
                "handed": format_kg(handed),
                "date": format_date(low_day),
                "most": format_kg(max(can, 0)),
                "kg": format_kg(grams),
            },
        )
        raise_problems(problems)
    number = (
        Distribution.objects.filter(district=district).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    distribution = Distribution(
        district=district,
        number=number,
        distributed_on=day,
        recipient_kind=recipient_kind,
        community=community if recipient_kind == kinds.COMMUNITY else None,
        recipient_name=recipient_name if recipient_kind in (kinds.SHELTER, kinds.GROUP) else "",
        weight_g=grams,
        headcount=people,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    distribution.full_clean(exclude=["recorded_by", "cancelled_by", "community"])
    distribution.save()
    if recipient_kind == kinds.PERSONS:
        distribution.persons.set(persons)
    record_event(
        actor=actor,
        action="foodbank.distribution_record",
        obj=distribution,
        changes={
            "distributed_on": day.isoformat(),
            "recipient_kind": recipient_kind,
            "community": distribution.community_id,
            "recipient_name": distribution.recipient_name,
            "persons": len(persons) if recipient_kind == kinds.PERSONS else 0,
            "weight_kg": str(domain.kg(grams)),
            "headcount": people,
        },
        area_path=district.path,
    )
    return distribution


@transaction.atomic
def distribution_cancel(*, actor: Any, distribution: Distribution, reason: str) -> Distribution:
    """Cancel a distribution recorded in error (kept, status cancelled)."""
    problems: dict[str, list[str]] = {}
    reason = _check_reason(reason, problems)
    raise_problems(problems)
    ledger.lock_district(distribution.district)
    distribution = Distribution.objects.select_related("district").get(pk=distribution.pk)
    _check_recorded(distribution, problems)
    raise_problems(problems)
    distribution.status = Status.CANCELLED
    distribution.cancel_reason = reason
    distribution.cancelled_at = timezone.now()
    distribution.cancelled_by = actor
    distribution.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    record_event(
        actor=actor,
        action="foodbank.distribution_cancel",
        obj=distribution,
        changes={"status": [Status.RECORDED, Status.CANCELLED]},
        reason=reason,
        area_path=distribution.district.path,
    )
    return distribution
