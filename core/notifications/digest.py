"""The daily digest (基层减负): per channel, one message a day to each user who takes that
channel as a digest, however many notifications he had since the last one.

Exactly once: a Digest row (recipient, channel, day) is claimed before anything is sent, so a
second run the same day sends nothing; each gathered notification's Delivery row is claimed
too, so neither the next digest nor the redelivery sends it again.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import preferences, selectors, services
from .channels import Channel, Message, configured
from .models import ERROR_MAX, Digest, Notification

# Users per round of queries.
USER_BATCH = 500
# A digest lists at most this many, newest last; the rest wait in the inbox (the link says so).
ITEMS_MAX = 50


def digest_cover(items: Sequence[Notification], day: datetime.date) -> Notification:
    """The unsaved notification a digest is sent as: its title counts, its link is the inbox."""
    return Notification(
        title=_("%(day)s 通知汇总：%(count)d 条") % {"day": day.isoformat(), "count": len(items)},
        body=_("以下事项需要您知悉或办理："),
        link=reverse("notifications:list"),
    )


def digests_send(
    *, day: datetime.date | None = None, channels: Sequence[Channel] | None = None
) -> dict[str, dict[str, int]]:
    """Send today's digests on every channel: {channel: {status: count of digests}}."""
    day = day or timezone.localdate()
    channels = configured() if channels is None else list(channels)
    outcome: dict[str, dict[str, int]] = {}
    now = timezone.now()
    for channel in channels:
        counts: dict[str, int] = defaultdict(int)
        owed = selectors.needing_delivery(
            channel=channel.name,
            since=now - services.RETRY_WINDOW,
            stale_before=now - services.STALE_CLAIM,
            max_attempts=services.MAX_ATTEMPTS,
        ).filter(preferences.digest_q(channel.name, "recipient"))
        user_ids = sorted(set(owed.values_list("recipient_id", flat=True)))
        for start in range(0, len(user_ids), USER_BATCH):
            chunk = user_ids[start : start + USER_BATCH]
            _send_chunk(channel, day, chunk, owed.filter(recipient_id__in=chunk), counts)
        outcome[channel.name] = dict(counts)
    return outcome


def _send_chunk(channel: Channel, day, user_ids: list[int], owed, counts) -> None:
    users = list(get_user_model().objects.filter(pk__in=user_ids))
    addresses = channel.addresses(users)
    mine = _claim_digests(channel.name, day, [u.pk for u in users if u.pk in addresses])
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in owed.order_by("created_at", "pk"):
        by_user[n.recipient_id].append(n)
    # Without an address the notifications are settled as skipped (they stay in the app).
    no_address = [n.pk for pk, ns in by_user.items() if pk not in addresses for n in ns]
    if no_address:
        token = uuid.uuid4()
        skipped = services._claim(ids=no_address, channel=channel.name, token=token)
        services._record(
            channel=channel.name,
            token=token,
            delivered=[],
            skipped=sorted(skipped),
            skip_reason=channel.no_address,
            failed={},
        )
    for user_id in sorted(mine):
        items = by_user.get(user_id, [])[-ITEMS_MAX:]
        token = uuid.uuid4()
        claimed = services._claim(ids=[n.pk for n in items], channel=channel.name, token=token)
        items = [n for n in items if n.pk in claimed]
        if not items:
            _finish_digest(channel.name, day, user_id, Digest.Status.DELIVERED, 0)
            continue
        cover = digest_cover(items, day)
        failed = channel.send([Message(cover, addresses[user_id], tuple(items))])
        error = next(iter(failed.values()), "") if failed else ""
        ids = [n.pk for n in items]
        services._record(
            channel=channel.name,
            token=token,
            delivered=[] if failed else ids,
            skipped=[],
            skip_reason="",
            failed={pk: error for pk in ids} if failed else {},
        )
        status = Digest.Status.FAILED if failed else Digest.Status.DELIVERED
        _finish_digest(channel.name, day, user_id, status, len(items), error)
        counts[status] += 1


@transaction.atomic
def _claim_digests(channel: str, day, user_ids: list[int]) -> set[int]:
    """Claim today's digest of each user: new rows, and failed ones taken over."""
    token = uuid.uuid4()
    now = timezone.now()
    Digest.objects.bulk_create(
        [
            Digest(
                recipient_id=pk,
                channel=channel,
                day=day,
                status=Digest.Status.SENDING,
                at=now,
                claim=token,
            )
            for pk in user_ids
        ],
        ignore_conflicts=True,
    )
    taken = Digest.objects.filter(channel=channel, day=day, recipient_id__in=user_ids)
    taken.filter(status=Digest.Status.FAILED).update(
        status=Digest.Status.SENDING, at=now, claim=token
    )
    return set(taken.filter(claim=token).values_list("recipient_id", flat=True))


def _finish_digest(channel: str, day, user_id: int, status: str, count: int, error="") -> None:
    Digest.objects.filter(channel=channel, day=day, recipient_id=user_id).update(
        status=status, count=count, error=error[:ERROR_MAX], at=timezone.now()
    )


TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def notifications_send_digest(day: str | None = None) -> dict:
    """The beat's daily task. Safe to run twice: the Digest rows are the claims."""
    date = datetime.date.fromisoformat(day) if day else None
    return digests_send(day=date)
