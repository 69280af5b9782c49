"""Delivery channels beyond the in-app inbox, chosen by `settings.NOTIFICATION_CHANNELS`.

A channel looks up the addresses of a whole batch of recipients at once (never one query per
row), then sends each message and reports which failed. A recipient it has no address for is
"skipped": the notification stays in the app and counts as not delivered.
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Notification

# What a send may raise that means "this message failed, try it again later". Anything else
# (a bug, a task's time limit) is not swallowed.
SEND_ERRORS = (OSError, ValueError, smtplib.SMTPException)


@dataclass(frozen=True)
class Message:
    notification: Notification
    address: str


class Channel:
    """Subclasses set `name` (stored on each Delivery) and implement `addresses` and `send`."""

    name = ""
    # For people: the channel's name in reports, and why a recipient was skipped.
    label = ""
    no_address = ""

    def addresses(self, users: Sequence) -> dict[int, str]:
        """user id → address, for the users of the batch who have one."""
        raise NotImplementedError

    def send(self, messages: Sequence[Message]) -> dict[int, str]:
        """Send every message; return notification id → error text for those that failed."""
        raise NotImplementedError

    @staticmethod
    def full_link(notification: Notification) -> str:
        if not notification.link:
            return ""
        return f"{settings.SITE_URL.rstrip('/')}{notification.link}"


class Email(Channel):
    """Django's mail (SMTP in production, the console when embedded), one connection a batch."""

    name = "email"

    @property
    def label(self) -> str:
        return _("邮件")

    @property
    def no_address(self) -> str:
        return _("没有邮箱地址")

    def addresses(self, users: Sequence) -> dict[int, str]:
        return {user.pk: user.email for user in users if user.email}

    def send(self, messages: Sequence[Message]) -> dict[int, str]:
        failed: dict[int, str] = {}
        connection = get_connection()
        try:
            connection.open()
        except SEND_ERRORS as e:
            return {m.notification.pk: str(e) or type(e).__name__ for m in messages}
        try:
            for message in messages:
                try:
                    self._message(message, connection).send()
                except SEND_ERRORS as e:
                    failed[message.notification.pk] = str(e) or type(e).__name__
        finally:
            connection.close()
        return failed

    def _message(self, message: Message, connection) -> EmailMessage:
        n = message.notification
        body = "\n\n".join(part for part in (n.body, self.full_link(n)) if part)
        return EmailMessage(subject=n.title, body=body, to=[message.address], connection=connection)


class Sms(Channel):
    """Posts `{"phone": ..., "text": ...}` as JSON to `settings.SMS_GATEWAY_URL`.

    Phones are found by `settings.NOTIFICATION_PHONE_LOOKUP`, the dotted path of a callable
    taking a list of user ids and returning {user id: phone}; the domain provides it, so core
    never imports a domain app.
    """

    name = "sms"
    TIMEOUT_SECONDS = 10

    def __init__(self) -> None:
        if not settings.SMS_GATEWAY_URL or not settings.NOTIFICATION_PHONE_LOOKUP:
            raise ImproperlyConfigured(
                "The SMS channel needs SMS_GATEWAY_URL and NOTIFICATION_PHONE_LOOKUP"
            )
        self.url = settings.SMS_GATEWAY_URL
        self.lookup = import_string(settings.NOTIFICATION_PHONE_LOOKUP)

    @property
    def label(self) -> str:
        return _("短信")

    @property
    def no_address(self) -> str:
        return _("没有手机号码")

    def addresses(self, users: Sequence) -> dict[int, str]:
        return {pk: phone for pk, phone in self.lookup([u.pk for u in users]).items() if phone}

    def send(self, messages: Sequence[Message]) -> dict[int, str]:
        failed: dict[int, str] = {}
        for message in messages:
            try:
                self._post(message)
            except SEND_ERRORS as e:
                failed[message.notification.pk] = str(e) or type(e).__name__
        return failed

    def _post(self, message: Message) -> None:
        n = message.notification
        text = " ".join(part for part in (n.title, self.full_link(n)) if part)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if settings.SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
        payload = json.dumps({"phone": message.address, "text": text}, ensure_ascii=False)
        request = Request(self.url, data=payload.encode(), headers=headers, method="POST")
        # urlopen raises HTTPError (an OSError) for any status >= 400.
        with urlopen(request, timeout=self.TIMEOUT_SECONDS) as response:
            response.read()


def configured(paths: Iterable[str] | None = None) -> list[Channel]:
    """The channels named in settings, in order; each name at most once."""
    channels: list[Channel] = []
    for path in settings.NOTIFICATION_CHANNELS if paths is None else paths:
        channel = import_string(path)()
        if any(c.name == channel.name for c in channels):
            raise ImproperlyConfigured(f"Two notification channels are named {channel.name!r}")
        channels.append(channel)
    return channels
