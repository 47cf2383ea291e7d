"""Review regressions (pages and API): national IDs searched never travel in a URL and are
audited; odd JSON in API bodies is a 422 naming the field, never a 500."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chumchon.communities.tests.factories import make_person, valid_national_id
from chumchon.core.models import AuditEvent

from ..models import Distribution, Redemption, SurplusDonation
from .factories import (
    make_award,
    make_beneficiary,
    make_donation,
    make_donor,
    make_item,
    make_lot,
    make_store,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/foodbank"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def officer(clients):
    return clients["district_officer"]


@pytest.fixture
def found(communities):
    national_id = valid_national_id()
    person = make_person(
        area=communities["T-1001-01"], first_name="ค้นเลขบัตร", national_id=national_id
    )
    return make_beneficiary(make_store("1001"), person=person), national_id


def test_beneficiary_list_searches_a_national_id_by_post_masked_and_audited(officer, found):
    who, national_id = found
    page = reverse("foodbank-beneficiaries", args=["1001"])
    form = officer.get(page).content.decode()
    assert 'method="post"' in form and 'data-testid="beneficiary-filter"' in form
    answer = officer.post(page, {"q": national_id})
    html = answer.content.decode()
    assert answer.status_code == 200 and f"B{who.number}" in html
    assert national_id not in html.replace(f'value="{national_id}"', "")  # only in the box
    event = AuditEvent.objects.filter(action="foodbank.beneficiary_search").get()
    assert national_id not in event.object_label and event.object_label.endswith(national_id[-1])


def test_beneficiary_api_refuses_a_national_id_in_the_url_and_searches_it_by_post(officer, found):
    who, national_id = found
    in_url = officer.get(f"{API}/beneficiaries/?q={national_id}")
    assert in_url.status_code == 422 and fields(in_url) == {"q"}
    by_post = post(officer, f"{API}/beneficiaries/search", {"q": national_id, "district": "1001"})
    assert by_post.status_code == 200, by_post.content
    assert [i["id"] for i in by_post.json()["items"]] == [who.pk]
    assert national_id not in by_post.content.decode()
    assert AuditEvent.objects.filter(action="foodbank.beneficiary_search").count() == 1
    by_name = post(officer, f"{API}/beneficiaries/search", {"q": "ค้นเลขบัตร"})
    assert by_name.json()["count"] == 1
    assert post(officer, f"{API}/beneficiaries/search", {"q": []}).status_code == 422


@pytest.mark.parametrize("category", [[], {}, ["rice"], {"a": 1}, 5])
def test_donation_category_of_the_wrong_type_is_422(officer, category):
    donor = make_donor("1001")
    body = {
        "district_code": "1001",
        "donor_id": donor.pk,
        "donated_on": str(timezone.localdate()),
        "weight_kg": "5",
        "categories": [{"category": category, "weight_kg": "5"}],
    }
    answer = post(officer, f"{API}/surplus-donations/", body)
    assert answer.status_code == 422 and not SurplusDonation.objects.exists()


@pytest.mark.parametrize("huge", [10**30, "9" * 40])
def test_distribution_person_id_beyond_a_bigint_is_422(officer, huge):
    make_donation("1001", kg="100")
    body = {
        "district_code": "1001",
        "distributed_on": str(timezone.localdate()),
        "weight_kg": "1",
        "headcount": 1,
        "recipient_kind": "persons",
        "person_ids": [huge],
    }
    answer = post(officer, f"{API}/distributions/", body)
    assert answer.status_code == 422 and fields(answer) == {"person_ids"}
    assert not Distribution.objects.exists()


@pytest.mark.parametrize("field", ["item_id", "lot_id"])
def test_redemption_ids_beyond_a_bigint_are_422(officer, found, field):
    who, _national_id = found
    make_award(who, 100)
    item = make_item(who.store, points=1)
    lot = make_lot(item, 10, expires_on=timezone.localdate() + timedelta(days=100))
    line = {"item_id": item.pk, "lot_id": lot.pk, "quantity": 1, field: 10**30}
    body = {"district_code": "1001", "beneficiary_id": who.pk, "lines": [line]}
    answer = post(officer, f"{API}/redemptions", body)
    assert answer.status_code == 422 and fields(answer) == {f"lines.0.{field}"}
    assert not Redemption.objects.exists()


def test_counter_page_ignores_an_item_number_beyond_a_bigint(clients, found):
    who, _national_id = found
    make_award(who, 100)
    item = make_item(who.store, points=1)
    make_lot(item, 10, expires_on=timezone.localdate() + timedelta(days=100))
    client = clients["district_officer"]
    client.raise_request_exception = False
    url = reverse("foodbank-counter-beneficiary", args=["1001", who.pk])
    huge = "9" * 30
    for data in (
        {f"qty-{huge}": "1", "action": "review"},
        {f"qty-{huge}": "1", "action": "confirm"},
        {"step": f"+{huge}", "action": "review"},
        {f"qty-{item.pk}": "1", "step": f"+{huge}"},
    ):
        answer = client.post(url, data)
        assert answer.status_code == 200, (data, answer.status_code)
    assert not Redemption.objects.exists()


def test_donation_category_type_error_names_the_field(officer):
    body = {
        "district_code": "1001",
        "donor_id": make_donor("1001").pk,
        "donated_on": str(timezone.localdate()),
        "weight_kg": "5",
        "categories": [{"category": ["rice"], "weight_kg": "5"}],
    }
    answer = post(officer, f"{API}/surplus-donations/", body)
    assert answer.status_code == 422 and fields(answer) == {"categories.0.category"}
