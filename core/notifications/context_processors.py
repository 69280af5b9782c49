from functools import partial

from .selectors import unread_count


def unread_notifications(request):
    """`{{ unread_notifications }}` for the bell: a callable, so the template pays only where it
    shows the bell, and the count itself comes from the cache (see selectors.unread_count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": partial(unread_count, user)}
