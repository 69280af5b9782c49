"""A user's roles, read once per request: they come from Position rows (secretary, office,
leader) and from the Member row linked to the login, never from a role field.

This module imports no models, so every models module can build `visible_to` from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Q

if TYPE_CHECKING:
    from .models import Member, Organization


@dataclass
class Roles:
    SECRETARY_KINDS = ("secretary",)
    OFFICE_KINDS = ("office",)
    LEADER_KINDS = ("leader_contact", "leader_supervise")
    OVERSIGHT_KINDS = ("office", "leader_contact", "leader_supervise")

    is_superuser: bool = False
    # (organization path, organization id, kind) for every position the user holds.
    positions: list[tuple[str, int, str]] = field(default_factory=list)
    member: Member | None = None
    # (organization id, organization name, position label) for the top bar and navigation.
    labels: list[tuple[int, str, str]] = field(default_factory=list)

    def paths(self, kinds: tuple[str, ...] | None = None) -> list[str]:
        return [p for p, _, k in self.positions if kinds is None or k in kinds]

    def org_ids(self, kinds: tuple[str, ...] | None = None) -> list[int]:
        return [i for _, i, k in self.positions if kinds is None or k in kinds]

    def subtree_q(self, lookup: str, kinds: tuple[str, ...] | None = None) -> Q | None:
        """A Q matching rows whose `lookup` path lies under any of the user's positions."""
        paths = self._minimal(self.paths(kinds))
        if not paths:
            return None
        q = Q()
        for path in paths:
            q |= Q(**{f"{lookup}__startswith": path})
        return q

    @staticmethod
    def _minimal(paths: list[str]) -> list[str]:
        # Drop paths already covered by an ancestor path: fewer OR terms in every query.
        kept: list[str] = []
        for path in sorted(set(paths)):
            if not any(path.startswith(k) for k in kept):
                kept.append(path)
        return kept

    def covers(self, org: Organization, kinds: tuple[str, ...] | None = None) -> bool:
        """True if org is at or under one of the user's positions of these kinds."""
        if self.is_superuser:
            return True
        return any(org.path.startswith(p) for p in self.paths(kinds))

    def covers_strictly(self, org: Organization, kinds: tuple[str, ...] | None = None) -> bool:
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


def roles_of(user) -> Roles:
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_pledge_roles", None)
    if cached is not None:
        return cached
    # Looked up through the app registry so that the models module can import this one.
    Position = apps.get_model("pledges", "Position")
    Member = apps.get_model("pledges", "Member")
    rows = Position.objects.filter(user=user).values_list(
        "organization__path", "organization_id", "kind", "organization__name"
    )
    kind_labels = dict(Position.Kind.choices)
    positions = [(path, org_id, kind) for path, org_id, kind, _ in rows]
    labels = [(org_id, name, str(kind_labels[kind])) for _, org_id, kind, name in rows]
    member = Member.objects.select_related("organization").filter(user=user).first()
    roles = Roles(is_superuser=user.is_superuser, positions=positions, member=member, labels=labels)
    user._pledge_roles = roles
    return roles
