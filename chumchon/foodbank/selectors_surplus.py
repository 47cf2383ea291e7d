"""Reads of the surplus food relay: impact totals (public), kg on hand, lists.

Impact is computed from the recorded donations, never typed: the grams of each factor period
(the meals and CO2 factors copied onto each donation) are summed exactly in ONE query, then
multiplied and rounded once (``domain.impact``). Cancelled rows count nowhere. Every function
reads a constant number of queries whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from chumchon.core.dates import fiscal_year, fiscal_year_bounds
from chumchon.organizations.models import Area

from . import domain
from .models import Distribution, Donor, Status, SurplusDonation


def fiscal_year_period(on: date | None = None) -> tuple[date, date]:
    """The first and last day of the fiscal year of ``on`` (default today)."""
    return fiscal_year_bounds(fiscal_year(on or timezone.localdate()))


def recorded_donations(area: Area | None, start: date, end: date) -> QuerySet[SurplusDonation]:
    qs = SurplusDonation.objects.filter(
        status=Status.RECORDED, donated_on__gte=start, donated_on__lte=end
    )
    if area is not None:
        qs = qs.filter(district__path__startswith=area.path)
    return qs


def recorded_distributions(area: Area | None, start: date, end: date) -> QuerySet[Distribution]:
    qs = Distribution.objects.filter(
        status=Status.RECORDED, distributed_on__gte=start, distributed_on__lte=end
    )
    if area is not None:
        qs = qs.filter(district__path__startswith=area.path)
    return qs


def impact(area: Area | None = None, *, start: date, end: date) -> domain.Impact:
    """Totals of the area (default: everything) for the days start..end inclusive (3 queries)."""
    donations = recorded_donations(area, start, end)
    groups = (
        donations.values("meals_per_kg", "kgco2e_per_kg").annotate(g=Sum("weight_g")).order_by()
    )
    counts = donations.aggregate(n=Count("id"), donors=Count("donor_id", distinct=True))
    people = recorded_distributions(area, start, end).aggregate(p=Sum("headcount"))["p"]
    return domain.impact(
        [(row["meals_per_kg"], row["kgco2e_per_kg"], row["g"]) for row in groups],
        donations=counts["n"] or 0,
        donors=counts["donors"] or 0,
        people_served=int(people or 0),
    )


@dataclass
class DistrictImpact:
    district: Area
    impact: domain.Impact


def impact_by_district(area: Area | None, *, start: date, end: date) -> list[DistrictImpact]:
    """One row per district under the area with donations or distributions in the period,
    in district code order (4 queries)."""
    donations = recorded_donations(area, start, end)
    groups: dict[int, list] = {}
    for row in (
        donations.values("district_id", "meals_per_kg", "kgco2e_per_kg")
        .annotate(g=Sum("weight_g"))
        .order_by()
    ):
        groups.setdefault(row["district_id"], []).append(
            (row["meals_per_kg"], row["kgco2e_per_kg"], row["g"])
        )
    counts = {
        row["district_id"]: row
        for row in donations.values("district_id")
        .annotate(n=Count("id"), donors=Count("donor_id", distinct=True))
        .order_by()
    }
    people = {
        row["district_id"]: int(row["p"] or 0)
        for row in recorded_distributions(area, start, end)
        .values("district_id")
        .annotate(p=Sum("headcount"))
        .order_by()
    }
    ids = set(groups) | set(people)
    districts = Area.objects.filter(pk__in=ids).select_related("kind").order_by("code")
    return [
        DistrictImpact(
            district,
            domain.impact(
                groups.get(district.pk, []),
                donations=counts.get(district.pk, {}).get("n", 0),
                donors=counts.get(district.pk, {}).get("donors", 0),
                people_served=people.get(district.pk, 0),
            ),
        )
        for district in districts
    ]


def on_hand_g(district: Area, on: date | None = None) -> int:
    """Grams the district has received and not handed on (recorded rows, by the end of ``on``)."""
    donations = SurplusDonation.objects.filter(district=district, status=Status.RECORDED)
    distributions = Distribution.objects.filter(district=district, status=Status.RECORDED)
    if on is not None:
        donations = donations.filter(donated_on__lte=on)
        distributions = distributions.filter(distributed_on__lte=on)
    received = donations.aggregate(g=Sum("weight_g"))["g"] or 0
    handed = distributions.aggregate(g=Sum("weight_g"))["g"] or 0
    return int(received) - int(handed)


def donations_of(
    district: Area,
    *,
    start: date | None = None,
    end: date | None = None,
    status: str = "",
    donor: Donor | None = None,
) -> QuerySet[SurplusDonation]:
    qs = SurplusDonation.objects.filter(district=district).select_related(
        "donor", "district", "recorded_by"
    )
    if start:
        qs = qs.filter(donated_on__gte=start)
    if end:
        qs = qs.filter(donated_on__lte=end)
    if status:
        qs = qs.filter(status=status)
    if donor is not None:
        qs = qs.filter(donor=donor)
    return qs.order_by("-donated_on", "-number")


def distributions_of(
    district: Area,
    *,
    start: date | None = None,
    end: date | None = None,
    status: str = "",
    recipient_kind: str = "",
) -> QuerySet[Distribution]:
    qs = Distribution.objects.filter(district=district).select_related(
        "community__area", "district", "recorded_by"
    )
    if start:
        qs = qs.filter(distributed_on__gte=start)
    if end:
        qs = qs.filter(distributed_on__lte=end)
    if status:
        qs = qs.filter(status=status)
    if recipient_kind:
        qs = qs.filter(recipient_kind=recipient_kind)
    return qs.annotate(n_persons=Count("persons")).order_by("-distributed_on", "-number")


def donation_meals(donation: SurplusDonation) -> tuple[Any, Any]:
    """(meals, kgCO2e) of one donation with its own factors, each rounded once."""
    return domain.donation_impact(
        donation.weight_g, domain.Factors(donation.meals_per_kg, donation.kgco2e_per_kg)
    )


def donor_totals(donor: Donor, *, start: date | None = None, end: date | None = None) -> dict:
    """What the donor gave (recorded donations, optionally in a period), per district
    in total (3 queries)."""
    qs = SurplusDonation.objects.filter(donor=donor, status=Status.RECORDED)
    if start:
        qs = qs.filter(donated_on__gte=start)
    if end:
        qs = qs.filter(donated_on__lte=end)
    groups = qs.values("meals_per_kg", "kgco2e_per_kg").annotate(g=Sum("weight_g")).order_by()
    n = qs.aggregate(n=Count("id"))["n"] or 0
    total = domain.impact(
        [(r["meals_per_kg"], r["kgco2e_per_kg"], r["g"]) for r in groups], donations=n, donors=1
    )
    first_last = qs.aggregate(first=Min("donated_on"), last=Max("donated_on"))
    return {"impact": total, "first": first_last["first"], "last": first_last["last"]}


def donors_visible(user: Any, qs: QuerySet[Donor] | None = None) -> QuerySet[Donor]:
    """Donors the user reads: those under the user's foodbank.view areas, and the city-level
    donors above them (chains that give in the user's districts)."""
    from chumchon.accounts.scoping import reach_of

    from .permissions import VIEW, scope

    qs = qs if qs is not None else Donor.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    if reach.everything:
        return qs
    paths = reach.paths_with(VIEW)
    if not paths:
        return qs.none()
    above = Q(area__kind__code="city") & Q(
        area__path__in=[p for path in paths for p in _ancestors(path)]
    )
    return qs.filter(Q(pk__in=scope(Donor.objects.all(), user).values("pk")) | above)


def _ancestors(path: str) -> list[str]:
    """ "/BKK/BKK-01/1001/" -> ["/BKK/", "/BKK/BKK-01/", "/BKK/BKK-01/1001/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def donors_for_district(district: Area) -> QuerySet[Donor]:
    """Active donors that may give to the district: its own and the city-level ones above it."""
    return (
        Donor.objects.filter(active=True)
        .filter(
            Q(area=district) | Q(area__kind__code="city", area__path__in=_ancestors(district.path))
        )
        .select_related("area")
        .order_by("name", "id")
    )


def donor_get_for(user: Any, pk: Any) -> Donor:
    """A donor the user reads: a city-wide donor above the user's foodbank.view areas, or one
    in reach (404 outside, 403 without foodbank.view)."""
    from .permissions import VIEW, get_for

    qs = Donor.objects.select_related("area", "area__kind")
    if str(pk).isdigit():
        donor = donors_visible(user, qs).filter(pk=pk).first()
        if donor is not None:
            return donor
    return get_for(user, qs, pk, VIEW)


def impact_of(donations: QuerySet[SurplusDonation]) -> domain.Impact:
    """Totals of a queryset of recorded donations (2 queries; people served not counted)."""
    groups = (
        donations.values("meals_per_kg", "kgco2e_per_kg").annotate(g=Sum("weight_g")).order_by()
    )
    counts = donations.aggregate(n=Count("id"), donors=Count("donor_id", distinct=True))
    return domain.impact(
        [(row["meals_per_kg"], row["kgco2e_per_kg"], row["g"]) for row in groups],
        donations=counts["n"] or 0,
        donors=counts["donors"] or 0,
    )
