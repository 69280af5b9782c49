"""The pledge's life in one table: from which state each move may be made, the state it leads
to, and who may make it.

Every service that changes a pledge (its status or, for the moves that keep the status, its
content and records) asks here first, after locking the row. So no path — a pledge page, the
monthly round, a bulk move, an import — can skip a step, e.g. record progress on a pledge that
was approved but never published (亮诺) and so put it on the public page unannounced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.errors import TransitionError

from ..models import Pledge, PledgeEvent
from . import pledge as pledge_rules

Status = Pledge.Status
# A move is named by the history entry it leaves: one vocabulary for the table and the log.
Move = PledgeEvent.Action


class Transition(NamedTuple):
    state: str
    move: str
    to: str
    who: Callable[..., bool]  # (user, pledge) -> may this user make this move on this pledge


_edit, _approve = pledge_rules.can_edit_pledge, pledge_rules.can_approve_pledge
_run, _record = pledge_rules.can_run_pledge, pledge_rules.can_record_progress
S = Status

TABLE: tuple[Transition, ...] = (
    #          state          move              → state         who may
    Transition(S.DRAFT, Move.EDIT, S.DRAFT, _edit),
    Transition(S.DRAFT, Move.SUBMIT, S.SUBMITTED, _edit),
    Transition(S.RETURNED, Move.EDIT, S.RETURNED, _edit),
    Transition(S.RETURNED, Move.SUBMIT, S.SUBMITTED, _edit),
    Transition(S.SUBMITTED, Move.APPROVE, S.APPROVED, _approve),
    Transition(S.SUBMITTED, Move.RETURN, S.RETURNED, _approve),
    Transition(S.APPROVED, Move.AMEND, S.APPROVED, _run),
    Transition(S.APPROVED, Move.PUBLISH, S.PUBLISHED, _run),
    Transition(S.PUBLISHED, Move.AMEND, S.PUBLISHED, _run),
    Transition(S.PUBLISHED, Move.PROGRESS, S.IN_PROGRESS, _record),
    Transition(S.PUBLISHED, Move.CLOSE, S.CLOSED, _run),
    Transition(S.PUBLISHED, Move.UNFULFILLED, S.UNFULFILLED, _run),
    Transition(S.IN_PROGRESS, Move.AMEND, S.IN_PROGRESS, _run),
    Transition(S.IN_PROGRESS, Move.PROGRESS, S.IN_PROGRESS, _record),
    Transition(S.IN_PROGRESS, Move.DELETE_RECORD, S.IN_PROGRESS, _record),
    Transition(S.IN_PROGRESS, Move.CLOSE, S.CLOSED, _run),
    Transition(S.IN_PROGRESS, Move.UNFULFILLED, S.UNFULFILLED, _run),
    Transition(S.CLOSED, Move.CARRY_OVER, S.CLOSED, _edit),
    Transition(S.UNFULFILLED, Move.CARRY_OVER, S.UNFULFILLED, _edit),
)

_BY_STATE_MOVE = {(t.state, t.move): t for t in TABLE}
_WHO = {t.move: t.who for t in TABLE}
# A refused move's counterpart that does its job in the later states: edit a draft, amend
# an approved pledge.
_INSTEAD = {Move.EDIT: Move.AMEND}


def states_allowing(move: str) -> tuple[str, ...]:
    """The states a move may be made from, in the order of Pledge.Status."""
    return tuple(s for s in Status.values if (s, move) in _BY_STATE_MOVE)


def allows(pledge: Pledge, move: str) -> bool:
    return (pledge.status, move) in _BY_STATE_MOVE


def may(by, pledge: Pledge, move: str) -> bool:
    """Whether this user's role lets him make the move on this pledge, whatever its state."""
    return _WHO[move](by, pledge)


def refusal(pledge: Pledge, move: str) -> str:
    """The Chinese reason a move is refused in the pledge's current state, naming both."""
    allowed = [str(Status(s).label) for s in states_allowing(move)]
    if len(allowed) > 1:
        allowed = [_("、").join(allowed[:-1]) + _("或") + allowed[-1]]
    message = _("该承诺当前为“%(state)s”，不能%(move)s；只有%(allowed)s的承诺可以%(move)s") % {
        "state": Status(pledge.status).label,
        "move": Move(move).label,
        "allowed": allowed[0],
    }
    instead = _INSTEAD.get(move)
    if instead is not None and allows(pledge, instead):
        message += _("；请办理%(move)s") % {"move": Move(instead).label}
    return message


def target(pledge: Pledge, move: str) -> str:
    """The state the move leads to from the pledge's state; TransitionError if none."""
    transition = _BY_STATE_MOVE.get((pledge.status, move))
    if transition is None:
        raise TransitionError(refusal(pledge, move))
    return transition.to


def check(by, pledge: Pledge, move: str) -> str:
    """The role, then the state: PermissionDenied, TransitionError, or the state to move to.
    Call on a locked, freshly read row (core.locks.lock_row), so the state checked is the one
    the write replaces."""
    if not may(by, pledge, move):
        raise PermissionDenied
    return target(pledge, move)
