import pytest
from django.core.cache import cache

from core.notifications import preferences
from core.notifications.services import NotificationItem
from tests.core.notifications import fakes
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _notification_settings(settings, monkeypatch):
    # Every channel immediate unless a test takes the digest (the project's default for email
    # is the digest: test_digest.py covers it).
    monkeypatch.setattr(preferences, "DEFAULT_DIGEST", frozenset())
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Email"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://pledges.example.cn"
    fakes.Recorder.sent = []
    fakes.Recorder.failing = set()
    fakes.PHONES.clear()
    # Cached unread counts are keyed by user id, and ids repeat from one test to the next.
    cache.clear()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.cn")


@pytest.fixture
def bob(db):
    """No email address: reachable in the app only."""
    return UserFactory(username="bob", email="")


@pytest.fixture
def make_item():
    def make(user, subject="pledge:1", *, kind="monthly_progress", period="2026-11", **kw):
        kw.setdefault("title", "本月尚未记实")
        kw.setdefault("body", "请记录本月践诺情况。")
        kw.setdefault("link", f"/pledges/{subject.split(':')[-1]}/")
        return NotificationItem(
            recipient_id=user.pk, kind=kind, subject_key=subject, period=period, **kw
        )

    return make
