"""The names of those not yet covered, where the counters say some are missing."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from pledges import tallies
from pledges.models import Member, Organization, Pledge
from pledges.tallies import PLEDGED_STATUSES

from ...models import (
    Quarter,
    Review,
    SelfEvaluation,
    SubjectKind,
)
from ...tallies import REVIEWED_STATUSES
from .. import due as due_selectors
from .figures import Row

MISSING_LIMIT = 30


def pledges_of_year(year: int) -> QuerySet:
    return Pledge.objects.filter(year=year, status__in=PLEDGED_STATUSES)


def self_evaluations_of(quarter: Quarter) -> QuerySet:
    return SelfEvaluation.objects.filter(
        year=quarter.year, quarter=quarter.quarter, status=SelfEvaluation.Status.SUBMITTED
    )


def reviews_of(quarter: Quarter) -> QuerySet:
    return Review.objects.filter(
        year=quarter.year, quarter=quarter.quarter, status__in=REVIEWED_STATUSES
    )


def missing(
    root: Organization, quarter: Quarter, total: Row, limit: int = MISSING_LIMIT
) -> dict[str, list]:
    """The first names of those not yet covered (anti-joins that stop at `limit`); the
    counts come from the counters, and a list they say is empty is not read."""
    year = quarter.year
    under = root.path
    orgs = Organization.objects.filter(path__startswith=under).order_by("path")
    members = (
        Member.objects.filter(organization__path__startswith=under)
        .select_related("organization")
        .only("id", "name", "organization__id", "organization__name")
        .order_by("id")
    )
    member_pledge = pledges_of_year(year).filter(owner_member=OuterRef("pk"))
    # Reports and reviews: those owing none this quarter are not missing (reviews.selectors.due).
    off = due_selectors.off_regions(root, quarter)
    due_orgs = orgs.exclude(due_selectors.not_due_q(off)) if off else orgs
    off_members = due_selectors.not_due_q(off, "organization__path")
    due_members = members.exclude(off_members) if off else members

    def subject(qs: QuerySet, kind: str) -> QuerySet:
        if kind == SubjectKind.MEMBER:
            return qs.filter(subject_kind=kind, member=OuterRef("pk"))
        return qs.filter(subject_kind=kind, organization=OuterRef("pk"))

    org_kind, member_kind = SubjectKind.ORGANIZATION, SubjectKind.MEMBER
    lists = {
        "orgs_pledged": (
            total.orgs.not_pledged,
            # The organization's own holder row (pledges.tallies), not a scan of pledges.
            lambda: orgs.filter(
                ~Exists(tallies.orgs_pledged(year).filter(organization=OuterRef("pk")))
            ),
        ),
        "orgs_reported": (
            total.orgs.not_reported,
            lambda: due_orgs.filter(~Exists(subject(self_evaluations_of(quarter), org_kind))),
        ),
        "orgs_reviewed": (
            total.orgs.not_reviewed,
            lambda: due_orgs.filter(~Exists(subject(reviews_of(quarter), org_kind))),
        ),
        "members_pledged": (
            total.members.not_pledged,
            lambda: members.filter(~Exists(member_pledge)),
        ),
        "members_reported": (
            total.members.not_reported,
            lambda: due_members.filter(~Exists(subject(self_evaluations_of(quarter), member_kind))),
        ),
        "members_reviewed": (
            total.members.not_reviewed,
            lambda: due_members.filter(~Exists(subject(reviews_of(quarter), member_kind))),
        ),
    }
    return {
        name: list(rows()[:limit]) if count > 0 else [] for name, (count, rows) in lists.items()
    }
