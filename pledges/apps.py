from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("承诺践诺")

    def ready(self) -> None:
        # The service imports models, which can only be imported once the registry is ready.
        from . import counts
        from .services.office import office_group_ensure

        post_migrate.connect(office_group_ensure, sender=self)
        counts.connect()
