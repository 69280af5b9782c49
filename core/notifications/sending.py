"""What the domain calls: create notifications, then deliver them now or queue their delivery.

Apart from services.py because it queues tasks, and the tasks call the services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from core.db import analyse

from . import selectors, services, tasks
from .channels import configured
from .models import Delivery, Notification
from .services import DELIVER_BATCH, NotificationItem, Outcome


@dataclass
class SendReport:
    """What a run did, for a command to print or a task to return."""

    created: int = 0
    # Items whose notification existed already (an earlier run): nothing sent again.
    existing: int = 0
    delivered: Outcome = field(default_factory=dict)
    # Earlier failures (and lost or stale deliveries) taken up again by this run.
    retried: Outcome = field(default_factory=dict)
    # New notifications that reached their recipient in the app only (None when queued).
    in_app_only: int | None = None
    queued: bool = False
    labels: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        lines = [
            _("新建通知 %(created)d 条，已存在 %(existing)d 条（不重复发送）")
            % {"created": self.created, "existing": self.existing}
        ]
        if self.queued:
            lines.append(_("已排队投递"))
        for title, outcome in ((_("投递"), self.delivered), (_("重试"), self.retried)):
            for name, counts in outcome.items():
                if title == _("重试") and not any(counts.values()):
                    continue  # nothing was owed
                lines.append(
                    _(
                        "%(what)s · %(channel)s：送达 %(delivered)d，失败 %(failed)d，"
                        "跳过 %(skipped)d"
                    )
                    % {
                        "what": title,
                        "channel": self.labels.get(name, name),
                        "delivered": counts.get("delivered", 0),
                        "failed": counts.get("failed", 0),
                        "skipped": counts.get("skipped", 0),
                    }
                )
        if self.in_app_only is not None:
            lines.append(
                _("仅在站内可见（没有经任何外部渠道送达）：%(count)d 条")
                % {"count": self.in_app_only}
            )
        return lines


def notifications_send(
    *, items: Iterable[NotificationItem], queue: bool = False, retry: bool = True
) -> SendReport:
    """Create the notifications not there yet and deliver the new ones.

    `queue=False` (a command, or a task already in a worker) delivers here and reports per
    channel; `queue=True` (a web request) hands delivery to tasks once the transaction commits.
    `retry` also takes up earlier failures the channels still owe (not when queueing: the
    scheduled `redeliver_notifications` does that).
    """
    items = list(items)
    # Retry first: once this run's notifications exist, they too would look "owed".
    retried = services.notifications_redeliver() if retry and not queue else {}
    created = services.notifications_create_many(items=items)
    ids = [n.pk for n in created]
    report = SendReport(
        created=len(created),
        existing=len({item.key for item in items}) - len(created),
        retried=retried,
        labels={c.name: c.label for c in configured()},
    )
    if queue:
        notifications_queue_delivery(ids=ids)
        report.queued = True
        return report
    report.delivered = services.notifications_deliver(ids=ids)
    report.in_app_only = selectors.undelivered_among(ids)
    # The next rule's anti-join over these tables needs their new size (issue 17 §5).
    analyse(Notification, Delivery, rows=len(ids))
    return report


def notifications_queue_delivery(*, ids: Iterable[int]) -> None:
    """Queue delivery in chunks once the current transaction commits (a worker must find the
    rows; a rolled-back request queues nothing)."""
    ids = list(ids)
    for start in range(0, len(ids), DELIVER_BATCH):
        transaction.on_commit(
            partial(tasks.deliver_notifications.delay, ids[start : start + DELIVER_BATCH])
        )
