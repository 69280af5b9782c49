"""Reminder rules: the domain registers them, the beat's tasks and `send_reminders` run them.

A rule is a function of a day (Asia/Shanghai) returning the notification items due that day,
all of the rule's own kind; on days it does not fire it returns none. Rules fire over a window
of days rather than on one day, so a beat that missed a day catches up the next, and the
unique (recipient, kind, subject, period) constraint keeps every reminder to one. Core never
imports a domain app: each app registers its rules in its AppConfig.ready().
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from celery import shared_task
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sending
from .models import Notification
from .services import NotificationItem

Rule = Callable[[datetime.date], Iterable[NotificationItem]]

_RULES: dict[str, Rule] = {}


def register(kind: str, rule: Rule) -> None:
    """Make `rule` the one rule of `kind`; registering it again (a reloaded app) is harmless."""
    if _RULES.get(kind, rule) is not rule:
        raise ImproperlyConfigured(f"Two reminder rules are registered for {kind!r}")
    _RULES[kind] = rule


def kinds() -> list[str]:
    return sorted(_RULES)


def reminders_due(*, kind: str, day: datetime.date) -> list[NotificationItem]:
    """What the rule of `kind` says is due on `day` (before any is stored)."""
    try:
        rule = _RULES[kind]
    except KeyError:
        raise LookupError(f"no reminder rule {kind!r}") from None
    items = list(rule(day))
    wrong = {item.kind for item in items} - {kind}
    if wrong:
        raise ValueError(f"the rule {kind!r} returned items of kind {sorted(wrong)}")
    return items


@dataclass(frozen=True)
class DryRun:
    """What a run would do: how many reminders are due and how many of those are new."""

    due: int
    new: int

    def lines(self) -> list[str]:
        return [
            _("试运行：应提醒 %(due)d 条，其中新建 %(new)d 条，已存在 %(old)d 条（未写入、未发送）")
            % {"due": self.due, "new": self.new, "old": self.due - self.new}
        ]


def stored_keys(items: list[NotificationItem]) -> set[tuple[int, str, str, str]]:
    """The keys of these items already stored, whatever their age: one query per 400
    periods (a rule's run is usually one period)."""
    kinds = sorted({item.kind for item in items})
    periods = sorted({item.period for item in items})
    wanted = {item.key for item in items}
    keys: set[tuple[int, str, str, str]] = set()
    for start in range(0, len(periods), 400):
        rows = Notification.objects.filter(
            kind__in=kinds, period__in=periods[start : start + 400]
        ).values_list("recipient_id", "kind", "subject_key", "period")
        keys.update(key for key in rows.iterator(chunk_size=5000) if key in wanted)
    return keys


def reminders_dry_run(*, kind: str, day: datetime.date) -> DryRun:
    items = reminders_due(kind=kind, day=day)
    stored = stored_keys(items)
    keys = {item.key for item in items}
    return DryRun(due=len(keys), new=len(keys - stored))


def reminders_send(*, kind: str, day: datetime.date) -> sending.SendReport:
    """Store the reminders of `kind` due on `day` that are not there yet and deliver them
    (in this process: a command, or a task already in a worker)."""
    return sending.notifications_send(items=reminders_due(kind=kind, day=day))


TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def send_reminders(kind: str, day: str | None = None) -> int:
    """The beat's task: one rule for one day (today in Asia/Shanghai unless given). Safe to run
    twice or twice at once: the unique constraint and the delivery claims stop repeats."""
    date = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return reminders_send(kind=kind, day=date).created
