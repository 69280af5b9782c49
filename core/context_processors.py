from .once import new_token


def form_token(request):
    """`{{ form_token }}` gives every form rendered on a page its own one-time token."""
    return {"form_token": new_token}
