"""A tiny fake domain for the notification tests: channels and a phone book plugged in by
settings, as the real domain will plug in its own."""

from __future__ import annotations

from collections.abc import Sequence

from core.notifications.channels import Channel, Message

PHONES: dict[int, str] = {}


def phone_lookup(user_ids: list[int]) -> dict[int, str]:
    return {pk: PHONES[pk] for pk in user_ids if pk in PHONES}


class Recorder(Channel):
    """Delivers to anyone whose username it knows; remembers every message it sent."""

    name = "recorder"
    label = "记录"
    no_address = "没有登记"
    sent: list[tuple[int, str]] = []
    failing: set[str] = set()

    def addresses(self, users: Sequence) -> dict[int, str]:
        return {u.pk: u.username for u in users}

    def send(self, messages: Sequence[Message]) -> dict[int, str]:
        failed = {}
        for m in messages:
            if m.address in self.failing:
                failed[m.notification.pk] = "网关拒绝"
            else:
                type(self).sent.append((m.notification.pk, m.address))
        return failed


class Exploding(Channel):
    """A channel whose send dies half-way (a bug, a killed worker): its claims stay behind."""

    name = "exploding"

    def addresses(self, users: Sequence) -> dict[int, str]:
        return {u.pk: u.username for u in users}

    def send(self, messages: Sequence[Message]) -> dict[int, str]:
        raise RuntimeError("worker died")
