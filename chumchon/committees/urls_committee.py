"""A community's committee, the forms on its terms, and the city-wide status of committees."""

from django.urls import path

from . import views_committee as views

urlpatterns = [
    path(
        "communities/<int:pk>/committee/",
        views.CommitteeDetailView.as_view(),
        name="committee-detail",
    ),
    path("committees/mine/", views.MyCommitteeView.as_view(), name="committee-mine"),
    path("committees/status/", views.CommitteeStatusView.as_view(), name="committee-status"),
    path(
        "committee-terms/<int:pk>/end-early/",
        views.TermEndEarlyView.as_view(),
        name="term-end-early",
    ),
    path(
        "committee-terms/<int:pk>/fill-vacancy/",
        views.FillVacancyView.as_view(),
        name="committee-fill-vacancy",
    ),
    path(
        "committee-terms/<int:pk>/positions/add/",
        views.PositionAssignView.as_view(),
        name="committee-position-assign",
    ),
    path(
        "committee-terms/<int:pk>/advisers/add/",
        views.AdviserAddView.as_view(),
        name="committee-adviser-add",
    ),
    path(
        "committee-terms/<int:pk>/working-groups/add/",
        views.WorkingGroupAddView.as_view(),
        name="committee-working-group-add",
    ),
    path(
        "committee-terms/<int:pk>/reports/add/",
        views.ReportAddView.as_view(),
        name="committee-report-add",
    ),
    path(
        "committee-members/<int:pk>/end/",
        views.MemberEndView.as_view(),
        name="committee-member-end",
    ),
    path(
        "committee-members/<int:pk>/grant-role/",
        views.GrantRoleView.as_view(),
        name="committee-grant-role",
    ),
    path(
        "committee-positions/<int:pk>/end/",
        views.PositionEndView.as_view(),
        name="committee-position-end",
    ),
    path(
        "committee-advisers/<int:pk>/end/",
        views.AdviserEndView.as_view(),
        name="committee-adviser-end",
    ),
    path(
        "committee-working-groups/<int:pk>/members/add/",
        views.WorkingGroupMemberAddView.as_view(),
        name="committee-working-group-member-add",
    ),
    path(
        "committee-working-groups/<int:pk>/end/",
        views.WorkingGroupEndView.as_view(),
        name="committee-working-group-end",
    ),
]
