"""The reviewer's side: who owes whom a review (谁联系、谁分管、谁点评), the "my reviews"
page and how many of them are missing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from pledges.models import Member, Organization, Position
from pledges.models.position import roles_of
from pledges.selectors.calendar import calendars_for

from ...models import Quarter, Review, SelfEvaluation, Subject, SubjectKind
from ...rules.calendar import review_period
from .common import LIVE_REVIEW_STATUSES, current_version


def owed_subjects(user) -> list[Subject]:
    """Everyone the user owes a review, from the pledge book's relationships, in three queries
    at most (leader organizations with their secretaries, child organizations, members)."""
    roles = roles_of(user)
    subjects: list[Subject] = []
    leader_ids = roles.org_ids(roles.LEADER_KINDS)
    if leader_ids:
        orgs = Organization.objects.filter(pk__in=leader_ids).annotate(
            has_secretary=Exists(
                Position.objects.filter(organization=OuterRef("pk"), kind=Position.Kind.SECRETARY)
            )
        )
        for org in orgs:
            subjects.append(Subject(SubjectKind.ORGANIZATION, org))
            if org.has_secretary:
                subjects.append(Subject(SubjectKind.SECRETARY, org))
    head_paths = roles.paths(roles.SECRETARY_KINDS)
    if head_paths:
        q = Q()
        for path in head_paths:
            q |= Q(path__startswith=path, depth=len(path) // Organization.steplen + 1)
        seen = {s.key for s in subjects}
        for child in Organization.objects.filter(q):
            subject = Subject(SubjectKind.ORGANIZATION, child)
            if subject.key not in seen:
                subjects.append(subject)
        members = (
            Member.objects.filter(organization_id__in=roles.org_ids(roles.SECRETARY_KINDS))
            .exclude(user=user)
            .select_related("organization")
            .order_by("organization__path", "id")
        )
        subjects.extend(Subject(SubjectKind.MEMBER, m.organization, m) for m in members)
    return subjects


def existing_review(*, by, subject: Subject, quarter: Quarter) -> Review | None:
    """The reviewer's review of the subject for the quarter that a new one would duplicate:
    his draft or signed one, or a returned one whose redo has not been started."""
    reviews = list(
        Review.objects.filter(
            reviewer=by, subject_key=subject.key, year=quarter.year, quarter=quarter.quarter
        ).annotate(has_redo=Exists(Review.objects.filter(redo_of=OuterRef("pk"))))
    )
    current = [r for r in reviews if r.status != Review.Status.RETURNED]
    if current:
        return max(current, key=lambda r: r.pk)
    return next((r for r in reviews if not r.has_redo), None)


@dataclass
class OwedReview:
    subject: Subject
    quarter: Quarter
    self_evaluation: SelfEvaluation | None = None
    review: Review | None = None
    # Earlier versions sent back by a spot check.
    returned: list[Review] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.review.status if self.review else "missing"

    @property
    def is_done(self) -> bool:
        return self.review is not None and self.review.status in LIVE_REVIEW_STATUSES

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.quarter.is_ended()

    @property
    def is_due_soon(self) -> bool:
        return not self.is_done and self.quarter.is_due_soon()


def _periods(subjects: list[Subject], quarter: Quarter) -> dict[str, Quarter]:
    """subject key → the period a review made in `quarter` is filed under for that subject
    (its committee may review half-yearly: reviews.rules.calendar). One query per request."""
    calendars = calendars_for({s.organization.pk: s.organization for s in subjects}.values(),
                              quarter.year)  # fmt: skip
    return {s.key: review_period(quarter, calendars[s.organization.pk]) for s in subjects}


def my_reviews(user, quarter: Quarter, subjects: list[Subject] | None = None) -> list[OwedReview]:
    """The "my reviews this quarter" page: a fixed number of queries whatever the count.
    `subjects` (from `owed_subjects`) saves reading them again for a second quarter. A subject
    reviewed half-yearly shows its half's review (filed under the half's second quarter)."""
    if subjects is None:
        subjects = owed_subjects(user)
    if not subjects:
        return []
    keys = [s.key for s in subjects]
    periods = _periods(subjects, quarter)
    wanted = sorted({p.quarter for p in periods.values()})
    self_evaluations = {
        (r.subject_key, r.quarter): r
        for r in SelfEvaluation.objects.filter(
            subject_key__in=keys, year=quarter.year, quarter__in=wanted
        )
    }
    by_key: dict[tuple[str, int], list[Review]] = defaultdict(list)
    # The organization comes along: its calendar names the grade (好/中/差 or 好/较好/一般/差).
    for review in (
        Review.objects.filter(reviewer=user, year=quarter.year, quarter__in=wanted)
        .select_related("organization")
        .annotate(item_count=Count("items"))
    ):
        by_key[(review.subject_key, review.quarter)].append(review)
    rows = []
    for subject in subjects:
        period = periods[subject.key]
        reviews = by_key.get((subject.key, period.quarter), [])
        current = current_version(reviews)
        rows.append(
            OwedReview(
                subject=subject,
                quarter=period,
                self_evaluation=self_evaluations.get((subject.key, period.quarter)),
                review=current,
                returned=[r for r in reviews if r.status == Review.Status.RETURNED],
            )
        )
    return rows


def missing_count(user, quarter: Quarter, subjects: list[Subject] | None = None) -> int:
    """How many subjects the user owes a review for the quarter and has not signed: those
    without a live review of his (`OwedReview.is_done`), in one query. A subject reviewed
    half-yearly owes none for the first quarter of a half."""
    if subjects is None:
        subjects = owed_subjects(user)
    periods = _periods(subjects, quarter)
    done = set(
        Review.objects.filter(
            reviewer=user,
            year=quarter.year,
            quarter=quarter.quarter,
            status__in=LIVE_REVIEW_STATUSES,
        ).values_list("subject_key", flat=True)
    )
    return sum(
        1 for subject in subjects if periods[subject.key] == quarter and subject.key not in done
    )
