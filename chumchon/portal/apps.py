from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The UI shell (layer 1, above accounts and organizations): home page per role, and the
    pages of the core records that need scoping: audit log, reveal log, jobs, attachments."""

    name = "chumchon.portal"
    label = "portal"
    verbose_name = _("Portal")
