"""Household survey pages: start from the household page, fill in on a phone (save a draft,
autosave, add and remove members, submit), read the classification with its reasons, reopen;
the household page's "Poverty and survey" block; access by role and reach."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chumchon.conftest import OWN_COMMUNITY
from chumchon.core.dates import fiscal_year, fiscal_year_bounds
from chumchon.organizations.models import Area

from ..models import Household, Survey, SurveyRound
from ..surveys import services
from .factories import community_for_area, make_community, make_household, make_person
from .survey_factories import COMPLETE_ANSWERS, member, open_round, submitted_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(communities):
    return community_for_area(communities[OWN_COMMUNITY])


@pytest.fixture
def house(own):
    household = make_household(own, house_no="12/3", tenure="rent")
    make_person(
        household,
        relation="head",
        prefix="นาย",
        first_name="สมชาย",
        last_name="ใจดี",
        birth_date=date(1960, 5, 1),
    )
    make_person(
        household,
        relation="child",
        prefix="เด็กหญิง",
        sex="F",
        first_name="ปิยะดา",
        last_name="ใจดี",
        birth_date=date(2015, 4, 9),
    )
    return household


@pytest.fixture
def survey_round(communities):
    return open_round("1001")


@pytest.fixture
def draft(house, survey_round):
    return services.survey_start(actor=None, household=house, survey_round=survey_round)


@pytest.fixture
def en(clients):
    for client in clients.values():
        client.cookies["chumchon_language"] = "en"
    return clients


def html(response) -> str:
    return response.content.decode()


def members_of(survey: Survey) -> list:
    return list(survey.members.order_by("position"))


def form_data(survey: Survey, members: list[dict], action: str = "save", **answers) -> dict:
    """What the survey page posts: household answers and the member cards."""
    values = {
        "surveyed_on": survey.surveyed_on.isoformat(),
        "surveyor_name": "วิภา",
        "respondent_name": "สมชาย",
        "tenure": "rent",
        "housing_condition": "good",
        "drinking_water_enough": "yes",
        "water_source": "tap",
        "electricity": "own_meter",
        "waste": "collected",
        "other_income_year": "",
        "expenses_month": "9,000",
        "needs": "อยากได้งานประจำ",
        **answers,
    }
    data = {k: v for k, v in values.items() if v is not None}
    data["welfare_received"] = answers.get("welfare_received", [])
    data["action"] = action
    data["members-TOTAL_FORMS"] = str(len(members))
    data["members-INITIAL_FORMS"] = "0"
    for index, m in enumerate(members):
        for key, value in m.items():
            if value is not None:
                data[f"members-{index}-{key}"] = value
    return data


def registry_cards(survey: Survey, **answers) -> list[dict]:
    """One complete card per registry member of the draft (the child in school)."""
    cards = []
    for m in members_of(survey):
        cards.append(
            {
                "person": str(m.person_id),
                "name": m.name,
                "occupation": "student" if m.person.birth_date.year > 2000 else "daily_wage",
                "income_year": "" if m.person.birth_date.year > 2000 else "120000",
                "education": "primary",
                "in_school": "yes" if m.person.birth_date.year > 2000 else "",
                "reads_thai": "yes",
                "health_insurance": "uc",
                **answers,
            }
        )
    return cards


# --- access ----------------------------------------------------------------------------------


def test_survey_pages_send_anonymous_visitors_to_login(clients, draft):
    for url in (f"/surveys/{draft.pk}/", f"/surveys/{draft.pk}/edit/"):
        response = clients["anonymous"].get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_survey_of_another_district_is_404_for_district_staff(clients, communities):
    other = community_for_area(communities["T-1004-01"])
    survey = services.survey_start(
        actor=None, household=make_household(other), survey_round=open_round("1004")
    )
    for url in (f"/surveys/{survey.pk}/", f"/surveys/{survey.pk}/edit/"):
        assert clients["district_officer"].get(url).status_code == 404
    assert clients["district_officer"].post(f"/surveys/{survey.pk}/edit/").status_code == 404


def test_staff_in_reach_without_the_survey_permission_get_403(clients, draft):
    """Zone and central officers reach the household but not its incomes."""
    for actor in ("zone_officer", "central_officer", "auditor"):
        client = clients[actor]
        assert client.get(f"/surveys/{draft.pk}/").status_code == 403, actor
        assert client.get(f"/surveys/{draft.pk}/edit/").status_code == 403, actor
        assert client.post(f"/households/{draft.household_id}/survey/new/").status_code == 403


def test_committee_member_surveys_own_community_only(clients, house, survey_round):
    neighbour = make_household(make_community(district="1001"), house_no="5")
    client = clients["committee_member"]
    assert client.post(f"/households/{neighbour.pk}/survey/new/").status_code == 404
    response = client.post(f"/households/{house.pk}/survey/new/")
    survey = Survey.objects.get(household=house)
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/edit/"
    assert client.get(f"/surveys/{survey.pk}/edit/").status_code == 200


def test_committee_member_cannot_reopen_a_survey(clients, house):
    survey = submitted_survey(house)
    assert clients["committee_member"].get(f"/surveys/{survey.pk}/reopen/").status_code == 403
    assert clients["committee_member"].post(f"/surveys/{survey.pk}/reopen/").status_code == 403


# --- start from the household page -----------------------------------------------------------


def test_household_page_offers_to_survey_when_the_round_is_open(clients, house, survey_round):
    page = html(clients["district_officer"].get(f"/households/{house.pk}/"))
    assert "ความยากจนและการสำรวจ" in page
    assert f'action="/households/{house.pk}/survey/new/"' in page
    assert "สำรวจครัวเรือน" in page


def test_household_page_says_why_no_survey_can_start_without_a_round(en, house):
    page = html(en["district_officer"].get(f"/households/{house.pk}/"))
    assert "/survey/new/" not in page
    year = fiscal_year(timezone.localdate())
    assert f"No survey round is open for fiscal year {year} in this district" in page


def test_household_page_says_the_round_is_closed(en, house, survey_round):
    services.survey_round_close(actor=None, survey_round=survey_round)
    page = html(en["district_officer"].get(f"/households/{house.pk}/"))
    assert "/survey/new/" not in page
    assert "is closed: surveys can no longer be changed." in page


def test_start_creates_a_draft_prefilled_from_the_registry(clients, house, survey_round):
    client = clients["district_officer"]
    response = client.post(f"/households/{house.pk}/survey/new/")
    survey = Survey.objects.get(household=house)
    assert response["Location"] == f"/surveys/{survey.pk}/edit/"
    assert survey.status == "draft" and survey.surveyed_on == timezone.localdate()
    assert [m.name for m in members_of(survey)] == ["นายสมชาย ใจดี", "เด็กหญิงปิยะดา ใจดี"]
    # a second press goes to the survey already started
    again = client.post(f"/households/{house.pk}/survey/new/")
    assert again["Location"] == f"/surveys/{survey.pk}/edit/"
    assert Survey.objects.filter(household=house).count() == 1
    page = html(client.get(f"/households/{house.pk}/"))
    assert f'href="/surveys/{survey.pk}/edit/"' in page and "/survey/new/" not in page


def test_start_without_a_round_goes_back_with_the_reason(en, house):
    response = en["district_officer"].post(f"/households/{house.pk}/survey/new/", follow=True)
    assert response.redirect_chain[-1][0] == f"/households/{house.pk}/#survey"
    assert "No survey round is open for fiscal year" in html(response)
    assert not Survey.objects.exists()


def test_start_page_answers_post_only(clients, house, survey_round):
    assert clients["district_officer"].get(f"/households/{house.pk}/survey/new/").status_code == 405


# --- the form on a phone ---------------------------------------------------------------------


def test_form_is_phone_friendly_with_registry_members_prefilled(clients, draft):
    page = html(clients["district_officer"].get(f"/surveys/{draft.pk}/edit/"))
    assert 'name="viewport"' in page
    # big toggles for choices, numeric keypads for amounts and ages
    assert 'type="radio" name="tenure" value="rent" class="btn-check"' in page
    assert re.search(r'name="expenses_month"[^>]*inputmode="decimal"', page) or re.search(
        r'inputmode="decimal"[^>]*name="expenses_month"', page
    )
    assert 'inputmode="numeric"' in page  # the age of a new member (template card)
    assert page.count("btn-check") > 30
    assert "py-2 lh-lg" in page  # touch targets of at least 44 px
    # one card per member, registry names and ages from the birth date
    assert 'id="member-0"' in page and 'id="member-1"' in page
    age = Household.objects.get(pk=draft.household_id)  # noqa: F841 (the house exists)
    head_age = draft.members.order_by("position").first().person.age
    assert "นายสมชาย ใจดี" in page and f"อายุ {head_age} ปี" in page
    assert "บันทึกร่าง" in page and "ส่งแบบสำรวจ" in page
    # light: only the project's own scripts
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert sorted(s.rsplit("/", 1)[-1] for s in scripts) == [
        "bootstrap.bundle.min.js",
        "htmx.min.js",
        "survey.js",
    ]
    assert f'data-version="{int(draft.updated_at.timestamp() * 1_000_000)}"' in page


def test_save_draft_stores_answers_and_members_then_redirects(clients, draft):
    cards = registry_cards(draft)
    cards.append({"name": "ลุงแดง", "age": "๗๐", "occupation": "retired", "health_insurance": "uc"})
    data = form_data(draft, cards, welfare_received=["elderly_allowance"])
    response = clients["district_officer"].post(f"/surveys/{draft.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/surveys/{draft.pk}/edit/"
    draft.refresh_from_db()
    assert draft.expenses_month == Decimal("9000.00") and draft.tenure == "rent"
    assert draft.drinking_water_enough is True and draft.welfare_received == ["elderly_allowance"]
    assert draft.needs == "อยากได้งานประจำ" and draft.status == "draft"
    rows = members_of(draft)
    assert [m.name for m in rows] == ["นายสมชาย ใจดี", "เด็กหญิงปิยะดา ใจดี", "ลุงแดง"]
    assert rows[0].income_year == Decimal("120000.00") and rows[1].in_school is True
    assert rows[2].person_id is None and rows[2].age == 70


def test_invalid_amount_saves_nothing_and_shows_the_error_next_to_the_field(en, draft):
    before = members_of(draft)
    cards = registry_cards(draft)
    cards[0]["income_year"] = "12,000.555"
    data = form_data(draft, cards, expenses_month="abc", needs="changed")
    response = en["district_officer"].post(f"/surveys/{draft.pk}/edit/", data)
    assert response.status_code == 200
    page = html(response)
    assert 'id="id_expenses_month_error"' in page
    assert 'id="id_members-0-income_year_error"' in page
    # the summary at the top links to both
    assert 'href="#id_expenses_month"' in page and 'href="#id_members-0-income_year"' in page
    assert "Enter an amount in baht from 0, with at most 2 decimals" in page
    draft.refresh_from_db()
    assert draft.needs == "" and draft.expenses_month is None
    assert [m.pk for m in members_of(draft)] == [m.pk for m in before]


def test_service_error_on_a_member_lands_on_its_card_and_saves_nothing(en, draft):
    cards = registry_cards(draft)
    cards.append({"occupation": "retired", "age": "70"})  # no name and not registered
    data = form_data(draft, cards, needs="changed")
    response = en["district_officer"].post(f"/surveys/{draft.pk}/edit/", data)
    assert response.status_code == 200
    page = html(response)
    card = page.split('id="member-2"', 1)[1].split('id="member-3"', 1)[0]
    assert "member 3: give the name." in card
    assert 'href="#member-2"' in page
    draft.refresh_from_db()
    assert draft.needs == "" and draft.members.count() == 2


def test_thai_error_messages_in_thai(clients, draft):
    data = form_data(draft, registry_cards(draft), expenses_month="abc")
    page = html(clients["district_officer"].post(f"/surveys/{draft.pk}/edit/", data))
    assert "ทศนิยม" in page  # the amount error, in Thai


def test_removed_and_empty_cards_are_not_members(clients, draft):
    cards = registry_cards(draft)
    cards[1]["DELETE"] = "on"
    cards.append({"name": "", "age": ""})  # a card added and left empty
    response = clients["district_officer"].post(
        f"/surveys/{draft.pk}/edit/", form_data(draft, cards)
    )
    assert response.status_code == 302
    assert [m.name for m in members_of(draft)] == ["นายสมชาย ใจดี"]


def test_add_member_without_javascript_saves_and_comes_back_with_an_empty_card(clients, draft):
    client = clients["district_officer"]
    data = form_data(draft, registry_cards(draft), action="add_member")
    response = client.post(f"/surveys/{draft.pk}/edit/", data)
    assert response["Location"] == f"/surveys/{draft.pk}/edit/?add=1#members"
    page = html(client.get(f"/surveys/{draft.pk}/edit/?add=1"))
    assert 'id="member-2"' in page and 'name="members-TOTAL_FORMS" value="3"' in page


def test_autosave_answers_json_with_the_new_version(clients, draft):
    data = form_data(draft, registry_cards(draft), action="autosave", needs="บันทึกอัตโนมัติ")
    response = clients["district_officer"].post(f"/surveys/{draft.pk}/edit/", data)
    assert response.status_code == 200
    body = response.json()
    draft.refresh_from_db()
    assert body["saved"] is True and draft.needs == "บันทึกอัตโนมัติ"
    assert body["version"] == str(int(draft.updated_at.timestamp() * 1_000_000))
    assert "บันทึกร่างอัตโนมัติ" in body["message"]


def test_autosave_with_an_invalid_answer_saves_nothing(en, draft):
    data = form_data(draft, registry_cards(draft), action="autosave", savings="-5", needs="x")
    response = en["district_officer"].post(f"/surveys/{draft.pk}/edit/", data)
    assert response.status_code == 422
    assert (
        response.json()["saved"] is False
        and "1 answers need correcting" in response.json()["message"]
    )
    draft.refresh_from_db()
    assert draft.needs == ""


def test_empty_post_re_renders_without_saving(clients, draft):
    response = clients["district_officer"].post(f"/surveys/{draft.pk}/edit/")
    assert response.status_code == 200
    assert draft.members.count() == 2


def test_draft_page_shows_the_classification_preview(en, draft):
    cards = registry_cards(draft, income_year="10000")
    en["district_officer"].post(f"/surveys/{draft.pk}/edit/", form_data(draft, cards))
    page = html(en["district_officer"].get(f"/surveys/{draft.pk}/edit/"))
    preview = page.split('id="preview"', 1)[1]
    assert "Classification if submitted now" in preview
    assert "Poor household" in preview and "below the poverty line of 38,000.00 baht" in preview


# --- submit ----------------------------------------------------------------------------------


def test_submit_incomplete_saves_the_draft_and_lists_what_is_missing(en, draft):
    cards = registry_cards(draft)
    cards[0]["health_insurance"] = ""
    data = form_data(draft, cards, action="submit", waste="", needs="บันทึกไว้")
    response = en["district_officer"].post(f"/surveys/{draft.pk}/edit/", data)
    assert response.status_code == 200
    page = html(response)
    assert "The draft was saved, but it cannot be submitted yet" in page
    top = page.split('id="survey-errors"', 1)[1].split("</ul>", 1)[0]
    assert 'href="#id_waste"' in top and 'href="#member-0"' in top
    assert "waste disposal: this question must be answered before submitting." in top.lower()
    assert 'id="id_waste_error"' in page
    card = page.split('id="member-0"', 1)[1].split('id="member-1"', 1)[0]
    assert "answer health insurance before submitting" in card
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.needs == "บันทึกไว้"


def test_submit_classifies_and_shows_reasons_in_the_users_language(clients, draft):
    cards = registry_cards(draft, income_year="10000")
    cards[0]["health_insurance"] = "none"
    data = form_data(draft, cards, action="submit", housing_condition="poor")
    response = clients["district_officer"].post(f"/surveys/{draft.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/surveys/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.is_poor is True
    assert draft.deprived_health and draft.deprived_living
    client = clients["district_officer"]
    client.cookies["chumchon_language"] = "th"
    thai = html(client.get(f"/surveys/{draft.pk}/"))
    assert "ครัวเรือนยากจน" in thai and "ต่ำกว่าเส้นความยากจน" in thai
    assert "บ้านมีสภาพทรุดโทรม" in thai and "สมาชิก 1 คนไม่มีหลักประกันสุขภาพ" in thai
    client.cookies["chumchon_language"] = "en"
    english = html(client.get(f"/surveys/{draft.pk}/"))
    assert (
        "The house is dilapidated" in english and "1 member(s) without health insurance" in english
    )
    assert "บ้านมีสภาพทรุดโทรม" not in english
    health = english.split('data-dimension="health"', 1)[1].split("</li>", 1)[0]
    assert "deprived" in health and "not deprived" not in health
    education = english.split('data-dimension="education"', 1)[1].split("</li>", 1)[0]
    assert "not deprived" in education


def test_detail_shows_who_surveyed_and_be_dates(clients, house):
    survey = submitted_survey(house, answers={"surveyor_name": "วิภา ขยันงาน"})
    page = html(clients["district_officer"].get(f"/surveys/{survey.pk}/"))
    assert "วิภา ขยันงาน" in page
    assert str(survey.surveyed_on.year + 543) in page
    assert "ผู้ตอบ" in page  # the member


def test_submitted_survey_form_goes_to_the_read_only_page(clients, house):
    survey = submitted_survey(house)
    client = clients["district_officer"]
    response = client.get(f"/surveys/{survey.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    response = client.post(f"/surveys/{survey.pk}/edit/", form_data(survey, [], needs="x"))
    assert response["Location"] == f"/surveys/{survey.pk}/"
    survey.refresh_from_db()
    assert survey.needs == ""


# --- reopen ----------------------------------------------------------------------------------


def test_reopen_needs_a_reason_then_returns_the_survey_to_draft(en, house):
    survey = submitted_survey(house, members=[member(income="10000")])
    house.refresh_from_db()
    assert house.survey_poor is True
    client = en["district_officer"]
    assert client.get(f"/surveys/{survey.pk}/reopen/").status_code == 200
    page = html(client.post(f"/surveys/{survey.pk}/reopen/", {"reason": "short"}))
    assert "at least 10 characters" in page
    survey.refresh_from_db()
    assert survey.status == "submitted"
    response = client.post(
        f"/surveys/{survey.pk}/reopen/", {"reason": "income of the head was wrong"}
    )
    assert response["Location"] == f"/surveys/{survey.pk}/"
    survey.refresh_from_db()
    house.refresh_from_db()
    assert survey.status == "draft" and house.survey_poor is None
    assert client.get(f"/surveys/{survey.pk}/edit/").status_code == 200


# --- the household page's block --------------------------------------------------------------


def past_round_survey(household: Household, years_back: int, income: str) -> Survey:
    year = fiscal_year(timezone.localdate()) - years_back
    start, _end = fiscal_year_bounds(year)
    survey_round = SurveyRound.objects.filter(area__code="1001", fiscal_year=year).first()
    if survey_round is None:
        survey_round = services.survey_round_open(
            actor=None, district=Area.objects.get(code="1001"), fiscal_year_be=year
        )
    survey = services.survey_start(
        actor=None,
        household=household,
        survey_round=survey_round,
        surveyed_on=start + timedelta(days=30),
    )
    services.survey_save(
        actor=None, survey=survey, answers=COMPLETE_ANSWERS, members=[member(income=income)]
    )
    return services.survey_submit(actor=None, survey=survey)


def test_household_block_shows_latest_classification_and_history(en, house):
    past_round_survey(house, 1, income="100000")
    latest = submitted_survey(house, members=[member(income="10000", health_insurance="none")])
    page = html(en["district_officer"].get(f"/households/{house.pk}/"))
    block = page.split('id="survey"', 1)[1].split("</section>", 1)[0]
    assert "Poverty and survey" in block and "Poor household" in block
    assert "below the poverty line" in block and "without health insurance" in block
    rows = block.split("<tbody>", 1)[1]
    year = fiscal_year(timezone.localdate())
    assert rows.index(str(year)) < rows.index(str(year - 1))
    assert f'href="/surveys/{latest.pk}/"' in rows and "not poor" in rows
    assert "2/5" in rows or "1/5" in rows


def test_household_block_is_hidden_from_staff_who_may_not_read_surveys(en, house):
    submitted_survey(house, members=[member(income="10000")])
    page = html(en["zone_officer"].get(f"/households/{house.pk}/"))
    assert "Poverty and survey" not in page and "poverty line" not in page


def test_household_page_query_count_does_not_grow_with_surveys(clients, house):
    client = clients["district_officer"]
    url = f"/households/{house.pk}/"
    submitted_survey(house)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    past_round_survey(house, 1, income="10000")
    past_round_survey(house, 2, income="50000")
    assert count() == before


def test_closed_round_shows_the_form_read_only_and_refuses_saving(en, draft):
    services.survey_round_close(actor=None, survey_round=draft.round)
    client = en["district_officer"]
    page = html(client.get(f"/surveys/{draft.pk}/edit/"))
    assert "is closed: the answers can no longer be changed" in page
    assert 'value="submit"' not in page and "data-add-member" not in page
    response = client.post(f"/surveys/{draft.pk}/edit/", form_data(draft, [], needs="late"))
    assert response.status_code == 200 and "surveys can no longer be changed" in html(response)
    draft.refresh_from_db()
    assert draft.needs == ""
