from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("三评")

    def ready(self) -> None:
        # The rules import models, which can only be imported once the registry is ready.
        from core.notifications import reminders
        from pledges import demo as pledges_demo

        from . import demo, exports, notifications, tallies  # noqa: F401  (exports registers its kinds)
        from .services.reminders import RULES

        for kind, rule in RULES.items():
            reminders.register(kind, rule)
        pledges_demo.register(self, demo)
        # The dashboard's and the office's figures: counter rows kept by every write.
        tallies.connect()
        notifications.connect()
