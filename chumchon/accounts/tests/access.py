from chumchon.accounts.testing.access import LOGIN, PERSONAL, PUBLIC, Rule, anywhere


def token_pk(objects, actor, which):
    return {"pk": objects.token(actor, which).pk}


def user_pk(objects, actor, which):
    return {"pk": objects.user(which).pk}


ACCESS = {
    "login": Rule({"GET": PUBLIC, "POST": PUBLIC}),
    "logout": Rule({"POST": PUBLIC}),
    "otp-verify": Rule({"GET": LOGIN, "POST": LOGIN}),
    "otp-enrol": Rule({"GET": LOGIN, "POST": LOGIN}),
    "profile": Rule({"GET": LOGIN}),
    "token-create": Rule({"GET": LOGIN, "POST": LOGIN}),
    "token-revoke": Rule({"POST": PERSONAL}, token_pk),
    "backup-codes": Rule({"POST": LOGIN}),
    "user-list": Rule({"GET": anywhere("users.manage")}),
    "user-otp-reset": Rule(
        {"GET": anywhere("users.manage"), "POST": anywhere("users.manage")}, user_pk
    ),
    "api:me": Rule({"GET": LOGIN}, api=True),
}
