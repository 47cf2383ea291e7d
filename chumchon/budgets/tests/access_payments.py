"""Access-matrix rules for the budget module's payments URLs. Objects: an approved application
in the own community T-1001-01 and in T-1004-01 ("other") of a programme of its own, and a
payment awaiting confirmation per actor (recorded by a user who is none of the actors, so the
head may confirm it), so that one actor's confirmation never changes another's answer.

Pages re-render on an empty POST (200); a confirmation needs no input (302 back). API writes
answer 422 on an empty body (invalid_ok)."""

from __future__ import annotations

from datetime import date

from chumchon.accounts.models import User
from chumchon.accounts.testing.access import Rule, anywhere, scoped
from chumchon.communities.tests import access_objects

from ..models import Application
from .factories import make_application, make_disbursement, make_programme, make_transferred

GET_POST = ("GET", "POST")
INVALID_OK = {"invalid_ok": True}
EDIT = "records.edit"
APPROVE = "records.approve"


def both(policy):
    return dict.fromkeys(GET_POST, policy)


def _maker(objects) -> User:
    key = ("payments", "maker")
    if key not in objects._cache:
        objects._cache[key] = User.objects.create_user(username="payments-maker")
    return objects._cache[key]


def programme(objects):
    key = ("payments", "programme")
    if key not in objects._cache:
        objects._cache[key] = make_programme(
            name_th="โครงการทดสอบสิทธิ์การเบิกจ่าย", carry_over_deadline=date(2025, 3, 31)
        )
    return objects._cache[key]


def application(objects, which: str) -> Application:
    key = ("payments", "application", which)
    if key not in objects._cache:
        maker = _maker(objects)
        allocation = make_transferred(
            programme(objects), access_objects.community(objects, which), user=maker
        )
        objects._cache[key] = make_application(
            allocation, prepared_by=maker, status=Application.Status.APPROVED, decided_by=maker
        )
    return objects._cache[key]


def disbursement(objects, actor: str, which: str):
    key = ("payments", "disbursement", actor, which)
    if key not in objects._cache:
        objects._cache[key] = make_disbursement(
            application(objects, which), "1.00", recorded_by=_maker(objects)
        )
    return objects._cache[key]


def application_pk(objects, actor, which):
    return {"pk": application(objects, which).pk}


def disbursement_pk(objects, actor, which):
    return {"pk": disbursement(objects, actor, which).pk}


def programme_pk(objects, actor, which):
    application(objects, which)  # the register lists its payments
    return {"programme_pk": programme(objects).pk}


def api_application(objects, actor, which):
    return {"application_id": application(objects, which).pk}


def api_disbursement(objects, actor, which):
    return {"disbursement_id": disbursement(objects, actor, which).pk}


def _write(kwargs, perm: str) -> Rule:
    return Rule({"POST": scoped(perm)}, kwargs, api=True, extra=INVALID_OK)


APPLICATION_PAYMENTS = {"GET": scoped("areas.view"), "POST": scoped(EDIT)}

ACCESS = {
    # pages
    "budget-payment-record": Rule(both(scoped(EDIT)), application_pk),
    "budget-carry-over-record": Rule(both(scoped(APPROVE)), application_pk),
    "budget-payment-confirm": Rule(both(scoped(APPROVE)), disbursement_pk),
    "budget-payment-cancel": Rule(both(scoped(EDIT)), disbursement_pk),
    "budget-payment-list": Rule({"GET": anywhere("records.view")}, programme_pk),
    # API: the application's payments are read by staff in reach and the community's committee
    # (records.view or community.view_own: every role with reach holds areas.view)
    # (one path, two operations: ninja names the route after each, so both carry both methods)
    "api:list_application_disbursements": Rule(
        APPLICATION_PAYMENTS, api_application, api=True, extra=INVALID_OK
    ),
    "api:record_application_disbursement": Rule(
        APPLICATION_PAYMENTS, api_application, api=True, extra=INVALID_OK
    ),
    "api:confirm_disbursement": _write(api_disbursement, APPROVE),
    "api:cancel_disbursement": _write(api_disbursement, EDIT),
    "api:record_application_carry_over": _write(api_application, APPROVE),
}
