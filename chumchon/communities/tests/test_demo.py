"""The registry's demo data (`manage.py load_demo`): the 644 sample communities, synthetic
households and people through the services, something for every screen; idempotent."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from chumchon.accounts.models import RoleAssignment, User
from chumchon.conftest import verified_client
from chumchon.core.dates import fiscal_year
from chumchon.core.models import AuditEvent
from chumchon.core.national_id import is_valid_national_id
from chumchon.organizations.models import Area

from ..demo import sample_rows
from ..models import Community, Household, Membership, Move, Person, Survey, SurveyRound

pytestmark = pytest.mark.django_db


def table_sizes() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "communities": Community.objects.count(),
        "community history": Community.history.count(),
        "households": Household.objects.count(),
        "people": Person.objects.count(),
        "person history": Person.history.count(),
        "memberships": Membership.objects.count(),
        "moves": Move.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "role assignments": RoleAssignment.objects.count(),
        "survey rounds": SurveyRound.objects.count(),
        "surveys": Survey.objects.count(),
    }


def test_demo_loads_the_sample_registry_once_then_changes_nothing_and_serves_the_logins():
    first = io.StringIO()
    call_command("load_demo", stdout=first)
    assert "Registry: 644 communities (644 new)" in first.getvalue()
    sizes = table_sizes()

    # every sample row is a community, coded <district>-<nnn>, under its district
    assert sizes["communities"] == 644 == len(sample_rows())
    codes = set(Community.objects.values_list("area__code", flat=True))
    assert all(re.fullmatch(r"10\d\d-\d{3}", c) for c in codes)
    tha_wang = Community.objects.select_related("area__parent", "type").get(area__code="1001-001")
    assert tha_wang.name_th == "ชุมชนท่าวัง" and tha_wang.area.parent.code == "1001"
    assert tha_wang.type.code == "slum" and tha_wang.declared_families > 0
    assert tha_wang.lat is not None and tha_wang.announced_on is not None
    # its area existed before (the portal's loader): registered by the service, audited once
    created = AuditEvent.objects.filter(
        action="community.create", object_type="communities.community", object_id=str(tha_wang.pk)
    )
    assert created.count() == 1
    types = Counter(Community.objects.values_list("type__code", flat=True))
    assert types["estate"] == 101 and types["slum"] == 308  # "ชุมชนหมู่บ้านจัดสรร" -> estate

    # the demo committee member works in a real registry community
    committee = User.objects.get(username="committee")
    assert RoleAssignment.objects.get(user=committee).area.code == "1001-001"

    # households and people: 1001 and two communities of 1004
    populated = set(Household.objects.values_list("community__area__code", flat=True).distinct())
    assert populated == {"1001-001", "1001-002", "1001-003", "1001-004", "1004-001", "1004-002"}
    assert sizes["households"] >= 6 * 14 and sizes["people"] > 2 * sizes["households"]
    heads = Counter(
        Membership.objects.filter(until__isnull=True, relation="head").values_list(
            "household", flat=True
        )
    )
    assert len(heads) == sizes["households"] and set(heads.values()) == {1}
    ids = [p for p in Person.objects.values_list("national_id", flat=True) if p]
    assert len(ids) == len(set(ids)) == sizes["people"] - 2  # two quick registrations
    assert all(is_valid_national_id(n) for n in ids)
    registered = Membership.objects.filter(until__isnull=True, in_house_registration=True)
    assert registered.count() > 0.8 * Membership.objects.filter(until__isnull=True).count()
    for person in Person.objects.exclude(birth_date=None):
        age = person.age
        if person.prefix in ("เด็กชาย", "เด็กหญิง"):
            assert age < 15
        else:
            assert age >= 15 or person.quick_registered
        expected_sex = {"นาย": "M", "เด็กชาย": "M", "นาง": "F", "นางสาว": "F", "เด็กหญิง": "F"}
        if person.prefix:
            assert person.sex == expected_sex[person.prefix]

    # something for every screen
    people = Person.objects.all()
    assert any(p.is_elderly for p in people)
    disabled = people.exclude(disability_type="")
    assert disabled.exists() and not disabled.filter(sensitive_legal_basis="").exists()
    assert people.filter(bedridden=True).exclude(sensitive_legal_basis="").exists()
    assert people.filter(quick_registered=True, household=None).count() == 2
    move = Move.objects.get()
    assert move.from_area.code == "1001-002" and move.to_area.code == "1004-001"
    dissolved = Community.objects.get(status="dissolved")
    assert dissolved.code == "1001-004" and dissolved.households.exists()

    # a survey round of the current fiscal year where households are, with something to show
    rounds = SurveyRound.objects.filter(fiscal_year=fiscal_year(timezone.localdate()))
    assert set(rounds.values_list("area__code", flat=True)) == {"1001", "1004"}
    surveys = Survey.objects.filter(round__area__code="1001")
    submitted = surveys.filter(status="submitted")
    assert submitted.count() > 20 and surveys.filter(status="draft").count() >= 3
    assert 0 < submitted.filter(is_poor=True).count() < submitted.count() / 2
    assert submitted.filter(deprivation_count__gte=1).exists()
    assert submitted.filter(deprivation_count=0).exists()
    assert set(submitted.values_list("surveyor__username", flat=True)) >= {"officer", "committee"}
    assert (
        Household.objects.filter(survey_poor=True).count()
        == Survey.objects.filter(status="submitted", is_poor=True).count()
    )
    assert "Surveys: " in first.getvalue()

    # a second run creates nothing and changes nothing
    second = io.StringIO()
    call_command("load_demo", stdout=second)
    assert "Registry: 644 communities (0 new), 0 new households, 0 new people" in (
        second.getvalue()
    )
    assert "Surveys: 0 new household surveys" in second.getvalue()
    assert table_sizes() == sizes

    # the demo logins see it: the committee member without personal data
    client = verified_client(User.objects.get(username="committee"))
    communities = client.get("/api/v1/communities/").json()
    assert [c["code"] for c in communities["items"]] == ["1001-001"]
    item = communities["items"][0]
    assert item["registry_households"] > 0 and item["registry_population"] > 0
    people = client.get("/api/v1/people/?limit=500").json()
    assert people["count"] == item["registry_population"]
    assert all(p["national_id_masked"] is None and p["flags"] is None for p in people["items"])
    officer = verified_client(User.objects.get(username="officer"))
    listed = officer.get("/api/v1/communities/?district_code=1001").json()
    assert {c["status"] for c in listed["items"]} == {"active", "dissolved"}
