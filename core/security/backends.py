from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no request.

    Every login over the web (the login page, admin) passes its request, so it is checked;
    `authenticate()` called by code without one (a management command, a test) has no address
    to lock and is not a login attempt anyone could repeat from outside.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
