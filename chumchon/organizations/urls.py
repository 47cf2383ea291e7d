from django.urls import path

from . import views

urlpatterns = [
    path("areas/", views.AreaListView.as_view(), name="area-list"),
    path("areas/<str:code>/", views.AreaDetailView.as_view(), name="area-detail"),
    path(
        "areas/<str:code>/attachments/",
        views.AreaAttachmentAddView.as_view(),
        name="area-attachment-add",
    ),
    path("areas/<str:code>/export/", views.AreaExportView.as_view(), name="area-export"),
    path(
        "areas/<str:code>/factsheet.pdf", views.AreaFactSheetView.as_view(), name="area-factsheet"
    ),
]
