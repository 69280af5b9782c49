"""The embedded mode's mail is kept, text and HTML, for an admin to read."""

import importlib

from django.core.mail import EmailMultiAlternatives, get_connection

import config.settings as project_settings
from core.notifications.models import OutboxMessage


def test_it_keeps_each_message_with_its_html(db, settings):
    settings.EMAIL_BACKEND = "core.notifications.outbox.OutboxBackend"
    message = EmailMultiAlternatives(
        subject="承诺被退回", body="正文", to=["member@example.gov.cn"], connection=get_connection()
    )
    message.attach_alternative("<p>正文</p>", "text/html")
    assert message.send() == 1
    row = OutboxMessage.objects.get()
    assert (row.to, row.subject, row.body, row.html) == (
        "member@example.gov.cn",
        "承诺被退回",
        "正文",
        "<p>正文</p>",
    )


def test_it_is_the_embedded_default(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    assert importlib.reload(project_settings).EMAIL_BACKEND == (
        "core.notifications.outbox.OutboxBackend"
    )
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert importlib.reload(project_settings).EMAIL_BACKEND.endswith("console.EmailBackend")
    monkeypatch.delenv("REDIS_URL")
    importlib.reload(project_settings)
