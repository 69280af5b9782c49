"""Reads of notifications shared by pages, the services' reports and the domain's commands."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from core import cache_versions

from .models import Delivery, Notification

# The bell reads the unread count from the cache: zero queries on a page once it is there. The
# count is keyed under a version of the user's (core.cache_versions): the services bump it
# whenever the count changes, and a bump Redis did not take (an outage) raises the epoch in the
# database, so a count cached before the outage is never read after it (a dropped delete
# would have left it there). The timeout bounds what a per-process cache (no Redis) can show
# another process.
UNREAD_CACHE_SECONDS = 10 * 60


def _unread_version_key(user_id: int) -> str:
    return f"notifications:unread:v:{user_id}"


def _unread_key(user_id: int) -> str | None:
    """None when the cache cannot say the current version: neither read nor store."""
    stamp = cache_versions.stamp([_unread_version_key(user_id)])
    return None if stamp is None else f"notifications:unread:{user_id}:{stamp}"


def unread_count(user) -> int:
    """The bell's number: cached, so the top bar of every page costs no query."""
    key = _unread_key(user.pk)
    count = cache.get(key) if key else None
    if count is None:
        count = _count_unread(user, key)
    return count


def remember_unread_count(user) -> int:
    """Count from the database and cache it (at login, so the first page is free too)."""
    return _count_unread(user, _unread_key(user.pk))


def _count_unread(user, key: str | None) -> int:
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    if key:
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread_counts(user_ids: Iterable[int]) -> None:
    """A new version of each count now and again once the transaction commits (a page
    rendered in between would otherwise cache the count from before the change)."""
    keys = [_unread_version_key(pk) for pk in set(user_ids)]
    if not keys:
        return
    cache_versions.bump(keys)
    transaction.on_commit(lambda: cache_versions.bump(keys))


def inbox(user) -> QuerySet[Notification]:
    """A user's notifications, newest first (the list page paginates it)."""
    return Notification.objects.visible_to(user).order_by("-created_at", "-id")


def undelivered(queryset: QuerySet[Notification] | None = None) -> QuerySet[Notification]:
    """Notifications no external channel delivered: they reached their recipient only in the
    app (no address, a failure, or no channel configured)."""
    queryset = Notification.objects.all() if queryset is None else queryset
    delivered = Delivery.objects.filter(
        notification=OuterRef("pk"), status=Delivery.Status.DELIVERED
    )
    return queryset.filter(~Exists(delivered))


def undelivered_count(queryset: QuerySet[Notification] | None = None) -> int:
    return undelivered(queryset).count()


def delivery_counts(ids: Collection[int]) -> dict[str, dict[str, int]]:
    """{channel: {status: count}} over these notifications, one query per 500 ids."""
    counts: dict[str, dict[str, int]] = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        rows = (
            Delivery.objects.filter(notification_id__in=ids[start : start + 500])
            .values("channel", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            by_status = counts.setdefault(row["channel"], {})
            by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
    return counts


def undelivered_among(ids: Collection[int]) -> int:
    ids = list(ids)
    return sum(
        undelivered_count(Notification.objects.filter(pk__in=ids[start : start + 500]))
        for start in range(0, len(ids), 500)
    )


def needing_delivery(
    *, channel: str, since: datetime.datetime, stale_before: datetime.datetime, max_attempts: int
) -> QuerySet[Notification]:
    """Recent notifications this channel still owes: never tried (a queued task was lost),
    failed with attempts left, or claimed by a run that died (its claim is stale)."""
    settled = Delivery.objects.filter(notification=OuterRef("pk"), channel=channel).exclude(
        status=Delivery.Status.FAILED, attempts__lt=max_attempts
    )
    settled = settled.exclude(status=Delivery.Status.SENDING, at__lt=stale_before)
    return Notification.objects.filter(created_at__gte=since).filter(~Exists(settled))
