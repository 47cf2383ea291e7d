"""Navigation by module, built from what the user may do."""

from django.urls import reverse
from django.utils.translation import gettext as _

from chumchon.accounts.scoping import has_perm_anywhere

from .permissions import can_manage_parameters, can_manage_users, can_view_areas, can_view_audit


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = [(_("Home"), reverse("home"))]
    if can_view_areas(user):
        items.append((_("Areas"), reverse("area-list")))
        items.append((_("Communities"), reverse("community-list")))
    # the household survey (communities app): rounds for staff, reports for report readers
    if has_perm_anywhere(user, "records.view"):
        items.append((_("Survey rounds"), reverse("survey-round-list")))
    # committees (committees app): staff go to the city-wide status, a committee member to
    # their community's committee (the view decides; portal does not import committees)
    if has_perm_anywhere(user, "records.view") or has_perm_anywhere(user, "community.view_own"):
        items.append((_("Committees"), reverse("committee-mine")))
        items.append((_("Budget programmes"), reverse("budget-programme-list")))
    # community funds (funds app): staff in reach and the funds' own committees
    if has_perm_anywhere(user, "funds.view"):
        items.append((_("Community funds"), reverse("fund-list")))
    # the food bank (foodbank app): staff and the counter clerk; the home page sends a user
    # with one district to it (the clerk to the counter)
    if has_perm_anywhere(user, "foodbank.view"):
        items.append((_("BKK Food Bank"), reverse("foodbank-home")))
    if has_perm_anywhere(user, "reports.view"):
        items.append((_("Poverty report"), reverse("survey-report")))
    items.append((_("Jobs"), reverse("job-list")))
    if can_view_audit(user):
        items.append((_("Audit log"), reverse("audit-list")))
        items.append((_("Personal data reveals"), reverse("reveal-list")))
    if can_manage_parameters(user):
        items.append((_("Parameters"), reverse("parameter-list")))
    if can_manage_users(user):
        items.append((_("Users"), reverse("user-list")))
    return {
        "nav_items": [
            {"label": label, "url": url, "active": url != "/" and path.startswith(url)}
            for label, url in items
        ],
        # the registry's search box (communities/views/search.py), for whoever sees people
        "show_registry_search": has_perm_anywhere(user, "people.view"),
    }
