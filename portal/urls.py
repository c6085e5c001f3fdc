"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from portal import views
from portal.forms import EmailLoginForm

accounts_patterns = (
    [
        path("users/", views.users, name="users"),
        path("users/<int:pk>/toggle-active/", views.user_toggle_active, name="toggle_active"),
        path("invite/", views.invite, name="invite"),
        path(
            "invite/<uidb64>/<token>/",
            views.InviteAcceptView.as_view(),
            name="invite_accept",
        ),
    ],
    "accounts",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path(
        "accounts/login/",
        views.LoginView.as_view(authentication_form=EmailLoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include(accounts_patterns)),
    path("reports/", views.reports, name="reports"),
    path("reports/selftest/", views.report_selftest, name="report_selftest"),
    path("reports/request/", views.report_request, name="report_request"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path(
        "reports/<int:pk>/download/spreadsheet/",
        views.report_download,
        {"part": "attachment"},
        name="report_download_spreadsheet",
    ),
    path("notifications/", include("notices.urls")),
    path("", include("desk.urls")),
    path("cases/", include("cases.urls")),
    path("partners/", include("partners.urls")),
    path("", include("guidance.urls")),
    path("", include("oversight.urls")),
    path("", include("support.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"

admin.site.site_header = "協働化支援ポータル 管理サイト"
admin.site.site_title = "協働化支援ポータル 管理"
admin.site.index_title = "管理"
