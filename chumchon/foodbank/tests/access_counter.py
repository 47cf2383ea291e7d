"""Access-matrix rules: the counter (urls_counter.py, api_counter.py). Objects from
access_objects.py: the district 1001 ("own") and 1004 ("other") with a beneficiary and a
redemption each.

The counter (search and basket) needs foodbank.redeem in the district (district officer and
head; the clerk, who is not one of the matrix's actors: test_counter_views.py checks the
clerk); redemptions and receipts foodbank.view; cancelling foodbank.assess. An empty POST
re-renders the page with its errors (200) or answers 422 (API), and saves nothing.
"""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, anywhere, scoped

from .access_objects import beneficiary_kwargs, district_kwargs, redemption, redemption_kwargs

VIEW, ASSESS, REDEEM = "foodbank.view", "foodbank.assess", "foodbank.redeem"
INVALID_OK = {"invalid_ok": True}


def api_redemption(objects, actor, which):
    return {"redemption_id": redemption(objects, which).pk}


ACCESS = {
    "foodbank-counter": Rule(
        {"GET": scoped(REDEEM), "POST": scoped(REDEEM)}, district_kwargs, extra=INVALID_OK
    ),
    "foodbank-counter-beneficiary": Rule(
        {"GET": scoped(REDEEM), "POST": scoped(REDEEM)}, beneficiary_kwargs, extra=INVALID_OK
    ),
    "foodbank-redemptions": Rule({"GET": scoped(VIEW)}, district_kwargs),
    "foodbank-redemption": Rule({"GET": scoped(VIEW)}, redemption_kwargs),
    "foodbank-redemption-receipt": Rule({"GET": scoped(VIEW)}, redemption_kwargs),
    "foodbank-redemption-cancel": Rule(
        {"GET": scoped(ASSESS), "POST": scoped(ASSESS)}, redemption_kwargs, extra=INVALID_OK
    ),
    # one path, two operations: both route names carry both methods
    "api:record_foodbank_redemption": Rule(
        {"GET": anywhere(VIEW), "POST": anywhere(REDEEM)}, None, api=True, extra=INVALID_OK
    ),
    "api:list_foodbank_redemptions": Rule(
        {"GET": anywhere(VIEW), "POST": anywhere(REDEEM)}, None, api=True, extra=INVALID_OK
    ),
    "api:get_foodbank_redemption": Rule({"GET": scoped(VIEW)}, api_redemption, api=True),
    "api:cancel_foodbank_redemption": Rule(
        {"POST": scoped(ASSESS)}, api_redemption, api=True, extra=INVALID_OK
    ),
    # one path, two operations (GET by name; POST also by national ID, kept out of URLs)
    "api:foodbank_counter_search": Rule(
        {"GET": scoped(REDEEM), "POST": scoped(REDEEM)}, district_kwargs, api=True, extra=INVALID_OK
    ),
    "api:foodbank_counter_search_post": Rule(
        {"GET": scoped(REDEEM), "POST": scoped(REDEEM)}, district_kwargs, api=True, extra=INVALID_OK
    ),
}
