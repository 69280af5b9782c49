"""The embedded mode's mail: kept in the database, readable on /notifications/outbox/ and in
the admin, so a newcomer running `make run` sees every message that would have left."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend

from .models import TITLE_MAX, OutboxMessage


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        rows = []
        for message in email_messages:
            html = next(
                (
                    content
                    for content, mime in getattr(message, "alternatives", ())
                    if mime == "text/html"
                ),
                "",
            )
            rows.append(
                OutboxMessage(
                    to=", ".join(message.recipients())[:500],
                    subject=str(message.subject)[:TITLE_MAX],
                    body=str(message.body),
                    html=str(html),
                )
            )
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)
