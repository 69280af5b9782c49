"""Reviews published to the public (三公开), for the notice pages."""

from __future__ import annotations

from django.db.models import QuerySet

from pledges.models import Organization

from ...models import Review


def public_reviews(*, org: Organization, year: int | None = None) -> QuerySet[Review]:
    """Reviews published "向群众公开" in the subtree, for notice pages (三公开)."""
    qs = Review.objects.filter(
        organization__path__startswith=org.path,
        status=Review.Status.PUBLISHED,
        scope=Review.Scope.PUBLIC,
    )
    if year:
        qs = qs.filter(year=year)
    return (
        qs.select_related("organization", "member", "reviewer")
        .prefetch_related("items")
        .order_by("-year", "-quarter", "organization__path", "id")
    )
