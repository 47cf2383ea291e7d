"""Pages of the budget module: programmes, allocations, transfers and closing."""

from django.urls import path

from . import views_programmes as views

P = "budgets/programmes/<int:pk>/"

urlpatterns = [
    path("budgets/", views.ProgrammeListView.as_view(), name="budget-programme-list"),
    path(
        "budgets/programmes/new/",
        views.ProgrammeCreateView.as_view(),
        name="budget-programme-create",
    ),
    path(P, views.ProgrammeDetailView.as_view(), name="budget-programme-detail"),
    path(P + "edit/", views.ProgrammeEditView.as_view(), name="budget-programme-edit"),
    path(P + "allocate/", views.ProgrammeAllocateView.as_view(), name="budget-programme-allocate"),
    path(P + "drop/", views.ProgrammeDropView.as_view(), name="budget-programme-drop"),
    path(P + "close/", views.ProgrammeCloseView.as_view(), name="budget-programme-close"),
    path(P + "allocations/", views.AllocationListView.as_view(), name="budget-allocation-list"),
    path(P + "transfers/new/", views.TransferCreateView.as_view(), name="budget-transfer-create"),
    path(P + "categories/", views.CategoryAddView.as_view(), name="budget-category-add"),
    path(
        P + "categories/<int:item>/remove/",
        views.CategoryRemoveView.as_view(),
        name="budget-category-remove",
    ),
    path(P + "refused/", views.RefusedAddView.as_view(), name="budget-refused-add"),
    path(
        P + "refused/<int:item>/remove/",
        views.RefusedRemoveView.as_view(),
        name="budget-refused-remove",
    ),
    path(
        "budgets/transfers/<int:pk>/",
        views.TransferDetailView.as_view(),
        name="budget-transfer-detail",
    ),
]
