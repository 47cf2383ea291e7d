from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "chumchon.budgets"
    label = "budgets"
    verbose_name = _("Budget programmes")

    def ready(self) -> None:
        from chumchon.accounts.scoping import register_scoped

        from .models import Allocation, Application, Disbursement, Programme, Transfer

        path = "community__area__path"
        register_scoped(Allocation, path_field=path, view_perm="records.view")
        # the community's own committee reads its application's documents too
        register_scoped(
            Application, path_field=path, view_perm=("records.view", "community.view_own")
        )
        register_scoped(
            Disbursement, path_field="application__community__area__path", view_perm="records.view"
        )
        register_scoped(Transfer, path_field="district__path", view_perm="records.view")
        # a programme's documents: staff who read its owner area (the city: central staff)
        register_scoped(Programme, path_field="owner_area__path", view_perm="records.view")

        # the budget card on the community page (the registry does not import us)
        from chumchon.communities import panels as community_panels

        from .panels import community_panel

        community_panels.register(community_panel)
