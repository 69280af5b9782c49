from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = _("公开公示")

    def ready(self) -> None:
        # Imported here because models are only ready now; they only register hooks.
        from pledges import demo as pledges_demo
        from reviews.selectors.dashboard import register_figures

        from . import demo, notifications, signals
        from .selectors import opinion as opinion_selectors

        signals.connect()
        notifications.connect()
        pledges_demo.register(self, demo)
        register_figures(opinion_selectors.dashboard_figures)
