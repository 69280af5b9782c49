"""Per user and channel: each message at once, or one digest a day (基层减负).

The in-app inbox is always immediate (it is where the digest's events are read); each external
channel is immediate unless the user chose otherwise, except email, which is a digest unless he
chose otherwise: one email a day however many events, instead of one per move.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q

from .models import Mode, Preference

# Channels whose default is the daily digest.
DEFAULT_DIGEST = frozenset({"email"})


def default_mode(channel: str) -> str:
    return Mode.DIGEST if channel in DEFAULT_DIGEST else Mode.IMMEDIATE


def modes_of(user, channels: Collection[str]) -> dict[str, str]:
    """The user's mode per channel (his choice, else the default): one query."""
    chosen = dict(
        Preference.objects.filter(user=user, channel__in=list(channels)).values_list(
            "channel", "mode"
        )
    )
    return {name: chosen.get(name, default_mode(name)) for name in channels}


def digest_users(channel: str, user_ids: Collection[int]) -> set[int]:
    """Which of these users take this channel as a daily digest: one query."""
    ids = list(user_ids)
    if not ids:
        return set()
    chosen = dict(
        Preference.objects.filter(user_id__in=ids, channel=channel).values_list("user_id", "mode")
    )
    return {pk for pk in ids if chosen.get(pk, default_mode(channel)) == Mode.DIGEST}


def digest_q(channel: str, user_field: str = "pk") -> Q:
    """A filter on users (or on rows through `user_field`) for those who take a digest here."""
    other = Mode.IMMEDIATE if channel in DEFAULT_DIGEST else Mode.DIGEST
    chosen = Exists(
        Preference.objects.filter(user=OuterRef(user_field), channel=channel, mode=other)
    )
    return ~Q(chosen) if channel in DEFAULT_DIGEST else Q(chosen)
