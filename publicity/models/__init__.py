"""Models of publicity/, one module per sub-area: notice (公示 and their frozen items),
opinion (意见箱)."""

from .notice import DEFAULT_WINDOW_DAYS, INTRO_MAX, MAX_WINDOW_DAYS, NOTE_MAX, Notice, NoticeItem
from .opinion import CONTACT_MAX, NAME_MAX, OPINION_MAX, Opinion

__all__ = [
    "CONTACT_MAX",
    "DEFAULT_WINDOW_DAYS",
    "INTRO_MAX",
    "MAX_WINDOW_DAYS",
    "NAME_MAX",
    "NOTE_MAX",
    "Notice",
    "NoticeItem",
    "OPINION_MAX",
    "Opinion",
]
