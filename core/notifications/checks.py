"""A deployment that names a channel it cannot build hears it at start-up, not at 9 a.m. on the
20th when the reminders go out."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .channels import configured


@register()
def notification_channels(app_configs, **kwargs) -> list[Error]:
    try:
        configured()
    except (ImproperlyConfigured, ImportError) as e:
        return [Error(f"NOTIFICATION_CHANNELS: {e}", id="core.E001")]
    return []


@register(deploy=True)
def site_url(app_configs, **kwargs) -> list[Warning]:
    """Links in email and chat messages are made from SITE_URL: the embedded default points at
    the newcomer's own machine, useless to anyone else."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host in ("", "127.0.0.1", "localhost"):
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: links in messages will not work",
                hint="Set SITE_URL to the site's public address, e.g. https://pledges.example.cn",
                id="core.W002",
            )
        ]
    return []
