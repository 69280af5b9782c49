"""Reads for an organization's page: its tree, its children's counts, its members and its own
pledges. Each one starts from `visible_to` and does not query per row."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from .. import tallies
from ..models import Member, Organization, Pledge
from ..models.position import roles_of
from .pledge import subtree_pledges


def is_whole_tree(org: Organization) -> bool:
    """Whether `org` is the root of the only tree: its subtree is then every row, and a query
    over it needs no filter (nor the join to organizations a path filter takes). Asked once
    per organization object (an indexed EXISTS), never cached across requests: a tree added
    beside it must count at once."""
    if org.depth != 1:
        return False
    if not hasattr(org, "_is_whole_tree"):
        org._is_whole_tree = not Organization.objects.exclude(path__startswith=org.path).exists()
    return org._is_whole_tree


def in_subtree(qs: QuerySet, org: Organization, path_lookup: str) -> QuerySet:
    """`qs` limited to rows under `org` by `path_lookup` (e.g. "organization__path")."""
    if is_whole_tree(org):
        return qs
    return qs.filter(**{f"{path_lookup}__startswith": org.path})


def _visible_keys(user, org: Organization) -> set[str] | None:
    """The pledge counters (status and owner) the user sees everywhere under `org`, when what
    he sees there depends on nothing finer (see Pledge's visible_to); None when it does (a
    member's own pledges, a secretary below an oversight role): then the rows are counted."""
    everything = {
        tallies.pledge_key(status, by_member)
        for status in Pledge.Status.values
        for by_member in (False, True)
    }
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return everything
    roles = roles_of(user)
    if roles.covers(org, roles.SECRETARY_KINDS):
        return everything
    below = any(p.startswith(org.path) for p in roles.paths(roles.SECRETARY_KINDS))
    member = roles.member
    if below or (member is not None and member.organization.path.startswith(org.path)):
        return None
    if not roles.covers(org, roles.OVERSIGHT_KINDS):
        return set()
    filed = {tallies.pledge_key(s, m) for s in Pledge.FILED_STATUSES for m in (False, True)}
    return filed | {tallies.pledge_key(Pledge.Status.SUBMITTED, False)}


def _counted_rows(user, org: Organization, year: int) -> list[tuple[str, str, int]]:
    """(bucket, status, n) counted from the visible rows: a viewer whose sight is finer than
    the counters (a member looking at his own branch)."""
    prefix_len = len(org.path) + Organization.steplen
    return list(
        subtree_pledges(user, org, year)
        .annotate(bucket=Substr("owner_org__path", 1, prefix_len))
        .values_list("bucket", "status")
        .annotate(n=Count("id"))
        .order_by()
    )


def subtree_counts(user, org: Organization, year: int) -> tuple[dict[str, int], list]:
    """The subtree's pledge counts per status, and its direct children each with their own
    subtree's counts: the children, and one sum of the subtree's counter rows
    (pledges.tallies) grouped by child."""
    children = list(Organization.objects.get_children(org))
    visible = _visible_keys(user, org)
    if visible is None:
        rows = _counted_rows(user, org, year)
    else:
        rows = [
            (bucket, key.split(":")[0], n)
            for bucket, _year, _period, _kind, key, n in tallies.sums(
                org, [tallies.PLEDGES], Q(year=year), by_child=True
            )
            if key in visible and n
        ]
    per_child: dict[str, Counter] = defaultdict(Counter)
    for bucket, status, n in rows:
        per_child[bucket][status] += n
    totals: Counter = Counter()
    for found in per_child.values():
        totals.update(found)
    result = []
    for child in children:
        counts = dict.fromkeys(Pledge.Status.values, 0)
        counts.update(per_child.get(child.path, {}))
        counts["total"] = sum(counts[s] for s in Pledge.Status.values)
        counts["editable"] = counts[Pledge.Status.DRAFT] + counts[Pledge.Status.RETURNED]
        result.append((child, counts))
    return {status: totals[status] for status in Pledge.Status.values}, result


def overdue_count(user, org: Organization, *, shown: int, limit: int) -> int | None:
    """Running pledges past their deadline under `org`: the `shown` first ones when they are
    fewer than `limit`, else the counters' deadline buckets before today (not a scan of the
    pledges); None when the user's sight is finer than the counters."""
    if shown < limit:
        return shown
    visible = _visible_keys(user, org)
    running = {tallies.pledge_key(s, m) for s in Pledge.RUNNING_STATUSES for m in (False, True)}
    if visible is None or not running <= visible:
        return None
    return tallies.due_before(org, tallies.PLEDGES_DUE, timezone.localdate())


def members_with_pledges(user, org: Organization, year: int) -> QuerySet[Member]:
    return (
        Member.objects.filter(organization=org)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "pledges",
                queryset=Pledge.objects.visible_to(user).filter(year=year).order_by("id"),
                to_attr="year_pledges",
            )
        )
        .order_by("id")
    )


def members_without_pledges(org: Organization, year: int) -> QuerySet[Member]:
    """全覆盖: members of the organization with no pledge this year (whatever its state)."""
    return (
        Member.objects.filter(organization=org)
        .exclude(pledges__year=year)
        .only("id", "name")
        .order_by("id")
    )


def organization_pledges(user, org: Organization, year: int) -> QuerySet[Pledge]:
    return (
        Pledge.objects.visible_to(user)
        .filter(owner_org=org, owner_member__isnull=True, year=year)
        .order_by("id")
    )
