from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("承诺践诺")

    def ready(self) -> None:
        # Models can only be imported once the registry is ready, hence here.
        from django.db.models.signals import post_migrate

        from .office_admin import ensure_office_group

        post_migrate.connect(ensure_office_group, sender=self)
