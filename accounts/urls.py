from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import kept, two_factor, views
from .forms import EmailAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("email/", views.email_change, name="email_change"),
    path("kept/", kept.kept_forms, name="kept_forms"),
    path("kept/<int:kept_id>/discard/", kept.discard, name="kept_discard"),
    path("still-here/", kept.keepalive, name="keepalive"),
    path("two-factor/", two_factor.manage, name="two_factor"),
    path("two-factor/set-up/", two_factor.setup, name="two_factor_setup"),
    path("two-factor/verify/", two_factor.verify_view, name="two_factor_verify"),
    path("two-factor/recovery-codes/", two_factor.renew_codes, name="two_factor_codes"),
    path("two-factor/turn-off/", two_factor.disable, name="two_factor_disable"),
    path("email/confirm/resend/", views.verify_resend, name="verify_resend"),
    path("email/confirm/<str:token>/", views.verify_email, name="verify_email"),
    path("email/undo/<str:token>/", views.email_undo, name="email_undo"),
    path("delete/", views.delete_account, name="delete_account"),
    path(
        "password/change/",
        views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
