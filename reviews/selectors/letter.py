"""Reads of suggestion letters: the branch's candidates and the letters a user may see."""

from __future__ import annotations

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from pledges.models import Member, Organization, Pledge, Position

from ..models import (
    Review,
    SuggestionLetter,
)
from ..selectors.review import LIVE_REVIEW_STATUSES


def letter_candidates(org: Organization, year: int) -> QuerySet[Member]:
    """Members of the branch whose pledges are unfulfilled or past their deadline, or whose
    review this year was graded 差 (the secretary himself left out), marked when a letter is
    still open: annotated, in one query."""
    today = timezone.localdate()
    behind = Q(pledges__year=year) & (
        Q(pledges__status=Pledge.Status.UNFULFILLED)
        | Q(pledges__status__in=Pledge.RUNNING_STATUSES, pledges__deadline__lt=today)
    )
    poor = Review.objects.filter(
        member=OuterRef("pk"),
        year=year,
        grade=Review.Grade.POOR,
        status__in=LIVE_REVIEW_STATUSES,
    )
    open_letter = SuggestionLetter.objects.filter(member=OuterRef("pk")).exclude(
        status=SuggestionLetter.Status.CLOSED
    )
    # The branch's own secretary gets his letter from above, not from himself.
    secretary = Position.objects.filter(
        organization=org, kind=Position.Kind.SECRETARY, user=OuterRef("user")
    )
    return (
        Member.objects.filter(organization=org)
        .annotate(
            behind=Count("pledges", filter=behind, distinct=True),
            poor=Exists(poor),
            has_open_letter=Exists(open_letter),
            is_secretary=Exists(secretary),
        )
        .filter(Q(behind__gt=0) | Q(poor=True), is_secretary=False)
        .order_by("id")
    )


def letters_for(user) -> QuerySet[SuggestionLetter]:
    return SuggestionLetter.objects.visible_to(user).select_related("member", "organization")
