from chumchon.accounts.testing.access import LOGIN, PUBLIC, Rule, scoped


def area_code(objects, actor, which):
    return {"code": objects.area(which).code}


ACCESS = {
    "area-list": Rule({"GET": LOGIN}),
    "area-detail": Rule({"GET": scoped("areas.view")}, area_code),
    "area-attachment-add": Rule({"POST": scoped("records.edit")}, area_code),
    "area-export": Rule({"POST": scoped("jobs.run")}, area_code),
    "area-factsheet": Rule({"GET": scoped("areas.view")}, area_code),
    "api:list_areas": Rule({"GET": PUBLIC}, api=True),
    "api:get_area": Rule({"GET": PUBLIC}, area_code, api=True),
    "api:export_area": Rule({"POST": scoped("jobs.run")}, area_code, api=True),
}
