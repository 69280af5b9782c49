"""Reads of pledges for pages and ledgers. Each one starts from `visible_to` (or from an
object the view already fetched through it) and does not query per row."""

from __future__ import annotations

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet

from ..models import Member, Organization, Pledge, PledgeEvent, ProgressRecord
from ..rules import lifecycle


def subtree_pledges(user, org: Organization, year: int | None = None) -> QuerySet[Pledge]:
    qs = Pledge.objects.visible_to(user).filter(owner_org__path__startswith=org.path)
    return qs.filter(year=year) if year else qs


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


def editable_pledges(org: Organization, member: Member | None) -> QuerySet[Pledge]:
    """The entry page's rows: the owner's drafts and returned items, oldest first."""
    return Pledge.objects.filter(
        owner_org=org, owner_member=member, status__in=Pledge.EDITABLE_STATUSES
    ).order_by("id")


def ended_member_pledges(member: Member) -> QuerySet[Pledge]:
    """A member's earlier items past editing, shown beside the entry page (newest year first)."""
    return (
        Pledge.objects.filter(owner_member=member)
        .exclude(status__in=Pledge.EDITABLE_STATUSES)
        .order_by("-year", "id")
    )


def bulk_targets(user, org: Organization, ids: list[int]) -> list[Pledge]:
    """The ticked pledges the user may see under this organization; others are ignored."""
    return list(
        Pledge.objects.visible_to(user)
        .filter(pk__in=ids, owner_org__path__startswith=org.path)
        .select_related("owner_org", "owner_member")
    )


def round_pledges(org: Organization, month_start, month_end) -> QuerySet[Pledge]:
    """一月一记实: the pledges of the organization and its members that progress may be
    recorded on (published: 亮诺 first), each with its records in the month and its latest
    record date. One query however many."""
    in_month = Q(progress_records__date__gte=month_start, progress_records__date__lte=month_end)
    recordable = lifecycle.states_allowing(lifecycle.Move.PROGRESS)
    return (
        Pledge.objects.filter(owner_org=org, status__in=recordable)
        .select_related("owner_org", "owner_member")
        .annotate(
            month_records=Count("progress_records", filter=in_month),
            last_record=Max("progress_records__date"),
        )
        # The organization's own pledges first, then each member's together.
        .order_by(
            F("owner_member__name").asc(nulls_first=True), "owner_member_id", "deadline", "id"
        )
    )


def awaiting_publication(org: Organization) -> int:
    """The organization's pledges approved but not yet published (亮诺): the monthly round
    says they wait there, as nothing is recorded on them until then."""
    before = lifecycle.states_allowing(lifecycle.Move.PUBLISH)
    return Pledge.objects.filter(owner_org=org, status__in=before).count()
