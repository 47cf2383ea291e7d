from django.contrib import admin
from django.urls import include, path

from .api import api

handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"

urlpatterns = [
    path("", include("chumchon.portal.urls")),
    path("", include("chumchon.accounts.urls")),
    path("", include("chumchon.organizations.urls")),
    path("", include("chumchon.communities.urls")),
    path("", include("chumchon.committees.urls")),
    path("", include("chumchon.budgets.urls")),
    path("", include("chumchon.funds.urls")),
    path("", include("chumchon.foodbank.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
