from .once import new_token
from .permissions import roles_of


def roles(request):
    """The signed-in user's roles, for the top bar and the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"roles": roles_of(user)}


def form_token(request):
    """`{{ form_token }}` gives every form rendered on a page its own one-time token."""
    return {"form_token": new_token}
