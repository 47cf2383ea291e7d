"""Routes: setting funds up (the list, a fund's overview and rules, its chart of accounts,
members and committee)."""

from django.urls import path

from . import views_setup as views

F = "funds/<int:pk>/"

urlpatterns = [
    path("funds/", views.FundListView.as_view(), name="fund-list"),
    path("funds/new/", views.FundCreateView.as_view(), name="fund-create"),
    path(F, views.FundDetailView.as_view(), name="fund-detail"),
    path(F + "edit/", views.FundEditView.as_view(), name="fund-edit"),
    path(F + "accounts/", views.FundAccountsView.as_view(), name="fund-accounts"),
    path(F + "members/", views.FundMembersView.as_view(), name="fund-members"),
    path(F + "members/<int:member_pk>/", views.FundMemberView.as_view(), name="fund-member"),
    path(
        F + "members/<int:member_pk>/leave/",
        views.FundMemberLeaveView.as_view(),
        name="fund-member-leave",
    ),
    path(F + "committee/", views.FundCommitteeView.as_view(), name="fund-committee"),
    path(
        F + "committee/<int:officer_pk>/end/",
        views.FundOfficerEndView.as_view(),
        name="fund-officer-end",
    ),
    path(
        F + "committee/<int:officer_pk>/grant/",
        views.FundOfficerGrantView.as_view(),
        name="fund-officer-grant",
    ),
]
