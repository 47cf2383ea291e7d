"""Access-matrix rules of the surplus food relay (pages and API). Objects (access_objects.py):
a donor, a donation of 500 kg and a distribution of 100 kg in the own district 1001 and in 1004.

The public impact page and API answer everyone (the API's 422 without dates counts as
answered). Pages re-render on an empty POST (200); API writes answer 422 on an empty body
(invalid_ok). The own community's committee member gets 403 (no food bank permission) for the
district's records, 404 for the other district's."""

from __future__ import annotations

from chumchon.accounts.testing.access import PUBLIC, Rule, anywhere, scoped

from ..permissions import DONORS, RECORD, VIEW
from .access_objects import (
    distribution,
    distribution_kwargs,
    district_kwargs,
    donation,
    donation_kwargs,
    donor,
    donor_pk,
)

INVALID_OK = {"invalid_ok": True}


def both(policy) -> dict:
    return {"GET": policy, "POST": policy}


def api_donor(objects, actor, which):
    return {"donor_id": donor(objects, which).pk}


def api_donation(objects, actor, which):
    return {"donation_id": donation(objects, which).pk}


def api_distribution(objects, actor, which):
    return {"distribution_id": distribution(objects, which).pk}


DONOR_COLLECTION = {"GET": anywhere(VIEW), "POST": anywhere(DONORS)}
RECORD_COLLECTION = {"GET": anywhere(VIEW), "POST": anywhere(RECORD)}

ACCESS = {
    # pages
    "foodbank-impact": Rule({"GET": PUBLIC}),
    "foodbank-donors": Rule({"GET": anywhere(VIEW)}),
    "foodbank-donor-new": Rule(both(anywhere(DONORS))),
    "foodbank-donor": Rule({"GET": scoped(VIEW)}, donor_pk),
    "foodbank-donor-edit": Rule(both(scoped(DONORS)), donor_pk),
    "foodbank-donor-letter": Rule({"GET": scoped(VIEW)}, donor_pk),
    "foodbank-surplus": Rule({"GET": scoped(VIEW)}, district_kwargs),
    "foodbank-donation-new": Rule(both(scoped(RECORD)), district_kwargs),
    "foodbank-donation": Rule({"GET": scoped(VIEW)}, donation_kwargs),
    "foodbank-donation-cancel": Rule(both(scoped(RECORD)), donation_kwargs),
    "foodbank-distribution-new": Rule(both(scoped(RECORD)), district_kwargs),
    "foodbank-distribution": Rule({"GET": scoped(VIEW)}, distribution_kwargs),
    "foodbank-distribution-cancel": Rule(both(scoped(RECORD)), distribution_kwargs),
    # API (one path, two operations: ninja names the route after each, so both carry both)
    "api:create_donor": Rule(DONOR_COLLECTION, api=True, extra=INVALID_OK),
    "api:list_donors": Rule(DONOR_COLLECTION, api=True, extra=INVALID_OK),
    "api:get_donor": Rule({"GET": scoped(VIEW)}, api_donor, api=True),
    "api:record_surplus_donation": Rule(RECORD_COLLECTION, api=True, extra=INVALID_OK),
    "api:list_surplus_donations": Rule(RECORD_COLLECTION, api=True, extra=INVALID_OK),
    "api:get_surplus_donation": Rule({"GET": scoped(VIEW)}, api_donation, api=True),
    "api:cancel_surplus_donation": Rule(
        {"POST": scoped(RECORD)}, api_donation, api=True, extra=INVALID_OK
    ),
    "api:record_distribution": Rule(RECORD_COLLECTION, api=True, extra=INVALID_OK),
    "api:list_distributions": Rule(RECORD_COLLECTION, api=True, extra=INVALID_OK),
    "api:get_distribution": Rule({"GET": scoped(VIEW)}, api_distribution, api=True),
    "api:cancel_distribution": Rule(
        {"POST": scoped(RECORD)}, api_distribution, api=True, extra=INVALID_OK
    ),
    "api:public_impact": Rule({"GET": PUBLIC}, api=True, extra=INVALID_OK),
}
