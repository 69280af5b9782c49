"""Figures kept as counter rows (`Tally`), updated in the writer's transaction.

Each figure the coverage dashboard, the office's organization page, the office's reviews page
and the public organization page show is kept as counter rows per organization, year, period,
kind and key, so nothing is recounted on a read and no cache outage can make a figure wrong.

Rollups: every organization has its own rows (scope OWN: what its own level holds) and its
subtree's rows (scope SUBTREE: itself and everything under it). A write adds its delta to the
leaf's own row and to the subtree row of the leaf and of every ancestor, in one statement, so a
page reads a fixed number of rows however large the subtree: a subtree's figure is the
organization's own SUBTREE rows, its children's figures are their SUBTREE rows, and its own
level (the dashboard's "本级" line) its OWN rows. The rows read grow with the kinds, keys and
children shown, never with the organizations or members below.

How the rows are kept (signals, so the services stay as they are):

- Each watched model is a `Source`: the raw fields its figures read and `figures(state)`, the
  counter rows one row in that state adds one to. `pre_save` reads the row as stored (under
  the service's row lock, the committed state: a copy kept at load time could be one a
  concurrent writer has since changed); `post_save` and `post_delete` add the new state's
  figures and take the old one's away, in the same transaction as the write (a rolled-back
  write rolls its counts back).
- Each change is one `WITH RECURSIVE … INSERT … ON CONFLICT (unique key) DO UPDATE SET n =
  n + excluded.n` (PostgreSQL and SQLite alike): the recursive part walks up the leaf's path
  to its ancestors, and the rows are summed per counter and inserted sorted by key. Nothing is
  read and written back in Python.
- Locking: every write reaches the top organization's SUBTREE rows, so writers meet there.
  Sorting makes one statement lock in a fixed order, but a transaction making several writes
  (a review issuing its items, a batch) runs several statements, and two such transactions
  could take the same rows in opposite orders. So on PostgreSQL the statement first takes a
  transaction-level advisory lock (`pg_advisory_xact_lock`, the same key for every writer):
  counter writers queue there, once per transaction, and never wait for each other while
  holding a counter row. The lock is held to the commit; a service writes its rows at its end,
  so that is milliseconds. (SQLite serialises writers on the whole database anyway.)
- Distinct figures ("members who have pledged") are kept through a holder row per member,
  own scope only (never rolled up, never read by a page): the upsert returns its new n, and
  only a move between 0 and something changes the figure, which is rolled up like any other.
- What a row's state cannot tell is passed as context at the moment of the write (whether a
  rectification item is issued depends on its review): a source's `cascade` moves the rows
  that depend on another one (a review leaving the draft issues its items).
- Writes that send no signal (bulk_create in seeds and imports, queryset.update) call
  `rebuild(org_ids)` for the organizations they touched (their own rows are recounted and the
  differences rolled up like a write); `rebuild()` recounts everything. An organization moved
  with its subtree calls `sync_paths()`, which copies the paths and recomputes the SUBTREE
  rows from the OWN rows. `manage.py tallies --check` recounts everything (both scopes) and
  reports any difference, `--rebuild` also fixes it.
- Figures that change with the date and not with a write (overdue) are counted against rows
  keyed by the deadline: the page sums its rows whose deadline is before today. The people's
  satisfaction is the same: kept by the evaluation's end date ("c" once closed early), summed
  for those that have ended; an evaluation counts only with enough answers, so its answers
  move in (or out) together, by the evaluation's figures (reviews.tallies), not one by one.

Modules: `base` (a figure, a watched model), `write` (the signals and the upsert), `read`
(what pages call), `rebuild` (recounts), `pledge` (the pledge book's own figures; the reviews'
are in reviews.tallies).

What it costs a write: two queries (the stored state, one upsert for all its counters), a third
when a distinct figure moves, and for a rectification item the read of its review's state.
`rebuild` locks the counter table on PostgreSQL (writers wait, readers do not) so no write can
fall between its recount and its replacement.
"""

from __future__ import annotations

from .base import DISTINCT, Figure, Source
from .pledge import (
    CARRIED,
    CLOSED_MONTH,
    MEMBERS,
    MEMBERS_PLEDGED,
    ORGS_PLEDGED,
    PLEDGED_STATUSES,
    PLEDGES,
    PLEDGES_DUE,
    PUBLIC_DUE,
    connect,
    orgs_pledged,
    pledge_key,
)
from .read import due_before, due_before_by_child, sums
from .rebuild import differences, expected, rebuild, sync_paths
from .write import apply, register

__all__ = [
    "CARRIED",
    "CLOSED_MONTH",
    "DISTINCT",
    "MEMBERS",
    "MEMBERS_PLEDGED",
    "ORGS_PLEDGED",
    "PLEDGED_STATUSES",
    "PLEDGES",
    "PLEDGES_DUE",
    "PUBLIC_DUE",
    "Figure",
    "Source",
    "apply",
    "connect",
    "differences",
    "due_before",
    "due_before_by_child",
    "expected",
    "orgs_pledged",
    "pledge_key",
    "rebuild",
    "register",
    "sums",
    "sync_paths",
]
