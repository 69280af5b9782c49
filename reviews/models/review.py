"""Self-evaluations, leader reviews, rectification items and suggestion letters."""

from django.db import models  # noqa: F401

__all__: list[str] = []
