from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared, non-domain helpers: errors, file checks, xlsx writing, form tokens, row locks,
    dates, the access helper. Imports no domain app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "core"

    def ready(self) -> None:
        # Registers core's own event kind (an export finished), as the apps register theirs.
        from . import request_memo
        from .exports import notifications

        notifications.connect()
        request_memo.connect()
