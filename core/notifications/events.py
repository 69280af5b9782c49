"""Events: a move that hands someone work or news tells that person, at once.

The one list of event kinds is this registry; each app fills it from its AppConfig.ready() (its
`notifications` module), the way reminders and exports are registered, so core names no app. A
service emits with one line, `notify(kind=..., subject=obj, by=user)`: nothing is read or
written then (a move's query count stays as it was); once the move commits, a thin task loads
the subject, asks the kind whom to tell and what, and stores one notification per person.

Exactly once: the notification's key is (recipient, kind, subject, the move's moment), the
moment taken inside the move's locked transaction and carried in the task's arguments, so a
task run twice (a retry, a redelivered message) inserts nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from celery import shared_task
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError, models, transaction
from django.utils import timezone

from . import sending
from .services import NotificationItem

# recipients(subject) -> user ids; text(subject) -> (title, body).
Recipients = Callable[[models.Model], Iterable[int | None]]
Text = Callable[[models.Model], tuple[str, str]]


@dataclass(frozen=True)
class EventKind:
    """One kind of event: whom it concerns and what they are told.

    `services` names the service functions that emit it ("app.services.module.function"): the
    registry test checks that every service handing someone work is listed under a kind.
    """

    name: str
    model: type[models.Model]
    recipients: Recipients
    text: Text
    services: tuple[str, ...] = ()

    def link(self, subject: models.Model) -> str:
        return subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""


_KINDS: dict[str, EventKind] = {}


def register(kind: EventKind) -> None:
    """Add a kind; registering the same one again (a reloaded app) is harmless."""
    old = _KINDS.get(kind.name)
    if old is not None and old != kind:
        raise ImproperlyConfigured(f"Two event kinds are registered as {kind.name!r}")
    _KINDS[kind.name] = kind


def kinds() -> dict[str, EventKind]:
    return dict(_KINDS)


def kind_names() -> list[str]:
    return sorted(_KINDS)


def get(name: str) -> EventKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no event kind {name!r}") from None


def moment_key() -> str:
    """The move's moment to the microsecond: 20 characters, the notification's period."""
    return timezone.now().strftime("%Y%m%d%H%M%S%f")


def notify(*, kind: str, subject: models.Model, by=None) -> None:
    """Tell whom the kind names about this move, once the move commits (a rolled-back move
    tells nobody). The one call a service makes; it reads and writes nothing itself."""
    get(kind)  # a misspelt kind is a bug: fail in the move's own tests
    # Robust: a broker that is down costs the message (logged), never the user's move, which
    # has committed by then.
    args = (kind, subject.pk, getattr(by, "pk", None), moment_key())

    def queue_event() -> None:  # named: Django logs a robust callback's failure by its name
        deliver_event.delay(*args)

    transaction.on_commit(queue_event, robust=True)


def event_items(
    *, kind: str, subject: models.Model, by_id: int | None, key: str
) -> list[NotificationItem]:
    """The notifications of one event: one per person concerned, never the mover himself."""
    entry = get(kind)
    title, body = entry.text(subject)
    link = entry.link(subject)
    subject_key = f"{subject._meta.label_lower}:{subject.pk}"
    recipients = sorted({pk for pk in entry.recipients(subject) if pk and pk != by_id})
    return [
        NotificationItem(
            recipient_id=pk,
            kind=kind,
            subject_key=subject_key,
            period=key,
            title=title,
            body=body,
            link=link,
        )
        for pk in recipients
    ]


def event_send(*, kind: str, subject_id: int, by_id: int | None, key: str) -> int:
    """Store and deliver one event's notifications; returns how many were new."""
    entry = get(kind)
    subject = entry.model._default_manager.filter(pk=subject_id).first()
    if subject is None:  # deleted since (a draft): nobody to tell about it
        return 0
    items = event_items(kind=kind, subject=subject, by_id=by_id, key=key)
    if not items:
        return 0
    # Earlier failures are the scheduled redelivery's business, not this event's.
    return sending.notifications_send(items=items, retry=False).created


TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def deliver_event(kind: str, subject_id: int, by_id: int | None, key: str) -> int:
    """Thin: ids in. Safe to run twice: the key makes the second run insert nothing."""
    return event_send(kind=kind, subject_id=subject_id, by_id=by_id, key=key)
