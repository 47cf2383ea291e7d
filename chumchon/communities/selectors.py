"""Screen reads: scoped lists with counts computed in SQL (constant queries as data grows)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from .models import Community, Household, Membership, Person


def _count_subquery(queryset: QuerySet, field: str = "pk") -> Subquery:
    return Subquery(
        queryset.order_by().values(field).annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def _memberships_on(on: date | None) -> QuerySet[Membership]:
    """Today: open memberships of living people. On a past day: memberships in force that day,
    in communities not dissolved by then."""
    if on is None:
        return Membership.objects.filter(until__isnull=True, person__status=Person.Status.ALIVE)
    return Membership.objects.open_on(on).filter(
        Q(household__community__dissolved_on__isnull=True)
        | Q(household__community__dissolved_on__gt=on)
    )


def with_registry_counts(
    queryset: QuerySet[Community], on: date | None = None
) -> QuerySet[Community]:
    """Annotate `registry_households` and `registry_population`: today (on=None) the stored
    counts (`CommunityCount`, kept exact by `services.registry_counts_refresh`: one join, however
    large the registry); on a past day computed from the registry
    (`with_live_registry_counts`)."""
    if on is not None:
        return with_live_registry_counts(queryset, on)
    return queryset.annotate(
        registry_households=Coalesce(
            F("registry_count__households"), Value(0), output_field=IntegerField()
        ),
        registry_population=Coalesce(
            F("registry_count__population"), Value(0), output_field=IntegerField()
        ),
    )


def with_live_registry_counts(
    queryset: QuerySet[Community], on: date | None = None
) -> QuerySet[Community]:
    """Annotate `registry_households` and `registry_population` computed from the registry.

    Today (on=None): active households, and living people with an open membership (what
    `CommunityCount` stores). On a past day: households with at least one member that day, and
    people who were members that day; a community dissolved on or before that day counts 0."""
    population = _memberships_on(on).filter(household__community=OuterRef("pk"))
    if on is None:
        households = Household.objects.filter(community=OuterRef("pk"), is_active=True)
        household_count = _count_subquery(households, "community")
    else:
        household_count = Subquery(
            population.order_by()
            .values("household__community")
            .annotate(n=Count("household", distinct=True))
            .values("n")[:1],
            output_field=IntegerField(),
        )
    return queryset.annotate(
        registry_households=Coalesce(household_count, Value(0)),
        registry_population=Coalesce(_count_subquery(population, "household__community"), Value(0)),
    )


def community_filter(
    queryset: QuerySet[Community],
    *,
    zone: str = "",
    district: str = "",
    type: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[Community]:
    if zone:
        queryset = queryset.filter(area__parent__parent__code=zone)
    if district:
        queryset = queryset.filter(area__parent__code=district)
    if type:
        queryset = queryset.filter(Q(type__code=type) | Q(type__name_th=type))
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(
            Q(area__name_th__icontains=q) | Q(area__code__iexact=q) | Q(area__name_en__icontains=q)
        )
    return queryset


def community_totals(queryset: QuerySet[Community], on: date | None = None) -> dict[str, Any]:
    """Totals of a (filtered) community list: communities, declared and registry counts; with
    `on`, of the communities that existed that day and the registry as it was then."""
    if on is not None:
        queryset = queryset.existing_on(on)
    totals = queryset.order_by().aggregate(
        communities=Count("pk"),
        active=Count("pk", filter=Q(status=Community.Status.ACTIVE)),
        dissolved=Count("pk", filter=Q(status=Community.Status.DISSOLVED)),
    )
    stored = {}
    if on is None:  # today: the stored counts, in the same query
        stored = {
            "registry_households": Sum("registry_count__households"),
            "registry_population": Sum("registry_count__population"),
        }
    declared = queryset.order_by().aggregate(
        families=Sum("declared_families"),
        households=Sum("declared_households"),
        population=Sum("declared_population"),
        **stored,
    )
    for key in stored:
        totals[key] = declared.pop(key) or 0
    totals.update({f"declared_{k}": v or 0 for k, v in declared.items()})
    if on is None:
        return totals
    ids = queryset.order_by().values("pk")
    memberships = _memberships_on(on).filter(household__community__in=ids)
    totals["registry_households"] = memberships.values("household").distinct().count()
    totals["registry_population"] = memberships.count()
    return totals


def registry_counts_today(community_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """The live counts of today, grouped (two queries for any number of communities):
    {community id: (active households, living people with an open membership)} of the given
    communities (every community: None); a community with neither is left out."""
    households = Household.objects.filter(is_active=True)
    memberships = _memberships_on(None)
    if community_ids is not None:
        households = households.filter(community_id__in=community_ids)
        memberships = memberships.filter(household__community_id__in=community_ids)
    counts: dict[int, tuple[int, int]] = {}
    for pk, n in (
        households.order_by()
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    ):
        counts[pk] = (n, 0)
    for pk, n in (
        memberships.order_by()
        .values("household__community_id")
        .annotate(n=Count("pk"))
        .values_list("household__community_id", "n")
    ):
        counts[pk] = (counts.get(pk, (0, 0))[0], n)
    return counts


def registry_counts_drift() -> list[tuple[int, str, tuple[int, int], tuple[int, int]]]:
    """Communities whose stored counts differ from the live ones, in code order: (id, code,
    stored (households, population), live) (`manage.py refresh_registry_counts --check`)."""
    live = registry_counts_today()
    rows = (
        Community.objects.order_by("area__code")
        .values_list("pk", "area__code", "registry_count__households", "registry_count__population")
        .iterator()
    )
    drift = []
    for pk, code, households, population in rows:
        stored = (households or 0, population or 0)
        if stored != live.get(pk, (0, 0)):
            drift.append((pk, code, stored, live.get(pk, (0, 0))))
    return drift


def communities_existing_on(queryset: QuerySet[Community], day: date) -> QuerySet[Community]:
    return queryset.existing_on(day)


def with_head_and_members(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """`head_prefix`, `head_first_name`, `head_last_name` and `member_count` (current
    members) in the same query."""
    head = Membership.objects.filter(
        household=OuterRef("pk"), until__isnull=True, relation="head"
    ).order_by("pk")
    members = Membership.objects.filter(household=OuterRef("pk"), until__isnull=True)
    return queryset.annotate(
        head_prefix=Subquery(head.values("person__prefix")[:1]),
        head_first_name=Subquery(head.values("person__first_name")[:1]),
        head_last_name=Subquery(head.values("person__last_name")[:1]),
        member_count=Coalesce(_count_subquery(members, "household"), Value(0)),
    )


def community_households(community: Community) -> QuerySet[Household]:
    """The households of a community with their head's name and member count."""
    return with_head_and_members(Household.objects.filter(community=community)).order_by(
        "house_no_key", "pk"
    )


def household_members(household: Household) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(household=household, until__isnull=True)
        .select_related("person__household")
        .annotate(is_head=Case(When(relation="head", then=0), default=1))
        .order_by("is_head", "person__birth_date", "pk")
    )


def person_memberships(person: Person) -> QuerySet[Membership]:
    return person.memberships.select_related("household__community__area").order_by("-since")


def person_subject_records(person: Person) -> dict[str, QuerySet]:
    """Everything held about one person besides the record itself, for a subject-access
    report (the page and the API show the same): memberships, moves, audit events, reveals of
    their data, and the record's versions."""
    from chumchon.core.models import AuditEvent, RevealLog

    key = {"object_type": "communities.person", "object_id": str(person.pk)}
    return {
        "memberships": person_memberships(person),
        "moves": person.moves.select_related("from_area", "to_area"),
        "events": AuditEvent.objects.filter(**key),
        "reveals": RevealLog.objects.filter(**key).select_related("actor"),
        "versions": person.history.select_related("history_user"),
    }
