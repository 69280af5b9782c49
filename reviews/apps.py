from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("三评")

    def ready(self) -> None:
        # The rules import models, which can only be imported once the registry is ready.
        from core.notifications import reminders
        from pledges import counts
        from pledges import demo as pledges_demo
        from pledges.rules import calendar as calendar_rules

        from . import demo, exports, notifications  # noqa: F401  (exports registers its export kinds)
        from .models import MassEvaluation, RectificationItem, Review, SelfEvaluation
        from .rules.calendar import reviews_under_way
        from .selectors.dashboard import register_figures
        from .selectors.inspection import overdue_notice_figures
        from .selectors.tags import row_tags
        from .services.reminders import RULES

        for kind, rule in RULES.items():
            reminders.register(kind, rule)
        pledges_demo.register(self, demo)
        # The coverage dashboard's figures are cached until one of these changes under its
        # root. A response counts only once its evaluation has ended, which saves the
        # evaluation.
        for model in (Review, SelfEvaluation, RectificationItem, MassEvaluation):
            counts.watch(model, "organization", row_tags)
        notifications.connect()
        # Overdue 整改通知书 on the dashboard: its own small query, beside the cached counts.
        register_figures(overdue_notice_figures)
        # A year with reports, reviews or evaluations keeps its calendar (pledges.rules.calendar).
        calendar_rules.register_usage(reviews_under_way)
