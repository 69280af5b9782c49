class TransitionError(Exception):
    """A move the state or content does not allow; the message is shown to the user."""
