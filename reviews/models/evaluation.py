"""Mass evaluations (codes, responses) and the annual assessment."""

from django.db import models  # noqa: F401

__all__: list[str] = []
