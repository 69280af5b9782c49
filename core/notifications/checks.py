"""A deployment that names a channel it cannot build hears it at start-up, not at 9 a.m. on the
20th when the reminders go out."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .channels import configured


@register()
def notification_channels(app_configs, **kwargs) -> list[Error]:
    try:
        configured()
    except (ImproperlyConfigured, ImportError) as e:
        return [Error(f"NOTIFICATION_CHANNELS: {e}", id="core.E001")]
    return []
