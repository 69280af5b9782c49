"""core's models live with the toolkit that owns them; Django finds them through this module."""

# Imported for their side effects: the login receiver and the channels' system check.
from .cache_versions import CacheEpoch
from .exports.models import ExportJob
from .notifications import checks, receivers  # noqa: F401
from .notifications.models import Delivery, Digest, Notification, OutboxMessage, Preference

__all__ = [
    "CacheEpoch",
    "Delivery",
    "Digest",
    "ExportJob",
    "Notification",
    "OutboxMessage",
    "Preference",
]
