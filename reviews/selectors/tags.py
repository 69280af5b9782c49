"""What the reviews' cached figures depend on: the pledges.counts tags their rows bump.

A review saved in the fourth quarter stales that quarter's figures only: the other quarters'
points of the dashboard's trend, the pledge and member counts and the lists of those not yet
covered by a pledge stay cached. Reviews also tag RECTIFICATION_ITEMS: signing a review issues
its items. A draft counts nowhere (its items are not issued), so the leaders' saves while they
write stale nothing.
"""

from __future__ import annotations

from ..models import RectificationItem, Review, SelfEvaluation

RECTIFICATION_ITEMS = "rectification-items"
MASS_EVALUATIONS = "mass-evaluations"
# Read by no cached value: a tag of its own, since a write naming no tag would stale them all.
DRAFTS = "review-drafts"


def reviews_tag(year: int, quarter: int) -> str:
    return f"reviews:{year}Q{quarter}"


def self_evaluations_tag(year: int, quarter: int) -> str:
    return f"self-evaluations:{year}Q{quarter}"


def row_tags(instance) -> list[str]:
    """The tags a saved or deleted row of a watched model bumps (see ReviewsConfig.ready)."""
    if isinstance(instance, Review):
        if instance.status == Review.Status.DRAFT:
            return [DRAFTS]
        return [reviews_tag(instance.year, instance.quarter), RECTIFICATION_ITEMS]
    if isinstance(instance, SelfEvaluation):
        return [self_evaluations_tag(instance.year, instance.quarter)]
    if isinstance(instance, RectificationItem):
        return [RECTIFICATION_ITEMS]
    return [MASS_EVALUATIONS]
