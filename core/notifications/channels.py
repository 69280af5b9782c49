"""Delivery channels beyond the in-app inbox, chosen by `settings.NOTIFICATION_CHANNELS`.

A channel looks up the addresses of a whole batch of recipients at once (never one query per
row), then sends each message and reports which failed. A recipient it has no address for is
"skipped": the notification stays in the app and counts as not delivered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.links import site_url

from .models import Notification

# What a send may raise that means "this message failed, try it again later". Anything else
# (a bug, a task's time limit) is not swallowed.
SEND_ERRORS = (OSError, ValueError, smtplib.SMTPException)


@dataclass(frozen=True)
class Message:
    notification: Notification
    address: str
    # A daily digest: the notification is its unsaved cover, these are the events it gathers.
    items: tuple[Notification, ...] = ()


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
        return f"{site_url()}{notification.link}"

    @classmethod
    def plain_text(cls, message: Message) -> str:
        """Title, body and absolute link; a digest lists each event with its own link."""
        n = message.notification
        lines = [n.title]
        if n.body:
            lines.append(n.body)
        for item in message.items:
            lines.append(" ".join(part for part in ("·", item.title, cls.full_link(item)) if part))
        if cls.full_link(n):
            lines.append(cls.full_link(n))
        return "\n".join(lines)


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

    def _text(self, message: Message) -> str:
        n = message.notification
        blocks = [n.title]
        if n.body:
            blocks.append(n.body)
        if message.items:
            blocks.append(
                "\n".join(
                    f"· {item.title}" + (f"\n  {self.full_link(item)}" if item.link else "")
                    for item in message.items
                )
            )
        if n.link:
            blocks.append(self.full_link(n))
        preferences = reverse("notifications:preferences")
        blocks.append("--\n" + _("通知方式可在此修改：") + f"{site_url()}{preferences}")
        return "\n\n".join(blocks) + "\n"

    def _message(self, message: Message, connection) -> EmailMultiAlternatives:
        n = message.notification
        context = {
            "notification": n,
            "link": self.full_link(n),
            "items": [(item, self.full_link(item)) for item in message.items],
            "site_url": site_url(),
        }
        email = EmailMultiAlternatives(
            subject=n.title,
            body=self._text(message),
            to=[message.address],
            connection=connection,
        )
        email.attach_alternative(
            render_to_string("core/notifications_email.html", context), "text/html"
        )
        return email


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


class Robot(Channel):
    """A chat group's robot (企业微信 / 钉钉): posts `{"msgtype": "text", ...}` to its webhook.

    The group is the address: every recipient is reached there, named in the text, so the
    committee decides by configuring it which news goes to its group chat.
    """

    TIMEOUT_SECONDS = 10
    setting = ""

    def __init__(self) -> None:
        self.url = getattr(settings, self.setting, "")
        if not self.url:
            raise ImproperlyConfigured(f"The {self.name} channel needs {self.setting}")

    @property
    def no_address(self) -> str:
        return _("没有账号")

    def addresses(self, users: Sequence) -> dict[int, str]:
        return {u.pk: (u.get_full_name() or u.get_username()) for u in users}

    def webhook(self) -> str:
        return self.url

    def payload(self, message: Message) -> dict:
        return {
            "msgtype": "text",
            "text": {"content": f"{message.address}：{self.plain_text(message)}"},
        }

    def send(self, messages: Sequence[Message]) -> dict[int, str]:
        failed: dict[int, str] = {}
        for message in messages:
            try:
                self._post(message)
            except SEND_ERRORS as e:
                failed[message.notification.pk] = str(e) or type(e).__name__
        return failed

    def _post(self, message: Message) -> None:
        data = json.dumps(self.payload(message), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        request = Request(self.webhook(), data=data, headers=headers, method="POST")
        # urlopen raises HTTPError (an OSError) for any status >= 400.
        with urlopen(request, timeout=self.TIMEOUT_SECONDS) as response:
            reply = response.read()
        # Both robots answer 200 with {"errcode": 0} on success, a non-zero code otherwise.
        try:
            code = json.loads(reply or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            code = 0
        if code:
            raise ValueError(f"{self.name} errcode {code}")


class WeCom(Robot):
    """企业微信群机器人, `WECOM_WEBHOOK_URL` (…/cgi-bin/webhook/send?key=…)."""

    name = "wecom"
    setting = "WECOM_WEBHOOK_URL"

    @property
    def label(self) -> str:
        return _("企业微信")


class DingTalk(Robot):
    """钉钉群机器人, `DINGTALK_WEBHOOK_URL` (…/robot/send?access_token=…); with
    `DINGTALK_SECRET` each post is signed: timestamp (ms) and the base64 HMAC-SHA256 of
    "timestamp\nsecret" keyed by the secret, both as query parameters."""

    name = "dingtalk"
    setting = "DINGTALK_WEBHOOK_URL"

    @property
    def label(self) -> str:
        return _("钉钉")

    def webhook(self) -> str:
        secret = getattr(settings, "DINGTALK_SECRET", "")
        if not secret:
            return self.url
        timestamp = str(round(time.time() * 1000))
        sign = signature(timestamp, secret)
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}timestamp={timestamp}&sign={quote_plus(sign)}"


def signature(timestamp: str, secret: str) -> str:
    """DingTalk's signature of a post: base64(HMAC-SHA256(secret, "timestamp\nsecret"))."""
    digest = hmac.new(
        secret.encode(), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def configured(paths: Iterable[str] | None = None) -> list[Channel]:
    """The channels named in settings, in order; each name at most once."""
    channels: list[Channel] = []
    for path in settings.NOTIFICATION_CHANNELS if paths is None else paths:
        channel = import_string(path)()
        if any(c.name == channel.name for c in channels):
            raise ImproperlyConfigured(f"Two notification channels are named {channel.name!r}")
        channels.append(channel)
    return channels
