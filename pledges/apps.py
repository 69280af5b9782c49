from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("承诺践诺")

    def ready(self) -> None:
        # The service imports models, which can only be imported once the registry is ready.
        from core.notifications import reminders
        from core.security import scopes

        from . import exports, notifications, tallies  # noqa: F401  (exports registers its kinds)
        from .rules import calendar as calendar_rules
        from .selectors import security_log
        from .services.office import office_group_ensure
        from .services.reminders import RULES

        post_migrate.connect(office_group_ensure, sender=self)
        scopes.register(scopes=security_log.office_paths, user_path=security_log.user_path)
        for kind, rule in RULES.items():
            reminders.register(kind, rule)
        tallies.connect()
        notifications.connect()
        calendar_rules.register_usage(calendar_rules.pledges_under_way)
