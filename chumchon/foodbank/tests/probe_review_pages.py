import re, html
from datetime import timedelta
import pytest
from django.urls import reverse
from django.utils import timezone
from chumchon.communities.tests.factories import make_person
from chumchon.conftest import make_user, verified_client
from . import access_objects as ao
from .factories import make_award

pytestmark = pytest.mark.django_db


class Objs:
    def __init__(self):
        self._cache = {}


def visible(text):
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return html.unescape(text)


def test_pages(clients, communities):
    o = Objs()
    red = ao.redemption(o, "own")
    don = ao.donation(o, "own")
    dist = ao.distribution(o, "own")
    lot = ao.lot(o, "own")
    item = lot.item
    b = ao.beneficiary(o, "own")
    donor = ao.donor(o, "own")
    d = "1001"
    names = [
        ("foodbank-home", []),
        ("foodbank-district", [d]),
        ("foodbank-report", []),
        ("foodbank-district-report", [d]),
        ("foodbank-impact", []),
        ("foodbank-donors", []),
        ("foodbank-donor-new", []),
        ("foodbank-donor", [donor.pk]),
        ("foodbank-donor-edit", [donor.pk]),
        ("foodbank-surplus", [d]),
        ("foodbank-donation-new", [d]),
        ("foodbank-donation", [d, don.pk]),
        ("foodbank-donation-cancel", [d, don.pk]),
        ("foodbank-distribution-new", [d]),
        ("foodbank-distribution", [d, dist.pk]),
        ("foodbank-stock", [d]),
        ("foodbank-movements", [d]),
        ("foodbank-items", [d]),
        ("foodbank-item-new", [d]),
        ("foodbank-item", [d, item.pk]),
        ("foodbank-receive", [d]),
        ("foodbank-lot", [d, lot.pk]),
        ("foodbank-lot-writeoff", [d, lot.pk]),
        ("foodbank-lot-count", [d, lot.pk]),
        ("foodbank-lot-transfer", [d, lot.pk]),
        ("foodbank-store-edit", [d]),
        ("foodbank-beneficiaries", [d]),
        ("foodbank-beneficiary-new", [d]),
        ("foodbank-beneficiary-quick", [d]),
        ("foodbank-beneficiary", [d, b.pk]),
        ("foodbank-beneficiary-assess", [d, b.pk]),
        ("foodbank-beneficiary-award", [d, b.pk]),
        ("foodbank-beneficiary-allowance", [d, b.pk]),
        ("foodbank-beneficiary-close", [d, b.pk]),
        ("foodbank-counter", [d]),
        ("foodbank-counter-beneficiary", [d, b.pk]),
        ("foodbank-redemptions", [d]),
        ("foodbank-redemption", [d, red.pk]),
        ("foodbank-redemption-receipt", [d, red.pk]),
        ("foodbank-redemption-cancel", [d, red.pk]),
    ]
    clerk = verified_client(make_user("clerk", "foodbank_clerk", "1001"))
    nid = b.person.national_id if hasattr(b.person, "national_id") else None
    for who, c in (
        ("officer", clients["district_officer"]),
        ("clerk", clerk),
        ("anon", clients["anonymous"]),
    ):
        for name, args in names:
            url = reverse(name, args=args)
            r = c.get(url)
            body = r.content.decode(errors="replace") if r.status_code == 200 else ""
            words = set(re.findall(r"\b[A-Za-z]{4,}(?:\s+[A-Za-z]{3,})+\b", visible(body)))
            leak = nid and nid in body
            print(
                who,
                r.status_code,
                url,
                "NIDLEAK" if leak else "",
                sorted(words)[:8] if who == "officer" else "",
            )
