"""Access-matrix rules: beneficiaries, assessments and points (urls_beneficiaries.py,
api_beneficiaries.py). Objects from access_objects.py: the store of district 1001 ("own") and
1004 ("other") with a beneficiary holding an award; here also a running allowance of it.

Reading needs foodbank.view in the district (staff, the clerk), every write foodbank.assess
(district officer and head); outside reach 404, inside without the permission 403 (the own
community's committee member reaches into its district but holds no food bank permission).
An empty POST re-renders the form (200) or answers 422 (API)."""

from __future__ import annotations

from django.utils import timezone

from chumchon.accounts.testing.access import LOGIN, Rule, anywhere, scoped

from ..models import Allowance
from .access_objects import beneficiary, beneficiary_kwargs, district_kwargs
from .factories import robot

VIEW, ASSESS = "foodbank.view", "foodbank.assess"
INVALID_OK = {"invalid_ok": True}


def allowance(objects, which: str):
    key = ("foodbank", "allowance", which)
    if key not in objects._cache:
        objects._cache[key] = Allowance.objects.create(
            beneficiary=beneficiary(objects, which),
            points=100,
            starts_on=timezone.localdate().replace(day=1),
            valid_days=30,
            reason="ทดสอบ",
            created_by=robot(),
        )
    return objects._cache[key]


def allowance_kwargs(objects, actor, which):
    made = allowance(objects, which)
    return {**beneficiary_kwargs(objects, actor, which), "allowance_pk": made.pk}


def award_kwargs(objects, actor, which):
    made = beneficiary(objects, which)
    return {**beneficiary_kwargs(objects, actor, which), "award_pk": made.awards.first().pk}


def api_beneficiary(objects, actor, which):
    return {"beneficiary_id": beneficiary(objects, which).pk}


def both(perm: str) -> dict:
    return {"GET": scoped(perm), "POST": scoped(perm)}


BENEFICIARIES_API = Rule({"GET": LOGIN, "POST": anywhere(ASSESS)}, None, api=True, extra=INVALID_OK)

ACCESS = {
    # the search form posts (a national ID never in a URL)
    "foodbank-beneficiaries": Rule(both(VIEW), district_kwargs, extra=INVALID_OK),
    "foodbank-beneficiary-new": Rule(both(ASSESS), district_kwargs),
    "foodbank-beneficiary-quick": Rule(both(ASSESS), district_kwargs),
    "foodbank-beneficiary": Rule({"GET": scoped(VIEW)}, beneficiary_kwargs),
    "foodbank-beneficiary-assess": Rule(both(ASSESS), beneficiary_kwargs),
    "foodbank-beneficiary-award": Rule(both(ASSESS), beneficiary_kwargs),
    "foodbank-award-reverse": Rule(both(ASSESS), award_kwargs),
    "foodbank-beneficiary-allowance": Rule(both(ASSESS), beneficiary_kwargs),
    "foodbank-allowance-stop": Rule(both(ASSESS), allowance_kwargs),
    "foodbank-beneficiary-close": Rule(both(ASSESS), beneficiary_kwargs),
    "api:list_foodbank_beneficiaries": BENEFICIARIES_API,
    "api:register_foodbank_beneficiary": BENEFICIARIES_API,
    "api:search_foodbank_beneficiaries": Rule({"POST": LOGIN}, None, api=True, extra=INVALID_OK),
    "api:get_foodbank_beneficiary": Rule({"GET": scoped(VIEW)}, api_beneficiary, api=True),
    "api:foodbank_beneficiary_points": Rule({"GET": scoped(VIEW)}, api_beneficiary, api=True),
    "api:assess_foodbank_beneficiary": Rule(
        {"POST": scoped(ASSESS)}, api_beneficiary, api=True, extra=INVALID_OK
    ),
    "api:start_foodbank_allowance": Rule(
        {"POST": scoped(ASSESS)}, api_beneficiary, api=True, extra=INVALID_OK
    ),
    "api:grant_foodbank_award": Rule({"POST": anywhere(ASSESS)}, None, api=True, extra=INVALID_OK),
}
