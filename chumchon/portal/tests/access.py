from chumchon.accounts.testing.access import (
    ABSENT,
    LOGIN,
    OWNER,
    PUBLIC,
    SUPERUSER,
    Rule,
    anywhere,
    scoped,
)


def job_pk(objects, actor, which):
    return {"pk": objects.job(actor, which).pk}


def api_job_id(objects, actor, which):
    return {"job_id": objects.job(actor, which).pk}


def attachment_pk(objects, actor, which):
    return {"pk": objects.attachment(which).pk}


ACCESS = {
    "home": Rule({"GET": PUBLIC}),
    "privacy": Rule({"GET": PUBLIC}),
    "health": Rule({"GET": PUBLIC}),
    "audit-list": Rule({"GET": anywhere("audit.view")}),
    "reveal-list": Rule({"GET": anywhere("audit.view")}),
    "job-list": Rule({"GET": LOGIN}),
    "job-detail": Rule({"GET": OWNER}, job_pk),
    "job-progress": Rule({"GET": OWNER}, job_pk),
    "job-download": Rule({"GET": OWNER}, job_pk),
    "parameter-list": Rule({"GET": anywhere("parameters.manage")}),
    "parameter-start": Rule(
        {"GET": anywhere("parameters.manage"), "POST": anywhere("parameters.manage")},
        lambda objects, actor, which: {"key": objects.parameter_key()},
    ),
    "attachment-download": Rule({"GET": scoped("records.view")}, attachment_pk),
    "api:get_job": Rule({"GET": OWNER}, api_job_id, api=True),
    "api:list_audit_events": Rule({"GET": anywhere("audit.view")}, api=True),
    "api:openapi-json": Rule({"GET": PUBLIC}, api=True),
    "api:openapi-view": Rule({"GET": PUBLIC}, api=True),
    "api:api-root": Rule({"GET": ABSENT}, api=True),  # ninja answers 404 at the root
    "set_language": Rule({"GET": PUBLIC, "POST": PUBLIC}),
    # The Django admin: every pattern of the namespace, superusers only.
    # A superuser may get 404 there for the made-up object ids the matrix uses.
    "admin:*": Rule(
        {"GET": SUPERUSER, "POST": SUPERUSER}, extra={"superuser_any": True, "third_party": True}
    ),
    "admin:logout": Rule({"POST": PUBLIC}),
}
