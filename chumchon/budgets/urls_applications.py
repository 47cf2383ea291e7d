"""Pages of the budget module: the allocation page, applications and the work queue."""

from django.urls import path

from . import views_applications as views

urlpatterns = [
    path("budgets/queue/", views.QueueView.as_view(), name="budget-queue"),
    path(
        "budgets/allocations/<int:pk>/",
        views.AllocationDetailView.as_view(),
        name="budget-allocation-detail",
    ),
    path(
        "budgets/allocations/<int:pk>/application/",
        views.ApplicationEditView.as_view(),
        name="budget-application-edit",
    ),
    path(
        "budgets/applications/<int:pk>/submit/",
        views.ApplicationSubmitView.as_view(),
        name="budget-application-submit",
    ),
    path(
        "budgets/applications/<int:pk>/review/",
        views.ApplicationReviewView.as_view(),
        name="budget-application-review",
    ),
    path(
        "budgets/applications/<int:pk>/approve/",
        views.ApplicationApproveView.as_view(),
        name="budget-application-approve",
    ),
    path(
        "budgets/applications/<int:pk>/return/",
        views.ApplicationReturnView.as_view(),
        name="budget-application-return",
    ),
    path(
        "budgets/applications/<int:pk>/attachments/",
        views.ApplicationAttachView.as_view(),
        name="budget-application-attach",
    ),
]
