"""Reads of leader reviews: who owes whom a review, the office's subtree, spot checks,
counts, public reviews and the content prompts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges import tallies
from pledges.models import Member, Organization, Position
from pledges.models.position import roles_of
from pledges.selectors.calendar import calendar_for, calendars_for
from pledges.selectors.organization import in_subtree

from ..models import (
    Quarter,
    RectificationItem,
    Review,
    SelfEvaluation,
    Subject,
    SubjectKind,
)
from ..rules.calendar import grade_choices, review_period
from ..tallies import REVIEWS
from . import rectification

# Lazy: these are read per request, in the language of that request.
FIVE_GOODS = (
    gettext_lazy("领导班子好：班子团结、战斗力强"),
    gettext_lazy("党员队伍好：党员发挥先锋模范作用"),
    gettext_lazy("工作机制好：民主管理、制度落实"),
    gettext_lazy("工作业绩好：中心工作和承诺事项完成情况"),
    gettext_lazy("群众反映好：党风廉政、解决群众关心的民生问题"),
)


FIVE_LEADS = (
    gettext_lazy("带头学习提高"),
    gettext_lazy("带头争创佳绩：立足岗位、践行承诺"),
    gettext_lazy("带头服务群众：为群众办实事、好事"),
    gettext_lazy("带头遵纪守法"),
    gettext_lazy("带头弘扬正气"),
)


FIELD_PROMPTS = {
    Organization.Field.RURAL: gettext_lazy("带领群众增收致富、村务公开和民主管理"),
    Organization.Field.COMMUNITY: gettext_lazy("服务居民、化解矛盾纠纷、社区治理"),
    Organization.Field.GOVERNMENT: gettext_lazy("机关作风效能、服务基层和群众"),
    Organization.Field.SCHOOL: gettext_lazy("教书育人、师德师风、家校联系"),
    Organization.Field.MEDICAL: gettext_lazy("医德医风、改善服务、方便患者"),
    Organization.Field.STATE_ENTERPRISE: gettext_lazy("生产经营、改革发展、职工群众利益"),
    Organization.Field.NEW_ECONOMY: gettext_lazy("企业健康发展、职工合法权益、党组织作用发挥"),
    Organization.Field.MASS: gettext_lazy("联系服务所代表的群众"),
}


MEMBER_KIND_PROMPTS = {
    Member.Kind.LEADING_CADRE: gettext_lazy("德能勤绩廉：分管工作、联系群众、廉洁自律"),
    Member.Kind.ON_DUTY: gettext_lazy("本职工作完成情况、岗位争优"),
    Member.Kind.RETIRED: gettext_lazy("发挥余热、参与社区服务和志愿活动"),
    Member.Kind.MOBILE: gettext_lazy("与组织保持联系、按时汇报（可书面点评）"),
    Member.Kind.RURAL: gettext_lazy("设岗定责、履行党员义务、带头致富"),
}


def review_prompts(subject: Subject) -> list[str]:
    """What to comment on: 五个好 for organizations, 五带头 / 德能勤绩廉 for members, adjusted
    by the organization's field and the member's kind."""
    field_prompt = FIELD_PROMPTS.get(subject.organization.field)
    if subject.kind == SubjectKind.MEMBER:
        prompts = [str(p) for p in FIVE_LEADS]
        prompts.append(str(_("承诺践诺：承诺事项的兑现情况")))
        kind_prompt = MEMBER_KIND_PROMPTS.get(subject.member.kind)
        if kind_prompt:
            prompts.append(str(kind_prompt))
        if subject.member.probationary:
            prompts.append(str(_("预备期表现、入党动机和培养考察情况")))
        return prompts
    if subject.kind == SubjectKind.SECRETARY:
        prompts = [
            str(_("抓党建工作责任制落实情况")),
            str(_("班子带头人作用、民主作风")),
            str(_("德能勤绩廉")),
        ]
    else:
        prompts = [str(p) for p in FIVE_GOODS]
        prompts.append(str(_("承诺践诺：3–5 项组织承诺的兑现情况")))
    if field_prompt:
        prompts.append(str(field_prompt))
    return prompts


LIVE_REVIEW_STATUSES = (Review.Status.SIGNED, Review.Status.PUBLISHED)


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


def _current_version(reviews: list[Review]) -> Review | None:
    """The live (signed/published) version, else the working draft, else the returned one."""
    order = {
        Review.Status.PUBLISHED: 0,
        Review.Status.SIGNED: 0,
        Review.Status.DRAFT: 1,
        Review.Status.RETURNED: 2,
    }
    return min(reviews, key=lambda r: (order[r.status], -r.pk), default=None)


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
        current = _current_version(reviews)
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


@dataclass
class OfficeRow:
    subject: Subject
    self_evaluation: SelfEvaluation | None
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
    rows = []
    for s in subjects:
        pairs = [(u, _current_version(reviews.get((s.key, u.pk), []))) for u in reviewers_of[s.key]]
        rows.append(OfficeRow(s, self_evaluations.get(s.key), pairs, quarter))
    return rows


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


class _CountedPaginator(Paginator):
    """A paginator told its count (summed from the counter rows) instead of counting."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def spot_checks_page(*, org: Organization, quarter: Quarter, page: str | None, per_page: int):
    """A page of spot-check candidates with the facts the "三不过关" check looks at (how many
    items each raised). The count comes from the counter rows; the page's ids are read in the
    tree's order and the rows after, by id: sorting a city's quarter of whole review rows
    (their texts and joins) to show twenty spilled to disk."""
    candidates = spot_check_candidates(org=org, quarter=quarter)
    ids_in_order = candidates.values_list("pk", flat=True)
    total = sum(n for *_key, n in _quarter_review_rows(org, quarter.year, quarter.quarter))
    checks = _CountedPaginator(ids_in_order, per_page, count=total).get_page(page)
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


CANDIDATE_STATUSES = (*LIVE_REVIEW_STATUSES, Review.Status.RETURNED)


def _quarter_review_rows(org: Organization, year: int, quarter: int) -> list[tuple]:
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
    for status, mode, grade, n in _quarter_review_rows(org, year, quarter):
        if status in LIVE_REVIEW_STATUSES:
            by_mode[mode] = by_mode.get(mode, 0) + n
            by_grade[grade] = by_grade.get(grade, 0) + n
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
        subjects = _CountedPaginator(objects, page_size, count=members).get_page(page)
    else:
        kind = SubjectKind.ORGANIZATION
        objects = Organization.objects.filter(path__startswith=org.path)
        subjects = Paginator(objects, page_size).get_page(page)
    overdue = rectification.items_in_subtree(org).overdue().order_by("deadline", "id")
    overdue_page = _CountedPaginator(overdue, 20, count=rectification.overdue_count(org)).get_page(
        opage
    )
    (confirmed, due, rate), child_rates = rectification.rectification_rates(
        org=org, year=quarter.year, quarter=quarter.quarter
    )
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
        "counts": review_counts(org=org, year=quarter.year, quarter=quarter.quarter),
        "modes": Review.Mode.choices,
        # The office's own committee's words (好/中/差 counts "average" as 中).
        "grades": grade_choices(calendar_for(org, quarter.year).grade_scale),
    }
