from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "chumchon.organizations"
    label = "organizations"
    verbose_name = _("Areas")

    def ready(self) -> None:
        from chumchon.accounts.scoping import register_scoped

        from .models import Area

        register_scoped(Area, path_field="path")
