"""What every counter module shares: a figure's key, the watched models (`Source`) and the
distinct figures fed by holder rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model

# (organization id, year, period, kind, key): one counter of an organization's own level; it
# is also added to the SUBTREE rows of the organization and of its ancestors.
Figure = tuple[int, int, int, str, str]

# Holder kinds whose rows count one member (or one organization) each, and the distinct
# figure they feed: the number of holder rows with n > 0, kept under (kind, key) of the same
# organization, year and period. Holder rows are kept in the own scope only.
DISTINCT: dict[str, tuple[str, str]] = {}


@dataclass
class Source:
    """A watched model: `fields` are the attnames `figures` reads from a row's state (a dict,
    plus `context(instance)` at the time of a write) to name the figures it counts in (each
    once, or a Counter of figures with their weights); `rows(org_ids)` yields the same states for
    every row (of those organizations) for a rebuild; `kinds` are the counters it keeps;
    `cascade(instance, old, new)` returns changes to other rows' figures that this write
    causes."""

    model: type[Model]
    fields: tuple[str, ...]
    figures: Callable[[dict], Iterable[Figure]]
    rows: Callable[[list[int] | None], Iterable[dict]]
    kinds: tuple[str, ...]
    context: Callable[[Model], dict] | None = None
    cascade: Callable[[Model, dict, dict], Counter] | None = None

    def all_kinds(self) -> set[str]:
        """Its counters' kinds, and those of the distinct figures they feed."""
        return {*self.kinds, *(DISTINCT[k][0] for k in self.kinds if k in DISTINCT)}


SOURCES: dict[type[Model], Source] = {}


def rolls_up(kind: str) -> bool:
    """Whether a kind is kept in the SUBTREE rows too (holder rows are not)."""
    return kind not in DISTINCT
