from django.contrib.admin.apps import AdminConfig


class ChumchonAdminConfig(AdminConfig):
    default_site = "chumchon.core.admin_site.ChumchonAdminSite"
