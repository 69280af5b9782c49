"""Spot checks (抽查): the signed reviews of the subtree the office goes through, a page at a
time with the facts the "三不过关" check looks at."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from pledges.models import Organization
from pledges.selectors.organization import in_subtree

from ...models import Quarter, RectificationItem, Review
from .common import LIVE_REVIEW_STATUSES, CountedPaginator
from .counts import quarter_review_rows


def spot_check_candidates(*, org: Organization, quarter: Quarter) -> QuerySet[Review]:
    """Signed reviews in the subtree, in the order the office goes through them."""
    reviews = Review.objects.filter(
        year=quarter.year,
        quarter=quarter.quarter,
        status__in=LIVE_REVIEW_STATUSES + (Review.Status.RETURNED,),
    )
    # In the tree's order: walked from the organizations' path index into each one's reviews
    # (the (organization, year, quarter) index), a page is found without sorting the quarter.
    return (
        in_subtree(reviews, org, "organization__path")
        .select_related("organization", "member", "reviewer")
        .order_by("organization__path", "id")
    )


def spot_checks_page(*, org: Organization, quarter: Quarter, page: str | None, per_page: int):
    """A page of spot-check candidates with the facts the "三不过关" check looks at (how many
    items each raised). The count comes from the counter rows; the page's ids are read in the
    tree's order and the rows after, by id: sorting a city's quarter of whole review rows
    (their texts and joins) to show twenty spilled to disk."""
    candidates = spot_check_candidates(org=org, quarter=quarter)
    ids_in_order = candidates.values_list("pk", flat=True)
    total = sum(n for *_key, n in quarter_review_rows(org, quarter.year, quarter.quarter))
    checks = CountedPaginator(ids_in_order, per_page, count=total).get_page(page)
    ids = list(checks.object_list)
    rows = candidates.order_by().in_bulk(ids)
    item_counts = dict(
        RectificationItem.objects.filter(review__in=ids)
        .values_list("review_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    reviews = [rows[pk] for pk in ids if pk in rows]
    for review in reviews:
        review.item_count = item_counts.get(review.pk, 0)
    checks.object_list = reviews
    return checks
