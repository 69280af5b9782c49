"""A user's roles: the positions he holds (secretary, office, leader) and the Member row linked
to his login, never a role field. Plain values and the questions every rule asks of them.

This module imports no models: `pledges.models.position.roles_of` reads the rows and builds a
`Roles`, so every layer (models included) may use these types without a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Q

from core.access import NOTHING


class HeldPosition(NamedTuple):
    """One position the user holds: where (organization path and id) and what (kind)."""

    path: str
    org_id: int
    kind: str


@dataclass
class Roles:
    SECRETARY_KINDS = ("secretary",)
    OFFICE_KINDS = ("office",)
    LEADER_KINDS = ("leader_contact", "leader_supervise")
    OVERSIGHT_KINDS = ("office", "leader_contact", "leader_supervise")

    is_superuser: bool = False
    positions: list[HeldPosition] = field(default_factory=list)
    # The user's Member row (with its organization), if his login is linked to one.
    member: Any = None
    # (organization id, organization name, position label) for the top bar and navigation.
    labels: list[tuple[int, str, str]] = field(default_factory=list)

    def held(self, kinds: tuple[str, ...] | None = None) -> list[HeldPosition]:
        return [p for p in self.positions if kinds is None or p.kind in kinds]

    def paths(self, kinds: tuple[str, ...] | None = None) -> list[str]:
        return [p.path for p in self.held(kinds)]

    def org_ids(self, kinds: tuple[str, ...] | None = None) -> list[int]:
        return [p.org_id for p in self.held(kinds)]

    def top_position(self, kinds: tuple[str, ...] | None = None) -> HeldPosition | None:
        """The user's topmost position of these kinds (the shortest path), if any: where his
        pages start and where the security log files him."""
        held = self.held(kinds)
        return min(held, key=lambda p: len(p.path)) if held else None

    def topmost_paths(self, kinds: tuple[str, ...] | None = None) -> list[str]:
        """The paths of his positions of these kinds that lie under no other one, sorted."""
        kept: list[str] = []
        for path in sorted(set(self.paths(kinds))):
            if not any(path.startswith(k) for k in kept):
                kept.append(path)
        return kept

    def subtree_q(self, lookup: str, kinds: tuple[str, ...] | None = None) -> Q | None:
        """A Q matching rows whose `lookup` path lies under any of the user's positions."""
        # Paths under another one are dropped: fewer OR terms in every query.
        paths = self.topmost_paths(kinds)
        if not paths:
            return None
        q = Q()
        for path in paths:
            q |= Q(**{f"{lookup}__startswith": path})
        return q

    def within(self, lookup: str, kinds: tuple[str, ...] | None = None) -> Q:
        """subtree_q, or NOTHING for a user without such a position."""
        q = self.subtree_q(lookup, kinds)
        return NOTHING if q is None else q

    def covers(self, org, kinds: tuple[str, ...] | None = None) -> bool:
        """True if org is at or under one of the user's positions of these kinds."""
        if self.is_superuser:
            return True
        return any(org.path.startswith(p) for p in self.paths(kinds))

    def covers_strictly(self, org, kinds: tuple[str, ...] | None = None) -> bool:
        """True if org is strictly under one of the user's positions (a higher organization)."""
        if self.is_superuser:
            return True
        return any(org.path.startswith(p) and org.path != p for p in self.paths(kinds))

    @property
    def is_secretary(self) -> bool:
        return bool(self.paths(self.SECRETARY_KINDS))

    @property
    def is_office(self) -> bool:
        return self.is_superuser or bool(self.paths(self.OFFICE_KINDS))

    @property
    def is_leader(self) -> bool:
        return bool(self.paths(self.LEADER_KINDS))

    @property
    def has_scope(self) -> bool:
        return self.is_superuser or bool(self.positions)
