from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("三评")

    def ready(self) -> None:
        # The rules import models, which can only be imported once the registry is ready.
        from core.notifications import reminders
        from pledges import demo as pledges_demo
        from pledges.rules import calendar as calendar_rules

        from . import demo, exports, notifications, tallies  # noqa: F401  (exports registers its kinds)
        from .rules.calendar import reviews_under_way
        from .selectors.dashboard import register_figures
        from .selectors.inspection import overdue_notice_figures
        from .services.reminders import RULES

        for kind, rule in RULES.items():
            reminders.register(kind, rule)
        pledges_demo.register(self, demo)
        # The dashboard's and the office's figures: counter rows kept by every write.
        tallies.connect()
        notifications.connect()
        # Overdue 整改通知书 on the dashboard: its own small query, beside the counters.
        register_figures(overdue_notice_figures)
        # A year with reports, reviews or evaluations keeps its calendar (pledges.rules.calendar).
        calendar_rules.register_usage(reviews_under_way)
