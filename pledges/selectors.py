"""Reads for pages and ledgers. Each one starts from `visible_to` and does not query per row."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Substr

from .models import Member, Organization, Pledge, PledgeEvent, ProgressRecord


def status_counts(pledges: QuerySet[Pledge]) -> dict[str, int]:
    counts = Counter(
        {row["status"]: row["n"] for row in pledges.values("status").annotate(n=Count("id"))}
    )
    return {status: counts.get(status, 0) for status in Pledge.Status.values}


def subtree_pledges(user, org: Organization, year: int | None = None) -> QuerySet[Pledge]:
    qs = Pledge.objects.visible_to(user).filter(owner_org__path__startswith=org.path)
    return qs.filter(year=year) if year else qs


def children_with_counts(user, org: Organization, year: int) -> list[tuple[Organization, dict]]:
    """Direct children, each with its whole subtree's pledge counts per status: two queries."""
    children = list(Organization.objects.get_children(org))
    if not children:
        return []
    prefix_len = len(org.path) + Organization.steplen
    rows = (
        subtree_pledges(user, org, year)
        .exclude(owner_org__path=org.path)
        .annotate(prefix=Substr("owner_org__path", 1, prefix_len))
        .values("prefix", "status")
        .annotate(n=Count("id"))
    )
    per_child: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        per_child[row["prefix"]][row["status"]] += row["n"]
    result = []
    for child in children:
        counts = {status: per_child[child.path][status] for status in Pledge.Status.values}
        counts["total"] = sum(counts.values())
        counts["editable"] = counts[Pledge.Status.DRAFT] + counts[Pledge.Status.RETURNED]
        result.append((child, counts))
    return result


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


def awaiting_approval_below(user, org: Organization) -> QuerySet[Pledge]:
    """Lower organizations' own pledges submitted to this level (the office or leader approves)."""
    return (
        subtree_pledges(user, org)
        .filter(status=Pledge.Status.SUBMITTED, owner_member__isnull=True)
        .exclude(owner_org=org)
        .select_related("owner_org")
        .order_by("submitted_at", "id")
    )


def overdue_pledges(user, org: Organization) -> QuerySet[Pledge]:
    return (
        subtree_pledges(user, org).overdue().select_related("owner_org", "owner_member")
    ).order_by("deadline", "id")


def pledge_page(pledge: Pledge) -> dict:
    records = (
        ProgressRecord.objects.filter(pledge=pledge)
        .select_related("author")
        .prefetch_related("evidence")
        .order_by("-date", "-id")
    )
    events = (
        PledgeEvent.objects.filter(pledge=pledge).select_related("actor").order_by("-at", "-id")
    )
    return {"records": records, "events": events}


def member_pledges(member: Member) -> QuerySet[Pledge]:
    return (
        Pledge.objects.filter(owner_member=member)
        .select_related("owner_org", "owner_member")
        .prefetch_related(
            Prefetch("events", queryset=PledgeEvent.objects.select_related("actor").order_by("-at"))
        )
        .order_by("-year", "id")
    )
