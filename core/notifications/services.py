"""Every write to notifications and their deliveries goes through these functions."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.locks import lock_row

from . import preferences, selectors
from .channels import Channel, Message, configured
from .models import (
    BODY_MAX,
    ERROR_MAX,
    KIND_MAX,
    LINK_MAX,
    PERIOD_MAX,
    SUBJECT_MAX,
    TITLE_MAX,
    Delivery,
    Mode,
    Notification,
    Preference,
)

# PostgreSQL takes a thousand rows a statement easily; Django splits further for SQLite's
# 999-parameter limit (99 notifications a statement).
INSERT_BATCH = 1000
# How far back a run looks for its keys before inserting (a quarter's runs and their reruns).
SHORTCUT_WINDOW = datetime.timedelta(days=120)
# Notifications delivered per round of queries; also the size of a queued task's id list.
# Under 999 so an `id IN (...)` fits SQLite's parameter limit.
DELIVER_BATCH = 500
# A failed delivery is tried again by later runs, at most this many times in all.
MAX_ATTEMPTS = 5
# A claim older than this belongs to a run that died (longer than any task may run).
STALE_CLAIM = datetime.timedelta(minutes=30)
# Later runs retry what is at most this old; older failures stay in the app only, so turning
# a channel on does not send the whole history.
RETRY_WINDOW = datetime.timedelta(days=7)

Outcome = dict[str, dict[str, int]]  # {channel: {status: count}}


@dataclass(frozen=True)
class NotificationItem:
    """What the domain asks for: one notification for one recipient."""

    recipient_id: int
    kind: str
    subject_key: str
    period: str
    title: str
    body: str = ""
    link: str = ""

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.recipient_id, self.kind, self.subject_key, self.period)


def _clean_text(value: str, limit: int) -> str:
    # PostgreSQL refuses NUL in text; a title built from a long pledge name is cut, not refused.
    value = value.replace("\x00", "")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _check(item: NotificationItem) -> None:
    """The keys and the link come from domain code, not from a user: a bad one is a bug."""
    for name, value, limit in (
        ("kind", item.kind, KIND_MAX),
        ("subject_key", item.subject_key, SUBJECT_MAX),
        ("period", item.period, PERIOD_MAX),
    ):
        if len(value) > limit or "\x00" in value or (name != "period" and not value):
            raise ValueError(f"notification {name} {value!r} is empty or too long")
    if not item.title.strip():
        raise ValueError("a notification needs a title")
    link = item.link
    if link and (
        not link.startswith("/")
        or link.startswith("//")
        or len(link) > LINK_MAX
        or any(c.isspace() or ord(c) < 32 or c == "\\" for c in link)
    ):
        raise ValueError(f"notification link {link!r} is not a path on this site")


@transaction.atomic
def notifications_create_many(*, items: Iterable[NotificationItem]) -> list[Notification]:
    """Insert the notifications not there yet; return only the new ones, oldest id first.

    One INSERT per batch that ignores rows the unique constraint already holds (so a second
    run, or a concurrent one, inserts nothing twice), then one SELECT of the rows carrying this
    run's token. The unique index is the lock: a concurrent insert of the same key waits for
    ours to commit, then skips it.
    """
    token = uuid.uuid4()
    now = timezone.now()
    items = list(items)
    for item in items:
        _check(item)
    existing = _existing_keys(items)
    rows: dict[tuple, Notification] = {}
    for item in items:
        if item.key in rows or item.key in existing:
            continue
        rows[item.key] = Notification(
            recipient_id=item.recipient_id,
            kind=item.kind,
            subject_key=item.subject_key,
            period=item.period,
            title=_clean_text(item.title, TITLE_MAX),
            body=_clean_text(item.body, BODY_MAX),
            link=item.link,
            created_at=now,
            batch=token,
        )
    if not rows:
        return []
    Notification.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=INSERT_BATCH)
    created = list(Notification.objects.filter(batch=token).order_by("pk"))
    selectors.forget_unread_counts(n.recipient_id for n in created)
    return created


def _existing_keys(items: list[NotificationItem]) -> set[tuple[int, str, str, str]]:
    """Keys stored by recent runs, so a second run does not push every row through the insert.
    Only a shortcut (any subset of the stored keys is correct): the insert still ignores
    conflicts, for older rows and for a run that races this one."""
    since = timezone.now() - SHORTCUT_WINDOW
    kinds = sorted({item.kind for item in items})
    periods = sorted({item.period for item in items})
    keys: set[tuple[int, str, str, str]] = set()
    # A run is usually one kind for one period; a few hundred at most fit one IN list.
    for start in range(0, len(periods), 400):
        keys.update(
            Notification.objects.filter(
                kind__in=kinds, period__in=periods[start : start + 400], created_at__gte=since
            ).values_list("recipient_id", "kind", "subject_key", "period")
        )
    return keys


@transaction.atomic
def notification_mark_read(*, notification: Notification, by) -> Notification:
    lock_row(notification)
    if notification.recipient_id != by.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        selectors.forget_unread_counts([by.pk])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by, up_to: int | None = None) -> int:
    """Mark the user's unread notifications read; with `up_to`, only those up to that id (the
    newest the page showed), so one that arrived after the page was drawn stays unread."""
    unread = Notification.objects.filter(recipient=by, read_at__isnull=True)
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    # The UPDATE locks the rows it changes; there is no other row to lock.
    count = unread.update(read_at=timezone.now())
    if count:
        selectors.forget_unread_counts([by.pk])
    return count


def notifications_deliver(
    *, ids: Iterable[int], channels: Sequence[Channel] | None = None
) -> Outcome:
    """Deliver these notifications on every configured channel, each at most once per channel.

    Per batch: the notifications and their recipients in one query, each channel's addresses
    in one lookup, a claim (the Delivery rows, committed before anything is sent, so a
    concurrent run skips them), the sending, then the outcome written back. Deliberately not
    one transaction: a claim must be visible to other runs while its messages go out.
    Returns what this call did: {channel: {status: count}}.
    """
    channels = configured() if channels is None else list(channels)
    outcome: Outcome = {c.name: defaultdict(int) for c in channels}
    ids = sorted(set(ids))
    if not channels:
        return {}
    for start in range(0, len(ids), DELIVER_BATCH):
        chunk = ids[start : start + DELIVER_BATCH]
        notifications = list(Notification.objects.filter(pk__in=chunk).select_related("recipient"))
        users = list({n.recipient_id: n.recipient for n in notifications}.values())
        for channel in channels:
            _deliver_batch(channel, notifications, users, outcome[channel.name])
    return {name: dict(counts) for name, counts in outcome.items()}


def _deliver_batch(channel: Channel, notifications, users, counts: dict[str, int]) -> None:
    # Those who take this channel as a daily digest are left unclaimed: the digest takes them.
    held = preferences.digest_users(channel.name, [u.pk for u in users])
    notifications = [n for n in notifications if n.recipient_id not in held]
    if not notifications:
        return
    # Addresses first: if the lookup fails, nothing has been claimed yet.
    addresses = channel.addresses(users)
    token = uuid.uuid4()
    mine = _claim(ids=[n.pk for n in notifications], channel=channel.name, token=token)
    messages, skipped = [], []
    for n in notifications:
        if n.pk not in mine:
            continue
        if n.recipient_id in addresses:
            messages.append(Message(n, addresses[n.recipient_id]))
        else:
            skipped.append(n.pk)
    failed = channel.send(messages) if messages else {}
    delivered = [m.notification.pk for m in messages if m.notification.pk not in failed]
    _record(
        channel=channel.name,
        token=token,
        delivered=delivered,
        skipped=skipped,
        skip_reason=channel.no_address,
        failed=failed,
    )
    counts[Delivery.Status.DELIVERED] += len(delivered)
    counts[Delivery.Status.SKIPPED] += len(skipped)
    counts[Delivery.Status.FAILED] += len(failed)


@transaction.atomic
def _claim(*, ids: list[int], channel: str, token: uuid.UUID) -> set[int]:
    """Claim the deliveries nobody holds: new rows, failed ones with attempts left, and stale
    claims. Returns the notification ids this run now owns."""
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                notification_id=pk,
                channel=channel,
                status=Delivery.Status.SENDING,
                at=now,
                claim=token,
            )
            for pk in ids
        ],
        ignore_conflicts=True,
    )
    # The UPDATE locks each row it takes; a concurrent run waits, then finds it taken.
    retry = Q(status=Delivery.Status.FAILED, attempts__lt=MAX_ATTEMPTS) | Q(
        status=Delivery.Status.SENDING, at__lt=now - STALE_CLAIM
    )
    Delivery.objects.filter(notification_id__in=ids, channel=channel).filter(retry).update(
        status=Delivery.Status.SENDING, at=now, claim=token, attempts=F("attempts") + 1
    )
    return set(
        Delivery.objects.filter(notification_id__in=ids, channel=channel, claim=token).values_list(
            "notification_id", flat=True
        )
    )


@transaction.atomic
def _record(
    *,
    channel: str,
    token: uuid.UUID,
    delivered: list[int],
    skipped: list[int],
    skip_reason: str,
    failed: dict[int, str],
) -> None:
    """Write each claimed delivery's outcome: one UPDATE per outcome (and per error text)."""
    now = timezone.now()
    mine = Delivery.objects.filter(channel=channel, claim=token)
    if delivered:
        mine.filter(notification_id__in=delivered).update(
            status=Delivery.Status.DELIVERED, error="", at=now
        )
    if skipped:
        mine.filter(notification_id__in=skipped).update(
            status=Delivery.Status.SKIPPED, error=skip_reason[:ERROR_MAX], at=now
        )
    by_error: dict[str, list[int]] = defaultdict(list)
    for pk, error in failed.items():
        by_error[error[:ERROR_MAX]].append(pk)
    for error, pks in by_error.items():
        mine.filter(notification_id__in=pks).update(
            status=Delivery.Status.FAILED, error=error, at=now
        )


def notifications_redeliver(*, channels: Sequence[Channel] | None = None) -> Outcome:
    """Deliver what the channels still owe from the last days: failures with attempts left,
    claims of runs that died, notifications whose queued task was lost. Never resends a
    delivered one (its Delivery row says so)."""
    channels = configured() if channels is None else list(channels)
    now = timezone.now()
    outcome: Outcome = {}
    for channel in channels:
        owed = selectors.needing_delivery(
            channel=channel.name,
            since=now - RETRY_WINDOW,
            stale_before=now - STALE_CLAIM,
            max_attempts=MAX_ATTEMPTS,
        )
        # What waits for a digest is the digest's to send, not owed now.
        owed = owed.exclude(preferences.digest_q(channel.name, "recipient"))
        ids = list(owed.values_list("pk", flat=True))
        outcome.update(notifications_deliver(ids=ids, channels=[channel]))
    return outcome


@transaction.atomic
def notification_preferences_save(*, user, modes: dict[str, str]) -> dict[str, str]:
    """Store the user's mode for each named channel; a channel he leaves at its default keeps
    no row, so changing a default later reaches him too."""
    from_db = preferences.modes_of(user, list(modes))
    for channel, mode in modes.items():
        if mode not in Mode.values:
            raise ValueError(f"unknown notification mode {mode!r}")
        if from_db[channel] == mode:
            continue
        if mode == preferences.default_mode(channel):
            Preference.objects.filter(user=user, channel=channel).delete()
        else:
            Preference.objects.update_or_create(user=user, channel=channel, defaults={"mode": mode})
    return preferences.modes_of(user, list(modes))
