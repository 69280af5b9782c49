"""Who writes a subject's 自查自评."""

from __future__ import annotations

from ..models import (
    Subject,
)
from .subject import acts_for_subject


def can_write_self_evaluation(user, subject: Subject) -> bool:
    return acts_for_subject(user, subject)
