"""Access rules of a community's committee, the term forms, the city-wide status and the
committee API. Objects: a term in office (with members, a chair, an adviser, a working group)
in the own community T-1001-01 and in T-1004-01 ("other").

The committee is seen by staff in reach (records.view) and by the community's committee members
(community.view_own): every role with reach holds one of them, which `scoped("areas.view")`
expresses. Empty POSTs re-render the form (pages, 200) or answer 422 (API: invalid_ok)."""

from __future__ import annotations

from chumchon.accounts.testing.access import Rule, anywhere, scoped
from chumchon.communities.tests import access_objects

from ..models import Adviser, WorkingGroup
from .factories import make_term

GET_POST = ("GET", "POST")
INVALID_OK = {"invalid_ok": True}
VIEW = "areas.view"
MANAGE = "committees.manage"


def both(policy):
    return dict.fromkeys(GET_POST, policy)


def term(objects, which: str):
    key = ("committee_term", which)
    if key not in objects._cache:
        community = access_objects.community(objects, which)
        made = make_term(community, members=3, seats=7)
        first = made.members.order_by("id").first()
        Adviser.objects.create(term=made, name="ที่ปรึกษา", starts_on=made.starts_on)
        WorkingGroup.objects.create(
            term=made, name="คณะทำงาน", purpose="งานสวัสดิการ", starts_on=made.starts_on
        )
        objects._cache[key] = (made, first, first.positions.first())
    return objects._cache[key]


def term_pk(objects, actor, which):
    return {"pk": term(objects, which)[0].pk}


def member_pk(objects, actor, which):
    return {"pk": term(objects, which)[1].pk}


def position_pk(objects, actor, which):
    return {"pk": term(objects, which)[2].pk}


def adviser_pk(objects, actor, which):
    return {"pk": term(objects, which)[0].advisers.first().pk}


def group_pk(objects, actor, which):
    return {"pk": term(objects, which)[0].working_groups.first().pk}


def community_pk(objects, actor, which):
    return {"pk": access_objects.community(objects, which).pk}


def api_community(objects, actor, which):
    return {"community_id": access_objects.community(objects, which).pk}


def api_term(objects, actor, which):
    return {"term_id": term(objects, which)[0].pk}


def api_member(objects, actor, which):
    made, member, _position = term(objects, which)
    return {"term_id": made.pk, "member_id": member.pk}


def api_position(objects, actor, which):
    made, _member, position = term(objects, which)
    return {"term_id": made.pk, "position_id": position.pk}


def api_adviser(objects, actor, which):
    made = term(objects, which)[0]
    return {"term_id": made.pk, "adviser_id": made.advisers.first().pk}


def api_group(objects, actor, which):
    made = term(objects, which)[0]
    return {"term_id": made.pk, "group_id": made.working_groups.first().pk}


def _write(kwargs, perm: str = MANAGE) -> Rule:
    return Rule({"POST": scoped(perm)}, kwargs, api=True, extra=INVALID_OK)


ACCESS = {
    # pages
    "committee-detail": Rule({"GET": scoped(VIEW)}, community_pk),
    # a committee member goes to their community's committee, staff to the status: everyone
    # logged in holds areas.view
    "committee-mine": Rule({"GET": anywhere("areas.view")}),
    "committee-status": Rule({"GET": anywhere("records.view")}),
    "term-end-early": Rule(both(scoped("records.dissolve")), term_pk),
    "committee-fill-vacancy": Rule(both(scoped(MANAGE)), term_pk),
    "committee-position-assign": Rule(both(scoped(MANAGE)), term_pk),
    "committee-adviser-add": Rule(both(scoped(MANAGE)), term_pk),
    "committee-working-group-add": Rule(both(scoped(MANAGE)), term_pk),
    "committee-report-add": Rule(both(scoped(MANAGE)), term_pk),
    "committee-member-end": Rule(both(scoped(MANAGE)), member_pk),
    "committee-grant-role": Rule(both(scoped(MANAGE)), member_pk),
    "committee-position-end": Rule(both(scoped(MANAGE)), position_pk),
    "committee-adviser-end": Rule(both(scoped(MANAGE)), adviser_pk),
    "committee-working-group-member-add": Rule(both(scoped(MANAGE)), group_pk),
    "committee-working-group-end": Rule(both(scoped(MANAGE)), group_pk),
    # API
    "api:get_community_committee": Rule({"GET": scoped(VIEW)}, api_community, api=True),
    "api:end_committee_member": _write(api_member),
    "api:fill_committee_vacancy": _write(api_term),
    "api:assign_committee_position": _write(api_term),
    "api:end_committee_position": _write(api_position),
    "api:grant_committee_role": _write(api_member),
    "api:end_committee_term_early": _write(api_term, "records.dissolve"),
    "api:add_committee_adviser": _write(api_term),
    "api:end_committee_adviser": _write(api_adviser),
    "api:add_committee_working_group": _write(api_term),
    "api:add_committee_working_group_member": _write(api_group),
    "api:end_committee_working_group": _write(api_group),
    "api:add_committee_report": _write(api_term),
}
