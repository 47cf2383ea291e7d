from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoodbankConfig(AppConfig):
    name = "chumchon.foodbank"
    label = "foodbank"
    verbose_name = _("BKK Food Bank")

    def ready(self) -> None:
        from chumchon.accounts.scoping import register_scoped

        from .models import Distribution, Donor, SurplusDonation

        # photos and delivery notes attached to donations and distributions
        register_scoped(Donor, path_field="area__path", view_perm="foodbank.view")
        register_scoped(SurplusDonation, path_field="district__path", view_perm="foodbank.view")
        register_scoped(Distribution, path_field="district__path", view_perm="foodbank.view")
