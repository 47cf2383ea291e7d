from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "chumchon.funds"
    label = "funds"
    verbose_name = _("Community funds")

    def ready(self) -> None:
        from chumchon.accounts.scoping import register_scoped

        from .models import Entry, Fund

        # documents attached to a fund or an entry (vouchers, minutes): read with funds.view
        register_scoped(Fund, path_field="area__path", view_perm="funds.view")
        register_scoped(Entry, path_field="fund__area__path", view_perm="funds.view")

        # the funds card on the community page (the registry does not import us)
        from chumchon.communities import panels as community_panels

        from .panels import community_panel

        community_panels.register(community_panel)
