"""Reads of rectification items: the subject's and the reviewer's work lists, the subtree's items
and the 整改率 (confirmed / due in the quarter), computed here once for every page."""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from core.access import NOTHING
from pledges import tallies
from pledges.models import Member, Organization, Position
from pledges.models.position import roles_of

from ..models import (
    Quarter,
    RectificationItem,
    Subject,
    SubjectKind,
)
from ..tallies import ITEMS, ITEMS_DUE


def items_for_subject_side(user) -> QuerySet[RectificationItem]:
    """Items the user has to work on: his own, his organizations', and (as the book keeper)
    those of his branch's members."""
    roles = roles_of(user)
    q = NOTHING
    if roles.member is not None:
        q |= Q(member=roles.member)
    sec_ids = roles.org_ids(roles.SECRETARY_KINDS)
    if sec_ids:
        q |= Q(organization_id__in=sec_ids)
    # Items he gave himself are worked on by the member (unless the member has no login).
    own = Q(review__reviewer=user) & Q(member__user__isnull=False)
    return RectificationItem.objects.live().filter(q).exclude(own).for_list()


def work_order(qs: QuerySet[RectificationItem]) -> QuerySet[RectificationItem]:
    """To do first (open and reopened), then awaiting confirmation, closed items last."""
    rank = Case(
        When(status=RectificationItem.Status.DONE, then=Value(1)),
        When(status=RectificationItem.Status.CONFIRMED, then=Value(2)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return qs.annotate(work_rank=rank).order_by("work_rank", "deadline", "id")


def items_given_by(user) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.live().filter(review__reviewer=user).for_list()


def items_in_subtree(org: Organization) -> QuerySet[RectificationItem]:
    return (
        RectificationItem.objects.live().filter(organization__path__startswith=org.path).for_list()
    )


def items_due_in(quarter: Quarter) -> QuerySet[RectificationItem]:
    """Items of signed reviews whose deadline falls in the quarter: what 整改率 divides by."""
    return RectificationItem.objects.live().filter(
        deadline__gte=quarter.start, deadline__lte=quarter.end
    )


def rate_counts() -> dict:
    """The two counts of 整改率, (due, confirmed), for `.aggregate` or `.annotate`: one
    definition for the office page, the dashboard and the year page."""
    return {
        "due": Count("id"),
        "confirmed": Count("id", filter=Q(status=RectificationItem.Status.CONFIRMED)),
    }


def rate(confirmed: int, due: int) -> float | None:
    return confirmed / due if due else None


def _item_sums(org: Organization, year: int, quarter: int) -> dict[str, tuple[int, int]]:
    """{bucket: (confirmed, due)} of the items due in the quarter, per child of `org` (the
    bucket is the child's path, or `org`'s own for its own level): one sum of the counters."""
    per: dict[str, list[int]] = {}
    for bucket, _y, _p, _kind, status, n in tallies.sums(
        org, [ITEMS], Q(year=year, period=quarter), by_child=True
    ):
        found = per.setdefault(bucket, [0, 0])
        found[1] += n
        if status == RectificationItem.Status.CONFIRMED:
            found[0] += n
    return {bucket: (confirmed, due) for bucket, (confirmed, due) in per.items()}


def rectification_rate(
    *, org: Organization, year: int, quarter: int
) -> tuple[int, int, float | None]:
    """整改率 for the subtree: items confirmed (销号) / items due, where "due" means the item's
    deadline falls in the quarter. One sum of the counter rows; rate is None when nothing is
    due."""
    sums = _item_sums(org, year, quarter).values()
    confirmed = sum(c for c, _due in sums)
    due = sum(d for _c, d in sums)
    return confirmed, due, rate(confirmed, due)


def rectification_rates_by_child(
    *, org: Organization, year: int, quarter: int, sums: dict | None = None
) -> list[tuple[Organization, int, int, float | None]]:
    """The same rate for each direct child's subtree: two queries (one when the `sums` of
    `_item_sums` are given)."""
    children = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1))
    if not children:
        return []
    per = _item_sums(org, year, quarter) if sums is None else sums
    result = []
    for child in children:
        confirmed, due = per.get(child.path, (0, 0))
        result.append((child, confirmed, due, rate(confirmed, due)))
    return result


def responsible_choices(subject: Subject) -> tuple[list[tuple[int, str]], int | None]:
    """定责任人 from the subject's organization: its members as (id, name), and the one to
    pre-select (the member himself; for an organization or its secretary, the member who is
    its secretary, if he is on its roll). One query for the roll, one for the secretary."""
    members = list(
        Member.objects.filter(organization=subject.organization)
        .order_by("id")
        .values_list("pk", "name")
    )
    if subject.kind == SubjectKind.MEMBER:
        return members, subject.member.pk
    if not members:
        return members, None
    secretary = (
        Member.objects.filter(
            organization=subject.organization,
            user__positions__organization=subject.organization,
            user__positions__kind=Position.Kind.SECRETARY,
        )
        .values_list("pk", flat=True)
        .first()
    )
    return members, secretary


def rectification_rates(*, org: Organization, year: int, quarter: int) -> tuple[tuple, list]:
    """(confirmed, due, rate) of the subtree and the same per child, from one sum."""
    sums = _item_sums(org, year, quarter)
    confirmed = sum(c for c, _due in sums.values())
    due = sum(d for _c, d in sums.values())
    by_child = rectification_rates_by_child(org=org, year=year, quarter=quarter, sums=sums)
    return (confirmed, due, rate(confirmed, due)), by_child


def overdue_count(org: Organization, today: datetime.date | None = None) -> int:
    """Issued items still open past their deadline under `org`: the counters' deadline
    buckets before today, not a scan of the items."""
    return tallies.due_before(org, ITEMS_DUE, today or timezone.localdate())
