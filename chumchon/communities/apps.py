from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "chumchon.communities"
    label = "communities"
    verbose_name = _("Community registry")

    def ready(self) -> None:
        from chumchon.accounts.scoping import register_scoped

        from .models import Community, Household, Person

        register_scoped(Community, path_field="area__path", view_perm="records.view")
        register_scoped(Household, path_field="area__path", view_perm="records.view")
        register_scoped(Person, path_field="area__path", view_perm="records.view")
