"""Signal receivers, connected when core's models load."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .selectors import remember_unread_count


@receiver(user_logged_in, dispatch_uid="core.notifications.remember_unread_count")
def remember_unread_count_at_login(sender, request, user, **kwargs) -> None:
    # One query at login instead of one on the first page: the bell is then free everywhere.
    remember_unread_count(user)
