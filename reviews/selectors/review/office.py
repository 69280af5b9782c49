"""The office's reviews page of its subtree: a page of the subjects owed a review with their
reviewers' reviews, spot-check candidates, overdue items, 整改率 and the counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Q

from pledges import tallies
from pledges.models import Member, Organization, Position
from pledges.selectors.calendar import calendar_for, calendars_for

from ...models import Quarter, Review, SelfEvaluation, Subject, SubjectKind
from ...models.subject import Grade
from ...rules.calendar import grade_choices, is_review_quarter
from .. import rectification
from .common import LIVE_REVIEW_STATUSES, CountedPaginator, current_version
from .counts import review_counts
from .spot_checks import spot_checks_page


@dataclass
class OfficeRow:
    subject: Subject
    self_evaluation: SelfEvaluation | None
    # (reviewer user, his current review or None) for each reviewer the subject is owed by.
    reviewers: list[tuple] = field(default_factory=list)
    quarter: Quarter | None = None
    # False where the subject's calendar owes no review this quarter (half-yearly: Q1, Q3).
    is_due: bool = True

    @property
    def is_overdue(self) -> bool:
        missing = any(r is None or r.status not in LIVE_REVIEW_STATUSES for _, r in self.reviewers)
        return self.is_due and missing and self.quarter.is_ended()


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
    self_evaluations = {
        r.subject_key: r
        for r in SelfEvaluation.objects.filter(
            subject_key__in=keys, year=quarter.year, quarter=quarter.quarter
        )
    }
    reviews: dict[tuple[str, int], list[Review]] = defaultdict(list)
    for r in (
        Review.objects.filter(subject_key__in=keys, year=quarter.year, quarter=quarter.quarter)
        .exclude(status=Review.Status.DRAFT)
        .select_related("organization")
    ):
        reviews[(r.subject_key, r.reviewer_id)].append(r)
    # Each subject's calendar (from the year's rows the page reads once per request).
    calendars = calendars_for({s.organization.pk: s.organization for s in subjects}.values(),
                              quarter.year)  # fmt: skip
    rows = []
    for s in subjects:
        pairs = [(u, current_version(reviews.get((s.key, u.pk), []))) for u in reviewers_of[s.key]]
        is_due = is_review_quarter(quarter, calendars[s.organization.pk])
        rows.append(OfficeRow(s, self_evaluations.get(s.key), pairs, quarter, is_due))
    return rows


def office_page(
    *,
    org: Organization,
    quarter: Quarter,
    kind: str | None,
    page_size: int,
    page: str | None = None,
    cpage: str | None = None,
    opage: str | None = None,
) -> dict:
    """What the office sees of its subtree for a quarter: a page of the subjects owed a review
    (organizations, or members with `kind`), spot-check candidates, overdue items, 整改率."""
    if kind == SubjectKind.MEMBER:
        objects = Member.objects.filter(organization__path__startswith=org.path).select_related(
            "organization"
        )
        objects = objects.order_by("organization__path", "id")
        members = sum(n for *_key, n in tallies.sums(org, [tallies.MEMBERS], Q(year=0)))
        subjects = CountedPaginator(objects, page_size, count=members).get_page(page)
    else:
        kind = SubjectKind.ORGANIZATION
        objects = Organization.objects.filter(path__startswith=org.path)
        subjects = Paginator(objects, page_size).get_page(page)
    overdue = rectification.items_in_subtree(org).overdue().order_by("deadline", "id")
    overdue_page = CountedPaginator(overdue, 20, count=rectification.overdue_count(org)).get_page(
        opage
    )
    (confirmed, due, rate), child_rates = rectification.rectification_rates(
        org=org, year=quarter.year, quarter=quarter.quarter
    )
    counts = review_counts(org=org, year=quarter.year, quarter=quarter.quarter)
    return {
        "org": org,
        "kind": kind,
        "page": subjects,
        "rows": office_subjects(
            org=org, quarter=quarter, kind=kind, page_objects=list(subjects.object_list)
        ),
        "checks": spot_checks_page(org=org, quarter=quarter, page=cpage, per_page=20),
        "overdue_items": overdue_page,
        "rate": {"confirmed": confirmed, "due": due, "rate": rate},
        "child_rates": child_rates,
        "counts": counts,
        "modes": Review.Mode.choices,
        "grades": _grade_words(org, quarter, counts["by_grade"]),
    }


def _grade_words(org: Organization, quarter: Quarter, by_grade: dict) -> list[tuple[str, str]]:
    """The office's own committee's words (好/中/差 counts "average" as 中), and a grade off
    that scale that a committee below graded with, in its own word, where there are some."""
    words = grade_choices(calendar_for(org, quarter.year).grade_scale)
    on_scale = {value for value, _label in words}
    order = [value for value, _label in Grade.choices]
    words += [(v, label) for v, label in Grade.choices if v not in on_scale and by_grade.get(v)]
    return sorted(words, key=lambda pair: order.index(pair[0]))
