"""What the review selectors share: which statuses count as a live review, which version of
a reviewer's reviews of a subject is the current one, and a paginator told its count."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

from ...models import Review

LIVE_REVIEW_STATUSES = (Review.Status.SIGNED, Review.Status.PUBLISHED)


def current_version(reviews: list[Review]) -> Review | None:
    """The live (signed/published) version, else the working draft, else the returned one."""
    order = {
        Review.Status.PUBLISHED: 0,
        Review.Status.SIGNED: 0,
        Review.Status.DRAFT: 1,
        Review.Status.RETURNED: 2,
    }
    return min(reviews, key=lambda r: (order[r.status], -r.pk), default=None)


class CountedPaginator(Paginator):
    """A paginator told its count (summed from the counter rows) instead of counting."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
