"""The surplus relay's pages: the public impact page, donors, the letter, the district's surplus
page and its forms (errors on their fields, nothing saved), constant query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chumchon.communities.tests.factories import (
    community_for_area,
    make_person,
    valid_national_id,
)

from ..models import Distribution, Donor, SurplusDonation
from .factories import make_donation, make_donor

pytestmark = pytest.mark.django_db


NID = valid_national_id(424242)


def today_be() -> str:
    d = timezone.localdate()
    return f"{d.day}/{d.month}/{d.year + 543}"


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


@pytest.fixture
def officer(clients):
    return clients["district_officer"]


# --- public ------------------------------------------------------------------------------------


def test_public_impact_page_without_login_shows_totals_and_no_personal_data(client, communities):
    donor = make_donor("1001", kind="individual", name="สมศรี มีสุข", contact_phone="0812345678")
    make_donation("1001", donor=donor, kg="10")
    response = client.get(reverse("foodbank-impact"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "42.00" in html and "25.30" in html  # 10 kg x 4.2 meals, x 2.53 kgCO2e
    assert "สมศรี" not in html and "0812345678" not in html


def test_public_impact_page_by_period_and_area(client, communities):
    make_donation("1001", kg="1", on=date(2024, 10, 5))
    make_donation("1004", kg="2", on=date(2024, 10, 5))
    response = client.get(
        reverse("foodbank-impact"), {"start": "1/10/2567", "end": "31/10/2567", "area": "1004"}
    )
    assert response.status_code == 200
    assert response.context["impact"].weight_kg == 2
    assert [row.district.code for row in response.context["rows"]] == ["1004"]


def test_public_impact_page_constant_queries(client, communities):
    make_donation("1001")
    small = count_queries(client, reverse("foodbank-impact"))
    for code in ("1001", "1004", "1002"):
        for _n in range(3):
            make_donation(code)
    assert count_queries(client, reverse("foodbank-impact")) == small


# --- donors ------------------------------------------------------------------------------------


def test_donor_list_scoped_filtered_and_constant_queries(officer, communities):
    make_donor("1001", name="ร้านเบเกอรี่")
    make_donor("1004", name="ร้านอื่นเขต")
    url = reverse("foodbank-donors")
    html = officer.get(url).content.decode()
    assert "ร้านเบเกอรี่" in html and "ร้านอื่นเขต" not in html
    assert "ร้านเบเกอรี่" not in officer.get(url, {"q": "ไม่มี"}).content.decode()
    small = count_queries(officer, url)
    for n in range(6):
        make_donation("1001", donor=make_donor("1001", kind="hotel", name=f"โรงแรม {n}"))
    assert count_queries(officer, url) == small


def test_donor_create_page_errors_on_fields_nothing_saved(officer):
    url = reverse("foodbank-donor-new")
    response = officer.post(url, {"area": "1001", "kind": "hotel", "name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Donor.objects.exists()
    response = officer.post(url, {"area": "1001", "kind": "hotel", "name": "โรงแรมใหม่"})
    donor = Donor.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "foodbank-donor", args=[donor.pk]
    )


def test_donor_edit_page(officer):
    donor = make_donor("1001", name="เดิม")
    url = reverse("foodbank-donor-edit", args=[donor.pk])
    assert officer.get(url).status_code == 200
    response = officer.post(url, {"area": "1001", "kind": "market", "name": "ใหม่", "active": "on"})
    assert response.status_code == 302
    donor.refresh_from_db()
    assert (donor.name, donor.kind) == ("ใหม่", "market")


def test_donor_page_and_letter_pdf(officer, communities):
    donor = make_donor("1001", name="ร้านขอบคุณ")
    make_donation("1001", donor=donor, kg="12.5")
    page = officer.get(reverse("foodbank-donor", args=[donor.pk]))
    assert page.status_code == 200 and page.context["totals"].meals == 52.5
    response = officer.get(reverse("foodbank-donor-letter", args=[donor.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_letter_for_city_donor_issued_by_the_users_district(officer, communities):
    donor = make_donor("BKK", name="เชนร้านค้า")
    make_donation("1001", donor=donor, kg="3")
    url = reverse("foodbank-donor-letter", args=[donor.pk])
    response = officer.get(url, {"district": "1001", "from": "1/1/2500", "to": today_be()})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert officer.get(url, {"district": "1004"}).status_code == 404


# --- the district's surplus page ---------------------------------------------------------------


def test_surplus_page_on_hand_totals_export_and_constant_queries(officer, communities):
    url = reverse("foodbank-surplus", args=["1001"])
    make_donation("1001", kg="5")

    def hand_on():
        Distribution.objects.create(
            district=SurplusDonation.objects.first().district,
            number=Distribution.objects.count() + 1,
            distributed_on=timezone.localdate(),
            recipient_kind="shelter",
            recipient_name="บ้านพัก",
            weight_g=1000,
            headcount=3,
            recorded_by=SurplusDonation.objects.first().recorded_by,
        )

    hand_on()
    small = count_queries(officer, url)
    for _n in range(5):
        make_donation("1001", kg="2.5")
        hand_on()
    assert count_queries(officer, url) == small
    response = officer.get(url)
    assert str(response.context["on_hand"]) == "11.500"
    export = officer.get(url, {"format": "xlsx"})
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_surplus_page_of_other_district_404_committee_403(clients, communities):
    assert (
        clients["district_officer"].get(reverse("foodbank-surplus", args=["1004"])).status_code
        == 404
    )
    assert (
        clients["committee_member"].get(reverse("foodbank-surplus", args=["1001"])).status_code
        == 403
    )


def test_donation_form_has_five_category_rows_and_adds_one_without_js(officer, communities):
    url = reverse("foodbank-donation-new", args=["1001"])
    response = officer.get(url)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 5
    response = officer.post(
        url, {"action": "add_row", "categories-TOTAL_FORMS": "5", "categories-INITIAL_FORMS": "0"}
    )
    assert len(response.context["formset"].forms) == 6
    assert not SurplusDonation.objects.exists()


def test_donation_form_htmx_row(officer, communities):
    url = reverse("foodbank-donation-new", args=["1001"])
    response = officer.get(url, {"categories-TOTAL_FORMS": "5"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'name="categories-5-category"' in html and 'value="6"' in html


def _donation_post(donor, **extra):
    data = {
        "action": "save",
        "donor": str(donor.pk),
        "donated_on": today_be(),
        "weight_kg": "10",
        "categories-TOTAL_FORMS": "5",
        "categories-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("weight", ["0", "-1", "abc", "1.2345"])
def test_donation_form_bad_weight_on_its_field(officer, communities, weight):
    donor = make_donor("1001")
    url = reverse("foodbank-donation-new", args=["1001"])
    response = officer.post(url, _donation_post(donor, weight_kg=weight))
    assert response.status_code == 200
    assert response.context["form"].errors["weight_kg"]
    assert not SurplusDonation.objects.exists()


def test_donation_form_categories_not_summing_and_row_errors(officer, communities):
    donor = make_donor("1001")
    url = reverse("foodbank-donation-new", args=["1001"])
    data = _donation_post(
        donor,
        **{
            "categories-0-category": "bakery",
            "categories-0-weight_kg": "4",
            "categories-2-category": "cooked",
            "categories-2-weight_kg": "5",
        },
    )
    response = officer.post(url, data)
    assert response.status_code == 200
    assert "9.000" in str(response.context["form"].non_field_errors())
    data["categories-2-weight_kg"] = "0"
    response = officer.post(url, data)
    assert response.context["formset"].forms[2].errors["weight_kg"]
    assert not SurplusDonation.objects.exists()
    data["categories-2-weight_kg"] = "6"
    response = officer.post(url, data)
    donation = SurplusDonation.objects.get()
    assert response.status_code == 302
    assert donation.categories.count() == 2
    page = officer.get(response["Location"])
    assert (page.context["meals"], page.context["kgco2e"]) == (Decimal("42.00"), Decimal("25.30"))


def test_donation_form_factor_missing_message(officer, communities):
    donor = make_donor("1001")
    url = reverse("foodbank-donation-new", args=["1001"])
    response = officer.post(url, _donation_post(donor, donated_on="31/12/2542"))
    assert response.context["form"].errors["donated_on"]
    assert not SurplusDonation.objects.exists()


def test_distribution_form_above_holdings_and_persons_by_id(officer, communities):
    community_for_area(communities["T-1001-01"])
    person = make_person(area=communities["T-1001-01"], national_id=NID)
    make_donation("1001", kg="10", on=timezone.localdate() - timedelta(days=1))
    url = reverse("foodbank-distribution-new", args=["1001"])
    assert officer.get(url).status_code == 200
    data = {
        "distributed_on": today_be(),
        "recipient_kind": "persons",
        "national_ids": NID + "\n",
        "weight_kg": "11",
        "headcount": "1",
    }
    response = officer.post(url, data)
    assert response.context["form"].errors["weight_kg"]
    assert not Distribution.objects.exists()
    data["national_ids"] = "1234"
    response = officer.post(url, {**data, "weight_kg": "1"})
    assert response.context["form"].errors["national_ids"]
    response = officer.post(url, {**data, "weight_kg": "1", "national_ids": NID})
    assert response.status_code == 302
    made = Distribution.objects.get()
    assert list(made.persons.all()) == [person]
    page = officer.get(response["Location"])
    assert NID not in page.content.decode()
    assert person.masked_national_id in page.content.decode()


def test_cancel_pages(officer, communities):
    donation = make_donation("1001", kg="5")
    url = reverse("foodbank-donation-cancel", args=["1001", donation.pk])
    response = officer.post(url, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    response = officer.post(url, {"reason": "ซ้ำ"})
    assert response.status_code == 302
    donation.refresh_from_db()
    assert donation.status == "cancelled"


def test_donor_contact_shows_only_to_those_who_keep_the_donor_list(clients, communities):
    """The counter clerk and read-only staff read the donor's page, not its contact person's
    phone (personal data): only holders of foodbank.donors do."""
    from chumchon.conftest import make_user, verified_client

    donor = make_donor(
        "1001", kind="individual", name="สมศรี มีสุข", contact_name="สมศรี", contact_phone="0812345678"
    )
    url = reverse("foodbank-donor", args=[donor.pk])
    assert "0812345678" in clients["district_officer"].get(url).content.decode()
    for reader in (
        clients["zone_officer"],
        verified_client(make_user("clerk-x", "foodbank_clerk", "1001")),
    ):
        response = reader.get(url)
        assert response.status_code == 200
        assert "0812345678" not in response.content.decode()


def test_new_donation_and_distribution_forms_start_with_today_in_the_buddhist_era(
    clients, communities
):
    from django.utils import timezone

    from chumchon.core.dates import format_date

    typed = format_date(timezone.localdate(), "numeric")
    officer = clients["district_officer"]
    for name in ("foodbank-donation-new", "foodbank-distribution-new"):
        html = officer.get(reverse(name, args=["1001"])).content.decode()
        assert f'value="{typed}"' in html, name


def test_donation_page_shows_its_factors_as_typed(clients, communities):
    donation = make_donation("1001", kg="12.345")
    html = (
        clients["district_officer"]
        .get(reverse("foodbank-donation", args=["1001", donation.pk]))
        .content.decode()
    )
    assert "51.85" in html and "31.23" in html  # 12.345 kg x 4.2 = 51.849; x 2.53 = 31.23285
    assert "4.2 " in html and "2.53 " in html and "4.200000" not in html
