"""Navigation by module, built from what the user may do."""

from django.urls import reverse
from django.utils.translation import gettext as _


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from chumchon.accounts.scoping import has_perm_anywhere

    path = request.path
    items = [(_("Home"), reverse("home"))]
    if has_perm_anywhere(user, "areas.view"):
        items.append((_("Areas"), reverse("area-list")))
    items.append((_("Jobs"), reverse("job-list")))
    if has_perm_anywhere(user, "audit.view"):
        items.append((_("Audit log"), reverse("audit-list")))
        items.append((_("Personal data reveals"), reverse("reveal-list")))
    if has_perm_anywhere(user, "parameters.manage"):
        items.append((_("Parameters"), reverse("parameter-list")))
    if user.is_superuser or has_perm_anywhere(user, "users.manage"):
        items.append((_("Users"), reverse("user-list")))
    return {
        "nav_items": [
            {"label": label, "url": url, "active": url != "/" and path.startswith(url)}
            for label, url in items
        ]
    }
