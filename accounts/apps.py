from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .lockout import clear_own_failures
        from .middleware import on_user_logged_in
        from .two_factor import on_user_logged_in as owe_second_step

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.stamp_sign_in")
        user_logged_in.connect(clear_own_failures, dispatch_uid="accounts.clear_own_failures")
        user_logged_in.connect(owe_second_step, dispatch_uid="accounts.owe_second_step")
