"""Seat policies: the services (add, end, overlap refusals), the public seat calculator API,
the pages and the admin."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chumchon.communities.tests.factories import community_for_area
from chumchon.core.models import AuditEvent
from chumchon.organizations.models import Area

from ..models import SeatPolicy
from ..services_policy import (
    parse_count,
    policy_add,
    policy_end,
    policy_in_force,
    policy_update,
    seat_table,
    seats_answer,
)
from .factories import be2534, make_election

pytestmark = pytest.mark.django_db

NEW_POLICY = {
    "name_th": "ระเบียบทดสอบ พ.ศ. 2570",
    "name_en": "Test regulation 2570",
    "valid_from": date(2027, 1, 1),
    "minimum": 9,
    "threshold": 100,
    "step": 10,
    "maximum": 30,
}


def add_2027_policy(**overrides) -> SeatPolicy:
    policy_end(actor=None, policy=be2534(), valid_to=date(2026, 12, 31))
    return policy_add(actor=None, **{**NEW_POLICY, **overrides})


def messages_of(exc_info) -> str:
    return " ".join(m for ms in exc_info.value.message_dict.values() for m in ms)


# --- services ---------------------------------------------------------------------------------


def test_be2534_seat_table_from_7_to_25():
    rows = seat_table(be2534())
    assert rows[0] == {"from": 0, "to": 159, "seats": 7}
    assert rows[1] == {"from": 160, "to": 179, "seats": 8}
    assert rows[2] == {"from": 180, "to": 199, "seats": 9}
    assert rows[-1] == {"from": 500, "to": None, "seats": 25}
    assert len(rows) == 19


def test_seat_table_with_a_remainder_rule():
    policy = SeatPolicy(minimum=7, threshold=140, step=20, maximum=9, remainder_over=9)
    # above 140: a remainder of 10..19 counts as a full step
    assert seat_table(policy) == [
        {"from": 0, "to": 149, "seats": 7},
        {"from": 150, "to": 169, "seats": 8},
        {"from": 170, "to": None, "seats": 9},
    ]


def test_policy_add_overlapping_the_open_be2534_policy_is_refused_naming_it():
    with pytest.raises(ValidationError) as exc_info:
        policy_add(actor=None, **NEW_POLICY)
    text = messages_of(exc_info)
    assert "ระเบียบกรุงเทพมหานครว่าด้วยกรรมการชุมชน พ.ศ. 2534" in text
    assert "valid_from" in exc_info.value.message_dict
    assert SeatPolicy.objects.count() == 1


def test_policy_add_overlapping_a_closed_period_is_refused():
    add_2027_policy(valid_to=date(2027, 12, 31))
    with pytest.raises(ValidationError) as exc_info:
        policy_add(actor=None, **{**NEW_POLICY, "name_th": "ซ้อน", "valid_from": date(2027, 6, 1)})
    assert "ระเบียบทดสอบ พ.ศ. 2570" in messages_of(exc_info)
    # a period before the first policy, ending before it, is fine
    early = policy_add(
        actor=None,
        **{**NEW_POLICY, "valid_from": date(1980, 1, 1), "valid_to": date(1990, 12, 31)},
    )
    assert early.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"minimum": 10, "maximum": 9}, "maximum"),
        ({"step": 0}, "step"),
        ({"minimum": 0}, "minimum"),
        ({"valid_to": date(2026, 1, 1)}, "valid_to"),
        ({"name_th": "  "}, "name_th"),
    ],
)
def test_policy_add_refuses_bad_parameters_and_saves_nothing(overrides, field):
    policy_end(actor=None, policy=be2534(), valid_to=date(2026, 12, 31))
    with pytest.raises(ValidationError) as exc_info:
        policy_add(actor=None, **{**NEW_POLICY, **overrides})
    assert field in exc_info.value.message_dict
    assert SeatPolicy.objects.count() == 1


def test_policy_add_and_end_are_audited():
    policy = add_2027_policy()
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
    assert actions == ["committees.policy_end", "committees.policy_add"]
    assert policy.history.count() == 1
    assert be2534().valid_to == date(2026, 12, 31)


def test_policy_end_refused_when_an_election_after_that_day_used_it(communities):
    community = community_for_area(Area.objects.get(code="T-1001-01"))
    make_election(community, date(2026, 6, 1))
    with pytest.raises(ValidationError) as exc_info:
        policy_end(actor=None, policy=be2534(), valid_to=date(2026, 5, 31))
    assert "1 มิถุนายน 2569" in messages_of(exc_info)
    assert be2534().valid_to is None
    policy_end(actor=None, policy=be2534(), valid_to=date(2026, 6, 1))  # the day itself is fine
    assert be2534().valid_to == date(2026, 6, 1)


def test_policy_end_refused_before_start_and_over_the_next_policy():
    policy = be2534()
    with pytest.raises(ValidationError) as exc_info:
        policy_end(actor=None, policy=policy, valid_to=date(1990, 12, 31))
    assert "valid_to" in exc_info.value.message_dict
    add_2027_policy()
    with pytest.raises(ValidationError) as exc_info:
        policy_end(actor=None, policy=policy, valid_to=date(2027, 3, 1))
    assert "ระเบียบทดสอบ พ.ศ. 2570" in messages_of(exc_info)
    assert be2534().valid_to == date(2026, 12, 31)


def test_a_used_policy_cannot_be_edited_only_ended(communities):
    community = community_for_area(Area.objects.get(code="T-1001-01"))
    make_election(community, date(2026, 6, 1))
    with pytest.raises(ValidationError) as exc_info:
        policy_update(actor=None, policy=be2534(), minimum=5)
    assert exc_info.value.code == "in_use"
    assert "ระเบียบกรุงเทพมหานครว่าด้วยกรรมการชุมชน พ.ศ. 2534" in exc_info.value.messages[0]
    assert be2534().minimum == 7
    policy_update(actor=None, policy=be2534(), valid_to=date(2030, 1, 1))
    assert be2534().valid_to == date(2030, 1, 1)


def test_an_unused_policy_can_be_corrected():
    policy = add_2027_policy()
    policy_update(actor=None, policy=policy, minimum=8)
    policy.refresh_from_db()
    assert policy.minimum == 8


def test_policy_in_force_and_seats_answer():
    new = add_2027_policy()
    assert policy_in_force(date(1990, 12, 31)) is None
    assert policy_in_force(date(2026, 12, 31)) == be2534()
    assert policy_in_force(date(2027, 1, 1)) == new
    answer = seats_answer(160, date(2026, 6, 1))
    assert answer["seats"] == 8
    assert answer["policy"]["valid_from"] == "1991-01-01"
    assert seats_answer(160, date(2027, 6, 1))["seats"] == 15  # 9 + (60 // 10)


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("160", 160), ("007", 7), ("๑๖๐", 160)])
def test_parse_count_accepts_ascii_and_thai_digits(text, value):
    assert parse_count(text) == value


# --- the public API -----------------------------------------------------------------------------


def seats(client, query: str):
    return client.get(f"/api/v1/committee-seats?{query}")


@pytest.mark.parametrize(
    ("families", "seats_expected"),
    [("0", 7), ("140", 7), ("159", 7), ("160", 8), ("179", 8), ("500", 25), ("1000000", 25)],
)
def test_seats_api_answers_the_be2534_table_without_authentication(
    client, families, seats_expected
):
    response = seats(client, f"families={families}&on=2026-06-01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "families": int(families),
        "seats": seats_expected,
        "policy": {
            "id": be2534().pk,
            "name": "ระเบียบกรุงเทพมหานครว่าด้วยกรรมการชุมชน พ.ศ. 2534",
            "name_en": "BMA regulation on community committees B.E. 2534",
            "valid_from": "1991-01-01",
            "valid_to": None,
            "counted": "families",
        },
    }


def test_seats_api_defaults_to_today_and_accepts_thai_digits(client):
    response = seats(client, "families=%E0%B9%91%E0%B9%96%E0%B9%90")  # ๑๖๐
    assert response.status_code == 200
    assert response.json()["seats"] == 8


@pytest.mark.parametrize(
    "families",
    [
        "-5",
        "abc",
        "1e9",
        "1.5",
        "",
        " 12",
        "12 ",
        "+5",
        "1000001",
        "99999999999999999999",
        "١٢",
        "1,000",
        "0x10",
        "²",
    ],
)
def test_seats_api_refuses_anything_but_digits_0_to_a_million(client, families):
    from urllib.parse import quote

    response = seats(client, f"families={quote(families)}")
    assert response.status_code == 422, (families, response.content)
    body = response.json()
    assert body["errors"][0]["field"] == "families"
    assert "1,000,000" in body["errors"][0]["message"]


def test_seats_api_without_families_is_422(client):
    response = client.get("/api/v1/committee-seats")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "families"


def test_seats_api_message_in_thai(client):
    response = client.get("/api/v1/committee-seats?families=abc", HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 422
    assert "ครอบครัว" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "on", ["2026-13-01", "2026-02-30", "01/06/2026", "2026-6-1", "tomorrow", "", "2569-06-01"]
)
def test_seats_api_refuses_a_bad_date(client, on):
    response = seats(client, f"families=160&on={on}")
    assert response.status_code == 422, (on, response.content)
    assert response.json()["errors"][0]["field"] == "on"


def test_seats_api_before_any_policy_is_404_with_a_message(client):
    response = seats(client, "families=160&on=1990-12-31")
    assert response.status_code == 404
    assert "1990-12-31" in response.json()["message"]


def test_seats_api_on_picks_the_policy_in_force(client):
    add_2027_policy()
    before = seats(client, "families=160&on=2026-12-31").json()
    after = seats(client, "families=160&on=2027-01-01").json()
    assert (before["seats"], before["policy"]["valid_from"]) == (8, "1991-01-01")
    assert (after["seats"], after["policy"]["valid_from"]) == (15, "2027-01-01")
    assert after["policy"]["name"] == "ระเบียบทดสอบ พ.ศ. 2570"


def test_policies_api_lists_every_policy_publicly(client):
    add_2027_policy()
    response = client.get("/api/v1/committee-seat-policies/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["items"]
    assert first["valid_to"] == "2026-12-31" and first["minimum"] == 7
    assert second["valid_from"] == "2027-01-01" and second["step"] == 10
    assert first["in_force"] is True and second["in_force"] is False


def test_openapi_documents_the_calculator_decisions(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/committee-seats"]["get"]
    assert "404" in operation["responses"] and "422" in operation["responses"]
    assert "Thai digits" in operation["description"]


# --- pages --------------------------------------------------------------------------------------


def test_policy_list_is_public_with_the_seat_table(client):
    response = client.get(reverse("policy-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ระเบียบกรุงเทพมหานครว่าด้วยกรรมการชุมชน พ.ศ. 2534" in html
    assert "0–159" in html and "160–179" in html
    assert "policy-create" not in html and reverse("policy-create") not in html


def test_policy_list_calculator(client):
    html = client.get(reverse("policy-list"), {"families": "160"}).content.decode()
    assert re.search(r'role="status">[^<]*<strong>\D*8\D*</strong>', html), html
    html = client.get(reverse("policy-list"), {"families": "1.5"}).content.decode()
    assert "is-invalid" in html


def test_policy_list_on_a_date_shows_that_policy(client):
    add_2027_policy()
    html = client.get(reverse("policy-list"), {"on": "1/6/2570"}).content.decode()
    assert "0–109" in html  # 9 seats up to 109 under the 2027 policy


def test_superuser_adds_a_policy_from_the_page(clients):
    client = clients["superuser"]
    policy_end(actor=None, policy=be2534(), valid_to=date(2026, 12, 31))
    response = client.post(
        reverse("policy-create"),
        {
            **{k: v for k, v in NEW_POLICY.items() if k != "valid_from"},
            "valid_from": "1/1/2570",
            "counted": "families",
            "thai_only": "on",
            "voter_min_age": 18,
            "candidate_min_age": 18,
            "voter_days": 90,
            "candidate_days": 180,
            "term_years": 4,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    policy = SeatPolicy.objects.get(valid_from=date(2027, 1, 1))
    assert policy.term_years == 4 and policy.minimum == 9


def test_policy_page_shows_the_overlap_on_the_field(clients):
    response = clients["superuser"].post(
        reverse("policy-create"),
        {
            "name_th": "ซ้อน",
            "valid_from": "1/1/2570",
            "counted": "families",
            "minimum": 7,
            "threshold": 140,
            "step": 20,
            "maximum": 25,
            "voter_min_age": 18,
            "candidate_min_age": 18,
            "voter_days": 90,
            "candidate_days": 180,
            "term_years": 2,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ระเบียบกรุงเทพมหานครว่าด้วยกรรมการชุมชน พ.ศ. 2534" in html
    assert "is-invalid" in html
    assert SeatPolicy.objects.count() == 1


def test_policy_end_page(clients):
    url = reverse("policy-end", args=[be2534().pk])
    assert clients["superuser"].get(url).status_code == 200
    response = clients["superuser"].post(url, {"valid_to": "31/12/2569"})
    assert response.status_code == 302
    assert be2534().valid_to == date(2026, 12, 31)


def test_district_staff_cannot_add_or_end_policies(clients):
    assert clients["district_head"].get(reverse("policy-create")).status_code == 403
    url = reverse("policy-end", args=[be2534().pk])
    assert clients["district_officer"].post(url, {"valid_to": "31/12/2569"}).status_code == 403
    assert be2534().valid_to is None


# --- admin --------------------------------------------------------------------------------------


def test_admin_add_goes_through_the_service_and_shows_the_overlap(clients):
    client = clients["superuser"]
    data = {
        "name_th": "ซ้อน",
        "name_en": "",
        "valid_from": "2027-01-01",
        "valid_to": "",
        "counted": "families",
        "minimum": 7,
        "threshold": 140,
        "step": 20,
        "maximum": 25,
        "remainder_over": "",
        "thai_only": "on",
        "voter_min_age": 18,
        "candidate_min_age": 18,
        "voter_days": 90,
        "candidate_days": 180,
        "term_years": 2,
        "note": "",
    }
    url = reverse("admin:committees_seatpolicy_add")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "ระเบียบกรุงเทพมหานครว่าด้วยกรรมการชุมชน พ.ศ. 2534" in response.content.decode()
    assert SeatPolicy.objects.count() == 1
    assert not AuditEvent.objects.exists()  # the dry run left nothing
    policy_end(actor=None, policy=be2534(), valid_to=date(2026, 12, 31))
    response = client.post(url, data)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="committees.policy_add").count() == 1


def test_admin_shows_a_used_policy_read_only_except_its_end(clients, communities):
    community = community_for_area(Area.objects.get(code="T-1001-01"))
    make_election(community, date(2026, 6, 1))
    client = clients["superuser"]
    url = reverse("admin:committees_seatpolicy_change", args=[be2534().pk])
    html = client.get(url).content.decode()
    assert 'name="valid_to"' in html and 'name="minimum"' not in html
    response = client.post(url, {"valid_to": "2026-05-01"})
    assert response.status_code == 200  # an election on 1 June used it
    assert be2534().valid_to is None
    response = client.post(url, {"valid_to": "2026-12-31"})
    assert response.status_code == 302
    assert be2534().valid_to == date(2026, 12, 31)
    assert client.get(reverse("admin:committees_election_changelist")).status_code == 200
    assert client.get(reverse("admin:committees_committeeterm_changelist")).status_code == 200


def test_admin_shows_the_policy_history(clients):
    policy_end(actor=None, policy=be2534(), valid_to=date(2026, 12, 31))
    url = reverse("admin:committees_seatpolicy_history", args=[be2534().pk])
    response = clients["superuser"].get(url)
    assert response.status_code == 200
    assert be2534().history.filter(valid_to=date(2026, 12, 31)).exists()
