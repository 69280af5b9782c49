"""Reads for an organization's page: its tree, its children's counts, its members and its own
pledges. Each one starts from `visible_to` and does not query per row."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr

from ..counts import PLEDGES, cached_per_child
from ..models import Member, Organization, Pledge
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


def subtree_counts(user, org: Organization, year: int) -> tuple[dict[str, int], list]:
    """The subtree's pledge counts per status, and its direct children each with their own
    subtree's counts: the children, the organization's own pledges, and (above branch level,
    for the children whose subtree changed since it was cached: see counts.py) one grouped
    query of the children's subtrees."""
    children = list(Organization.objects.get_children(org))
    pledges = subtree_pledges(user, org, year)
    prefix_len = len(org.path) + Organization.steplen

    def count(paths: list[str] | None) -> dict[str, list]:
        rows = pledges.exclude(owner_org=org)
        if paths is not None:
            q = Q()
            for path in paths:
                q |= Q(owner_org__path__startswith=path)
            rows = rows.filter(q)
        per_child: dict[str, list] = defaultdict(list)
        for prefix, status, n in (
            rows.annotate(prefix=Substr("owner_org__path", 1, prefix_len))
            .values_list("prefix", "status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            per_child[prefix].append((status, n))
        return per_child

    paths = [child.path for child in children]
    if org.is_branch_level or not children:
        # A branch's few hundred rows cost less to count than to look up.
        per_child = count(None) if children else {}
    else:
        sql, params = pledges.query.sql_with_params()
        name = repr((sql, params))
        per_child = cached_per_child(org, paths, name, count, tags=[PLEDGES])
    totals: Counter = Counter(
        dict(pledges.filter(owner_org=org).values_list("status").annotate(n=Count("id")).order_by())
    )
    result = []
    for child in children:
        counts = dict.fromkeys(Pledge.Status.values, 0)
        counts.update(dict(per_child.get(child.path, [])))
        totals.update(dict(per_child.get(child.path, [])))
        counts["total"] = sum(counts[s] for s in Pledge.Status.values)
        counts["editable"] = counts[Pledge.Status.DRAFT] + counts[Pledge.Status.RETURNED]
        result.append((child, counts))
    return {status: totals[status] for status in Pledge.Status.values}, result


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
