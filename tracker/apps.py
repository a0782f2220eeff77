from django.apps import AppConfig


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Developmental skills tracker"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
