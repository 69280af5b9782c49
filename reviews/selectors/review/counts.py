"""The subtree's reviews of a quarter counted from the counter rows (reviews.tallies)."""

from __future__ import annotations

from django.db.models import Q

from pledges import tallies
from pledges.models import Organization

from ...models import Review
from ...tallies import REVIEWS
from .common import LIVE_REVIEW_STATUSES

CANDIDATE_STATUSES = (*LIVE_REVIEW_STATUSES, Review.Status.RETURNED)


def quarter_review_rows(org: Organization, year: int, quarter: int) -> list[tuple]:
    """(status, mode, grade, n) of the spot-check candidates of the quarter under `org`: one
    sum of the counter rows (reviews.tallies); the candidates' count and the office's counts
    by mode and grade both come from it."""
    rows = []
    for _b, _y, _p, _kind, key, n in tallies.sums(org, [REVIEWS], Q(year=year, period=quarter)):
        status, mode, grade = key.split(":")
        if status in CANDIDATE_STATUSES and n:
            rows.append((status, mode, grade, n))
    return rows


def review_counts(*, org: Organization, year: int, quarter: int) -> dict:
    """Signed and published reviews in the subtree by mode and by grade."""
    by_mode = dict.fromkeys(Review.Mode.values, 0)
    by_grade = dict.fromkeys(Review.Grade.values, 0)
    for status, mode, grade, n in quarter_review_rows(org, year, quarter):
        if status in LIVE_REVIEW_STATUSES:
            by_mode[mode] = by_mode.get(mode, 0) + n
            by_grade[grade] = by_grade.get(grade, 0) + n
    return {"total": sum(by_mode.values()), "by_mode": by_mode, "by_grade": by_grade}
