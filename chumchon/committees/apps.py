from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "chumchon.committees"
    label = "committees"
    verbose_name = _("Community committees")

    def ready(self) -> None:
        from chumchon.accounts.scoping import register_scoped

        from .models import CommitteeReport, CommitteeTerm, Election

        path = "community__area__path"
        register_scoped(Election, path_field=path, view_perm="records.view")
        register_scoped(CommitteeTerm, path_field=path, view_perm="records.view")
        # the community's own committee reads its reports' files too
        register_scoped(
            CommitteeReport,
            path_field="term__community__area__path",
            view_perm=("records.view", "community.view_own"),
        )

        # the committee's card on the community page (the registry does not import us)
        from chumchon.communities import panels

        from .views_committee import community_panel

        panels.register(community_panel)
