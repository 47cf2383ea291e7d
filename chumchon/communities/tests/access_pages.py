"""Access rules of the registry's pages. An empty POST to a form page re-renders the form with
its errors (200: allowed); the poverty form answers with a redirect back to the household."""

from chumchon.accounts.testing.access import LOGIN, Rule, anywhere, scoped

from .access_objects import community_pk, household_pk, person_pk

GET_POST = ("GET", "POST")


def both(policy):
    return dict.fromkeys(GET_POST, policy)


ACCESS = {
    # the list is scoped to reach: everyone logged in sees their own communities
    "community-list": Rule({"GET": LOGIN}),
    "community-create": Rule(both(anywhere("records.edit"))),
    "community-detail": Rule({"GET": scoped("areas.view")}, community_pk),
    "community-edit": Rule(both(scoped("records.edit")), community_pk),
    "community-dissolve": Rule(both(scoped("records.dissolve")), community_pk),
    "community-history": Rule({"GET": scoped("records.view")}, community_pk),
    "household-create": Rule(both(scoped("records.edit")), community_pk),
    "household-detail": Rule({"GET": scoped("people.view")}, household_pk),
    "household-edit": Rule(both(scoped("records.edit")), household_pk),
    "household-move": Rule(both(scoped("records.edit")), household_pk),
    "household-poverty": Rule({"POST": scoped("records.edit")}, household_pk),
    "person-create": Rule(both(scoped("records.edit")), household_pk),
    "person-detail": Rule({"GET": scoped("people.view")}, person_pk),
    "person-edit": Rule(both(scoped("records.edit")), person_pk),
    "person-status": Rule(both(scoped("records.edit")), person_pk),
    "person-move": Rule(both(scoped("records.edit")), person_pk),
    "person-reveal": Rule(both(scoped("personal.reveal")), person_pk),
    "person-subject-report": Rule(both(scoped("personal.reveal")), person_pk),
    "person-quick-register": Rule(both(anywhere("records.edit"))),
    # search (results scoped): GET ?q=; the national-ID form's POST needs records.view (not
    # committee members; empty: the form's error, 200)
    "registry-search": Rule({"GET": anywhere("people.view"), "POST": anywhere("records.view")}),
}
