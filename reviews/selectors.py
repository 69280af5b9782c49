"""Reads for the review pages and for other apps (dashboard, ledgers).

Functions other apps may call (all keyword-only, none queries per row):
- rectification_rate(*, org, year, quarter) -> (confirmed, due, rate | None)
- rectification_rates_by_child(*, org, year, quarter) -> list[(child, confirmed, due, rate)]
- review_counts(*, org, year, quarter) -> {"total", "by_mode": {mode: n}, "by_grade": {grade: n}}
- reviews_in_subtree(*, org, year, quarter) -> QuerySet[Review] (signed or published, current)
- public_reviews(*, org, year=None) -> QuerySet[Review] (published to the public, items prefetched)
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from pledges.models import Member, Organization, Pledge, Position
from pledges.roles import roles_of

from .models import (
    Quarter,
    RectificationItem,
    Review,
    SelfEvaluation,
    Subject,
    SubjectKind,
    SuggestionLetter,
)

LIVE_REVIEW_STATUSES = (Review.Status.SIGNED, Review.Status.PUBLISHED)


# --- who reviews whom --------------------------------------------------------------------


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
    report: SelfEvaluation | None = None
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


def _current_version(reviews: list[Review]) -> Review | None:
    """The live (signed/published) version, else the working draft, else the returned one."""
    order = {
        Review.Status.PUBLISHED: 0,
        Review.Status.SIGNED: 0,
        Review.Status.DRAFT: 1,
        Review.Status.RETURNED: 2,
    }
    return min(reviews, key=lambda r: (order[r.status], -r.pk), default=None)


def my_reviews(user, quarter: Quarter) -> list[OwedReview]:
    """The "my reviews this quarter" page: a fixed number of queries whatever the count."""
    subjects = owed_subjects(user)
    if not subjects:
        return []
    keys = [s.key for s in subjects]
    reports = {
        r.subject_key: r
        for r in SelfEvaluation.objects.filter(
            subject_key__in=keys, year=quarter.year, quarter=quarter.quarter
        )
    }
    by_key: dict[str, list[Review]] = defaultdict(list)
    for review in Review.objects.filter(
        reviewer=user, year=quarter.year, quarter=quarter.quarter
    ).annotate(item_count=Count("items")):
        by_key[review.subject_key].append(review)
    rows = []
    for subject in subjects:
        reviews = by_key.get(subject.key, [])
        current = _current_version(reviews)
        rows.append(
            OwedReview(
                subject=subject,
                quarter=quarter,
                report=reports.get(subject.key),
                review=current,
                returned=[r for r in reviews if r.status == Review.Status.RETURNED],
            )
        )
    return rows


def missing_count(user, quarter: Quarter) -> int:
    """How many subjects the user owes a review for the quarter and has not signed."""
    return sum(1 for row in my_reviews(user, quarter) if not row.is_done)


@dataclass
class OfficeRow:
    subject: Subject
    report: SelfEvaluation | None
    # (reviewer user, his current review or None) for each reviewer the subject is owed by.
    reviewers: list[tuple] = field(default_factory=list)
    quarter: Quarter | None = None

    @property
    def is_overdue(self) -> bool:
        missing = any(r is None or r.status not in LIVE_REVIEW_STATUSES for _, r in self.reviewers)
        return missing and self.quarter.is_ended()


def office_subjects(
    *, org: Organization, quarter: Quarter, kind: str, page_objects: list
) -> list[OfficeRow]:
    """One page of the office's subtree view. `page_objects` is a page of organizations (kind
    organization: each gives the organization and its secretary) or of members."""
    if kind == SubjectKind.MEMBER:
        subjects = [Subject(SubjectKind.MEMBER, m.organization, m) for m in page_objects]
        positions = Position.objects.filter(
            organization_id__in={m.organization_id for m in page_objects},
            kind=Position.Kind.SECRETARY,
        ).select_related("user", "organization")
        reviewers_of: dict[str, list] = defaultdict(list)
        by_org = defaultdict(list)
        for p in positions:
            by_org[p.organization_id].append(p.user)
        for s in subjects:
            reviewers_of[s.key] = [u for u in by_org[s.organization.pk] if u.pk != s.member.user_id]
    else:
        paths = [o.path for o in page_objects]
        parent_paths = {p[: -Organization.steplen] for p in paths if len(p) > Organization.steplen}
        positions = Position.objects.filter(
            Q(organization__path__in=paths)
            | Q(organization__path__in=parent_paths, kind=Position.Kind.SECRETARY)
        ).select_related("user", "organization")
        leaders = defaultdict(list)
        secretaries = defaultdict(list)
        heads = defaultdict(list)
        for p in positions:
            if p.is_leader:
                leaders[p.organization.path].append(p.user)
            elif p.kind == Position.Kind.SECRETARY:
                if p.organization.path in paths:
                    secretaries[p.organization.path].append(p.user)
                if p.organization.path in parent_paths:
                    heads[p.organization.path].append(p.user)
        subjects, reviewers_of = [], {}
        for o in page_objects:
            s = Subject(SubjectKind.ORGANIZATION, o)
            subjects.append(s)
            reviewers_of[s.key] = leaders[o.path] + heads[o.path[: -Organization.steplen]]
            if secretaries[o.path]:
                s2 = Subject(SubjectKind.SECRETARY, o)
                subjects.append(s2)
                reviewers_of[s2.key] = list(leaders[o.path])
    keys = [s.key for s in subjects]
    reports = {
        r.subject_key: r
        for r in SelfEvaluation.objects.filter(
            subject_key__in=keys, year=quarter.year, quarter=quarter.quarter
        )
    }
    reviews: dict[tuple[str, int], list[Review]] = defaultdict(list)
    for r in Review.objects.filter(
        subject_key__in=keys, year=quarter.year, quarter=quarter.quarter
    ).exclude(status=Review.Status.DRAFT):
        reviews[(r.subject_key, r.reviewer_id)].append(r)
    rows = []
    for s in subjects:
        pairs = [(u, _current_version(reviews.get((s.key, u.pk), []))) for u in reviewers_of[s.key]]
        rows.append(OfficeRow(s, reports.get(s.key), pairs, quarter))
    return rows


def spot_check_candidates(*, org: Organization, quarter: Quarter) -> QuerySet[Review]:
    """Signed reviews in the subtree, with the facts the "三不过关" check looks at."""
    return (
        Review.objects.filter(
            organization__path__startswith=org.path,
            year=quarter.year,
            quarter=quarter.quarter,
            status__in=LIVE_REVIEW_STATUSES + (Review.Status.RETURNED,),
        )
        .select_related("organization", "member", "reviewer")
        .annotate(item_count=Count("items"))
        .order_by("status", "organization__path", "id")
    )


# --- self-evaluation ---------------------------------------------------------------------


def subject_pledges(subject: Subject, year: int) -> QuerySet[Pledge]:
    qs = Pledge.objects.filter(owner_org=subject.organization, year=year)
    if subject.kind == SubjectKind.MEMBER:
        return qs.filter(owner_member=subject.member)
    return qs.filter(owner_member__isnull=True)


def pledge_facts(subject: Subject, year: int, today: datetime.date | None = None) -> dict:
    """The subject's filed pledges this year by state, in one aggregate query."""
    today = today or timezone.localdate()
    running = Q(status__in=Pledge.RUNNING_STATUSES)
    return subject_pledges(subject, year).aggregate(
        pledges_total=Count("id", filter=Q(status__in=Pledge.FILED_STATUSES)),
        pledges_closed=Count("id", filter=Q(status=Pledge.Status.CLOSED)),
        pledges_in_progress=Count("id", filter=running & Q(deadline__gte=today)),
        pledges_behind=Count(
            "id", filter=Q(status=Pledge.Status.UNFULFILLED) | (running & Q(deadline__lt=today))
        ),
    )


def reports_owed(user, quarter: Quarter) -> list[tuple[Subject, SelfEvaluation | None]]:
    """Reports the user writes: his own as a member; his organization's and his own as
    secretary. Two queries."""
    roles = roles_of(user)
    subjects = []
    if roles.member is not None:
        subjects.append(Subject(SubjectKind.MEMBER, roles.member.organization, roles.member))
    sec_ids = roles.org_ids(roles.SECRETARY_KINDS)
    if sec_ids:
        for org in Organization.objects.filter(pk__in=sec_ids):
            subjects.append(Subject(SubjectKind.ORGANIZATION, org))
            subjects.append(Subject(SubjectKind.SECRETARY, org))
    if not subjects:
        return []
    reports = {
        r.subject_key: r
        for r in SelfEvaluation.objects.filter(
            subject_key__in=[s.key for s in subjects], year=quarter.year, quarter=quarter.quarter
        )
    }
    return [(s, reports.get(s.key)) for s in subjects]


# --- rectification -----------------------------------------------------------------------


def items_for_subject_side(user) -> QuerySet[RectificationItem]:
    """Items the user has to work on: his own, his organizations', and (as the book keeper)
    those of his branch's members."""
    roles = roles_of(user)
    q = Q(pk__in=[])
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


def _due_in(qs: QuerySet[RectificationItem], quarter: Quarter) -> QuerySet[RectificationItem]:
    return qs.live().filter(deadline__gte=quarter.start, deadline__lte=quarter.end)


def rectification_rate(
    *, org: Organization, year: int, quarter: int
) -> tuple[int, int, float | None]:
    """整改率 for the subtree: items confirmed (销号) / items due, where "due" means the item's
    deadline falls in the quarter. One aggregate query; rate is None when nothing is due."""
    q = Quarter(year, quarter)
    row = _due_in(
        RectificationItem.objects.filter(organization__path__startswith=org.path), q
    ).aggregate(
        due=Count("id"),
        confirmed=Count("id", filter=Q(status=RectificationItem.Status.CONFIRMED)),
    )
    due, confirmed = row["due"], row["confirmed"]
    return confirmed, due, (confirmed / due if due else None)


def rectification_rates_by_child(
    *, org: Organization, year: int, quarter: int
) -> list[tuple[Organization, int, int, float | None]]:
    """The same rate for each direct child's subtree: two queries."""
    children = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1))
    if not children:
        return []
    prefix_len = len(org.path) + Organization.steplen
    rows = (
        _due_in(
            RectificationItem.objects.filter(organization__path__startswith=org.path),
            Quarter(year, quarter),
        )
        .annotate(prefix=Substr("organization__path", 1, prefix_len))
        .values("prefix")
        .annotate(
            due=Count("id"),
            confirmed=Count("id", filter=Q(status=RectificationItem.Status.CONFIRMED)),
        )
    )
    per = {r["prefix"]: (r["confirmed"], r["due"]) for r in rows}
    result = []
    for child in children:
        confirmed, due = per.get(child.path, (0, 0))
        result.append((child, confirmed, due, confirmed / due if due else None))
    return result


# --- counts for the dashboard ------------------------------------------------------------


def reviews_in_subtree(*, org: Organization, year: int, quarter: int) -> QuerySet[Review]:
    return Review.objects.filter(
        organization__path__startswith=org.path,
        year=year,
        quarter=quarter,
        status__in=LIVE_REVIEW_STATUSES,
    )


def review_counts(*, org: Organization, year: int, quarter: int) -> dict:
    """Signed and published reviews in the subtree by mode and by grade: one query."""
    rows = (
        reviews_in_subtree(org=org, year=year, quarter=quarter)
        .values("mode", "grade")
        .annotate(n=Count("id"))
    )
    by_mode = dict.fromkeys(Review.Mode.values, 0)
    by_grade = dict.fromkeys(Review.Grade.values, 0)
    for r in rows:
        by_mode[r["mode"]] += r["n"]
        by_grade[r["grade"]] += r["n"]
    return {"total": sum(by_mode.values()), "by_mode": by_mode, "by_grade": by_grade}


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


# --- suggestion letters ------------------------------------------------------------------


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
