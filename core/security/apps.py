from django.apps import AppConfig


class SecurityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core.security"
    label = "security"
    verbose_name = "安全"

    def ready(self) -> None:
        # The receivers (logins, failures, lockouts, logouts) need the models, which are only
        # importable once the registry is ready: importing the module connects them.
        from . import signals  # noqa: F401
