from django.urls import path

from . import views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/verify/", views.OtpVerifyView.as_view(), name="otp-verify"),
    path("accounts/otp/enrol/", views.OtpEnrolView.as_view(), name="otp-enrol"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/tokens/new/", views.ApiTokenCreateView.as_view(), name="token-create"),
    path(
        "profile/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token-revoke"
    ),
    path("profile/backup-codes/", views.BackupCodesView.as_view(), name="backup-codes"),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/<int:pk>/otp-reset/", views.UserOtpResetView.as_view(), name="user-otp-reset"),
]
