"""Values remembered for the length of one request, then forgotten.

A page that asks the same question many times (say the calendar of each of 7,000 branches)
asks the database once: the first answer is kept under its key until the request ends. Outside
a request (a task, a command, a test calling a selector) nothing is kept and every call
computes afresh, so a long-running worker never serves a stale value. A service that changes
what was remembered calls `forget` so the rest of its own request reads the new value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("core_request_memo", default=None)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per request and key."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(prefix: Hashable) -> None:
    """Drop every remembered value whose key is `prefix` or a tuple starting with it."""
    memo = _memo.get()
    if memo is None:
        return
    for key in [k for k in memo if k == prefix or (isinstance(k, tuple) and k[:1] == (prefix,))]:
        del memo[key]


def reset() -> None:
    """Outside any request again. For tests: a request whose exception reached the test
    client never finished, and its memo would answer the next test's selectors."""
    _memo.set(None)


def _start(**_kwargs) -> None:
    _memo.set({})


def _end(**_kwargs) -> None:
    _memo.set(None)


def connect() -> None:
    request_started.connect(_start, dispatch_uid="core_request_memo_start")
    request_finished.connect(_end, dispatch_uid="core_request_memo_end")
