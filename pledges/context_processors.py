from .models.position import roles_of


def roles(request):
    """The signed-in user's roles, for the top bar and the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"roles": roles_of(user)}
