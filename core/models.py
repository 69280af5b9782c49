"""core's models live with the toolkit that owns them; Django finds them through this module."""

from .notifications import receivers  # noqa: F401  (connects the login receiver)
from .notifications.models import Delivery, Notification

__all__ = ["Delivery", "Notification"]
