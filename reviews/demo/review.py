"""Demo data for self-evaluations, leader reviews, rectification items and suggestion letters.

Added to whatever pledge book exists (organizations, members and positions are read back from
the database). Two ways, like pledges/demo.py:
- county: through the services, so every rule, history row and state is what real use makes;
- small / city: bulk inserts for the benchmark: one review of every branch for each finished
  quarter of this year (and half the branches in the current quarter), by the leader linked to
  the branch or else the nearest higher organization's secretary, with reports, grades and a
  few rectification items. No per-row history there: the data set only needs shape and size.
Idempotent: nothing is added when any review exists.
"""

from __future__ import annotations

import datetime
import random
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import NOTHING
from core.db import allocate_ids, analyse, copy_insert
from core.notifications.models import Delivery, Notification
from pledges.demo import COUNTY_NAME, bulk_roots
from pledges.models import Member, Organization, Position

from ..models import (
    Quarter,
    RectificationItem,
    Review,
    SelfEvaluation,
    Subject,
    SubjectKind,
    SuggestionLetter,
    subject_key_for,
)
from ..rules.calendar import calendar_of, grade_choices, is_review_quarter
from ..selectors.letter import letter_candidates
from ..selectors.review import owed_subjects
from ..services import letter as letter_services
from ..services import rectification as rectification_services
from ..services import review as services
from ..services import self_evaluation as self_evaluation_services

SEED = 2024
MODES = list(Review.Mode.values)
GRADES = list(Review.Grade.values)
GRADE_WEIGHTS = [40, 35, 18, 7]

ACHIEVEMENTS = [
    "承诺事项推进有序，为群众办实事成效明显",
    "班子团结，带头践诺，群众认可度高",
    "立足岗位比奉献，按期兑现承诺",
    "记实台账规范，践诺过程公开透明",
]
PROBLEMS = [
    "部分承诺事项进度滞后，记实不够及时",
    "联系服务群众的方式单一，入户走访不够",
    "承诺内容量化不足，考核依据不充分",
    "整改措施落实不够到位，回复点评人不及时",
]
DIRECTIONS = [
    "对照承诺逐项推进，按月记实，按期兑现",
    "完善联系群众制度，定期走访听取意见",
    "细化承诺指标，做到能量化、能完成、易考核",
]
DEMO_TARGET = "按期整改到位，群众满意"
ITEMS = [
    ("承诺记实不及时", "每月 5 日前补齐上月记实并公开"),
    ("入户走访不够", "每周走访群众不少于 5 户，建立走访台账"),
    ("承诺进度滞后", "制定倒排计划，每半月向支部汇报一次"),
    ("群众意见回复不及时", "建立意见办理台账，7 日内答复"),
]


def seed_reviews(*, scale: str, stdout) -> None:
    """Self-evaluations, reviews of every mode and grade, rectification items, letters, under
    the county (scale "county"), the city or each of the province's cities (bulk)."""
    if scale == "county":
        roots = list(Organization.objects.get_root_nodes().filter(name=COUNTY_NAME))
    else:
        roots = bulk_roots(scale)
    filled = False
    for i, root in enumerate(roots):
        if Review.objects.filter(organization__path__startswith=root.path).exists():
            stdout.write(_("领导点评演示数据已存在，未重复生成"))
            continue
        started = time.monotonic()
        if scale == "county":
            counts = CountyReviews(random.Random(SEED), root).run()
        else:
            # The city of the sources keeps its seed; a province's other cities get their own.
            counts = bulk_reviews(random.Random(SEED + i), root)
        filled = True
        seconds = time.monotonic() - started
        done = _(
            "领导点评：%(reviews)d 次，自查自评 %(reports)d 份，整改事项 %(items)d 项（%(s).1f 秒）"
        )
        stdout.write(done % {**counts, "s": seconds})
        if scale == "province":
            # The next city's reads of these tables are planned with this one's rows counted.
            analyse(Review, SelfEvaluation, RectificationItem)
    # Fresh statistics for what was just filled: with an empty table's, the first reminder run
    # after the seed anti-joins millions of rows in nested loops (issue 17 §5).
    if filled:
        analyse(Review, SelfEvaluation, RectificationItem, SuggestionLetter, Notification, Delivery)


def _quarters(today: datetime.date) -> list[Quarter]:
    current = Quarter.of(today)
    return [Quarter(current.year, q) for q in range(1, current.quarter + 1)]


def _review_date(rng: random.Random, q: Quarter, today: datetime.date) -> datetime.date:
    latest = min(today, q.end)
    return max(q.start, latest - datetime.timedelta(days=rng.randint(0, 25)))


def reset_reviews(*, org_paths: list[str]) -> None:
    """Delete this module's kind of rows under the given organizations, in the order the
    protecting foreign keys need, so the pledge book's demo reset can go ahead."""
    q = NOTHING
    for path in org_paths:
        q |= Q(organization__path__startswith=path)
    SuggestionLetter.objects.filter(q).delete()
    reviews = Review.objects.filter(q)
    reviews.update(redo_of=None)
    reviews.delete()
    SelfEvaluation.objects.filter(q).delete()


# --- county: through the services --------------------------------------------------------


class CountyReviews:
    def __init__(self, rng: random.Random, root: Organization):
        self.rng = rng
        self.today = timezone.localdate()
        self.counts = {"reviews": 0, "reports": 0, "items": 0}
        positions = Position.objects.filter(organization__path__startswith=root.path)
        positions = positions.select_related("user")
        self.secretary_of = {}
        self.reviewers, self.offices = [], []
        for p in positions:
            if p.kind == Position.Kind.SECRETARY:
                self.secretary_of.setdefault(p.organization_id, p.user)
            if p.kind == Position.Kind.OFFICE:
                self.offices.append(p.user)
            if p.kind != Position.Kind.OFFICE and p.user not in self.reviewers:
                self.reviewers.append(p.user)

    def _author(self, subject: Subject):
        if subject.kind == SubjectKind.MEMBER and subject.member.user_id:
            return subject.member.user
        return self.secretary_of.get(subject.organization.pk)

    def _submit_self_evaluation(self, subject: Subject, q: Quarter) -> bool:
        author = self._author(subject)
        if author is None or self.rng.random() > 0.8:
            return False
        exists = SelfEvaluation.objects.filter(
            subject_key=subject.key, year=q.year, quarter=q.quarter
        ).exists()
        if not exists:
            self_evaluation_services.self_evaluation_save(
                by=author,
                subject=subject,
                quarter=q,
                content=self_evaluation_services.SelfEvaluationContent(
                    highlights=self.rng.choice(ACHIEVEMENTS),
                    shortcomings=self.rng.choice(PROBLEMS),
                    next_steps=self.rng.choice(DIRECTIONS),
                ),
                version=0,
                submit=True,
            )
            self.counts["reports"] += 1
        return True

    @transaction.atomic
    def run(self) -> dict:
        quarters = _quarters(self.today)
        for reviewer in self.reviewers:
            subjects = owed_subjects(reviewer)
            for q in quarters:
                current = q == quarters[-1]
                for subject in subjects:
                    if current and self.rng.random() < 0.4:
                        continue  # left for the demo user to write
                    self._review(reviewer, subject, q, draft=current and self.rng.random() < 0.15)
        self._spot_checks(quarters)
        self._letters()
        return self.counts

    def _review(self, reviewer, subject: Subject, q: Quarter, draft: bool) -> None:
        rng = self.rng
        calendar = calendar_of(subject.organization, q.year)
        if not is_review_quarter(q, calendar):
            return  # 半年一点评: the half's review is given in its second quarter
        grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
        if grade not in dict(grade_choices(calendar.grade_scale)):
            grade = Review.Grade.GOOD  # 较好 is not on the 好/中/差 scale
        has_self_evaluation = self._submit_self_evaluation(subject, q)
        mode = rng.choice(
            MODES if has_self_evaluation else list(Review.MODES_WITHOUT_SELF_EVALUATION)
        )
        date = _review_date(rng, q, self.today)
        items = [
            services.ItemContent(
                problem=problem,
                target=DEMO_TARGET,
                measures=measures,
                # 定责任人: the member himself, picked from the roll; for an organization the
                # secretary, typed (the demo's secretaries are logins, not always on the roll).
                responsible="" if subject.kind == SubjectKind.MEMBER else "支部书记",
                responsible_member_id=subject.member.pk
                if subject.kind == SubjectKind.MEMBER
                else None,
                deadline=date + datetime.timedelta(days=rng.randint(20, 60)),
            )
            for problem, measures in rng.sample(ITEMS, rng.choice([0, 1, 1, 2]))
        ]
        review = services.review_create(
            by=reviewer,
            subject=subject,
            quarter=q,
            content=services.ReviewContent(
                date=date,
                mode=mode,
                achievements=rng.choice(ACHIEVEMENTS),
                problems=rng.choice(PROBLEMS),
                direction=rng.choice(DIRECTIONS),
                grade=grade,
            ),
            items=items,
        )
        self.counts["reviews"] += 1
        self.counts["items"] += len(items)
        if draft:
            return
        services.review_sign(review=review, by=reviewer)
        if rng.random() < 0.6:
            scope = rng.choice(Review.Scope.values)
            services.review_publish(review=review, by=reviewer, scope=scope)
        author = self._author(subject)
        if author is None:
            return
        for item in review.items.all():
            roll = rng.random()
            if roll < 0.3:
                continue  # still open (overdue once its deadline passes)
            rectification_services.rectification_item_done(
                item=item,
                by=author,
                measures_taken="已按整改措施落实，" + item.measures,
                reply="整改已完成，请点评人审阅" if roll < 0.6 else "",
            )
            if roll < 0.75:
                rectification_services.rectification_item_confirm(item=item, by=reviewer)
            elif roll < 0.85:
                rectification_services.rectification_item_reopen(
                    item=item, by=reviewer, reason="佐证材料不足，请补充"
                )

    def _spot_checks(self, quarters: list[Quarter]) -> None:
        if not self.offices or len(quarters) < 2:
            return
        office = self.offices[0]
        q = quarters[-2]
        candidates = [
            r
            for r in Review.objects.filter(
                year=q.year, quarter=q.quarter, status__in=Review.LOCKED_STATUSES
            ).select_related("organization")[:20]
            if r.reviewer_id != office.pk
        ][:2]
        for i, review in enumerate(candidates):
            services.review_return(
                review=review,
                by=office,
                reasons=[Review.ReturnReason.NO_MEASURE],
                remark="整改措施不具体，请重新点评",
            )
            if i == 0:
                redo = services.review_redo(review=review, by=review.reviewer)
                services.review_update(
                    review=redo,
                    by=review.reviewer,
                    version=redo.edit_version,
                    content=services.ReviewContent(
                        date=redo.date,
                        mode=redo.mode,
                        achievements=redo.achievements,
                        problems=redo.problems,
                        direction=redo.direction + "；每月对照整改清单逐项销号",
                        grade=redo.grade,
                    ),
                    items=[
                        *(
                            services.ItemContent(
                                problem=i.problem,
                                target=i.target,
                                measures=i.measures,
                                responsible=i.responsible,
                                responsible_member_id=i.responsible_member_id,
                                deadline=i.deadline,
                            )
                            for i in redo.items.order_by("id")
                        ),
                        # The return named missing measures: the redo adds a concrete one.
                        services.ItemContent(
                            problem="整改措施不具体",
                            target="每项整改都有清单、时间和责任人",
                            measures="列出整改清单，逐项明确完成时间和责任人",
                            responsible="" if redo.member_id else redo.subject_name,
                            responsible_member_id=redo.member_id,
                            deadline=max(redo.date, self.today) + datetime.timedelta(days=30),
                        ),
                    ],
                )
                services.review_sign(review=redo, by=review.reviewer)

    def _letters(self) -> None:
        year = self.today.year
        for org_id, secretary in self.secretary_of.items():
            org = Organization.objects.get(pk=org_id)
            for n, member in enumerate(letter_candidates(org, year)[:2]):
                reason = (
                    SuggestionLetter.Reason.UNFULFILLED
                    if member.behind
                    else SuggestionLetter.Reason.POOR_GRADE
                )
                letter = letter_services.letter_issue(
                    by=secretary,
                    member=member,
                    reason=reason,
                    problems="承诺事项未能按期兑现，践诺记实不全",
                    measures="一、重新制定践诺计划；二、每月向支部汇报；三、按期完成再承诺",
                    deadline=self.today + datetime.timedelta(days=30),
                )
                if n == 0 and member.user_id:
                    letter_services.letter_reply(
                        letter=letter,
                        by=member.user,
                        reply="已制定整改计划，将按期完成",
                        version=letter.edit_version,
                    )


# --- small and city: bulk ----------------------------------------------------------------

BATCH = 2000


def _reviewer_by_branch(branches: list[dict]) -> dict[int, int]:
    """The leader linked to the branch, else the nearest higher organization's secretary,
    else the nearest leader above: two queries for the whole tree."""
    leaders_at: dict[str, int] = {}
    secretaries_at: dict[str, int] = {}
    for path, user_id, kind in Position.objects.values_list(
        "organization__path", "user_id", "kind"
    ):
        if kind in ("leader_contact", "leader_supervise"):
            leaders_at.setdefault(path, user_id)
        elif kind == "secretary":
            secretaries_at.setdefault(path, user_id)
    step = Organization.steplen
    result = {}
    for b in branches:
        path = b["path"]
        ancestors = [path[:i] for i in range(len(path) - step, 0, -step)]
        chosen = leaders_at.get(path)
        chosen = chosen or next((secretaries_at[a] for a in ancestors if a in secretaries_at), None)
        chosen = chosen or next((leaders_at[a] for a in ancestors if a in leaders_at), None)
        if chosen:
            result[b["id"]] = chosen
    return result


SUBJECT_FIELDS = ("subject_kind", "organization_id", "member_id", "subject_key")
# A report's and a review's rows as the bulk path builds them, for copy_insert (no model
# instance each: a province has 1.5 million reviews); the other fields take their defaults.
SELF_EVALUATION_FIELDS = (
    *SUBJECT_FIELDS,
    "year",
    "quarter",
    "status",
    "pledges_total",
    "pledges_closed",
    "pledges_in_progress",
    "pledges_behind",
    "highlights",
    "shortcomings",
    "next_steps",
    "author_id",
    "submitted_at",
)
REVIEW_FIELDS = (
    *SUBJECT_FIELDS,
    "year",
    "quarter",
    "reviewer_id",
    "date",
    "mode",
    "achievements",
    "problems",
    "direction",
    "grade",
    "status",
    "without_self_evaluation",
    "signed_at",
    "published_at",
)


def _self_evaluation(rng, subject: dict, q: Quarter, author_id: int, now) -> tuple:
    """A submitted report's row (SELF_EVALUATION_FIELDS)."""
    return (
        *subject.values(),
        q.year,
        q.quarter,
        SelfEvaluation.Status.SUBMITTED,
        rng.randint(1, 5),
        rng.randint(0, 3),
        rng.randint(0, 2),
        rng.choice([0, 0, 0, 1]),
        rng.choice(ACHIEVEMENTS),
        rng.choice(PROBLEMS),
        rng.choice(DIRECTIONS),
        author_id,
        now,
    )


def _review(rng, subject: dict, q: Quarter, reviewer_id: int, self_evaluation, current: bool, now):
    """A signed or published review's row (REVIEW_FIELDS; its report's id is added when
    written)."""
    published = not current and rng.random() < 0.7
    mode = rng.choice(MODES if self_evaluation else list(Review.MODES_WITHOUT_SELF_EVALUATION))
    return (
        *subject.values(),
        q.year,
        q.quarter,
        reviewer_id,
        _review_date(rng, q, timezone.localdate()),
        mode,
        rng.choice(ACHIEVEMENTS),
        rng.choice(PROBLEMS),
        rng.choice(DIRECTIONS),
        rng.choices(GRADES, GRADE_WEIGHTS)[0],
        Review.Status.PUBLISHED if published else Review.Status.SIGNED,
        self_evaluation is None,
        now,
        now if published else None,
    )


class _Writer:
    """Reports and their reviews written a batch at a time: a city's year is about a million
    rows, which a list of them would hold in memory at once."""

    def __init__(self):
        self.pairs: list[tuple[tuple | None, tuple]] = []
        self.counts = {"reviews": 0, "reports": 0, "items": 0}

    def add(self, self_evaluation: tuple | None, review: tuple) -> None:
        self.pairs.append((self_evaluation, review))
        if len(self.pairs) >= BATCH:
            self.flush()

    def flush(self) -> None:
        self_evaluations = [r for r, _review in self.pairs if r is not None]
        # COPY (core.db.copy_insert) with the reports' ids taken first: each review then
        # points at its self-evaluation.
        ids = iter(allocate_ids(SelfEvaluation, len(self_evaluations)))
        rows, reviews = [], []
        for self_evaluation, review in self.pairs:
            pk = None
            if self_evaluation is not None:
                pk = next(ids)
                rows.append((pk, *self_evaluation))
            reviews.append((*review, pk))
        copy_insert(SelfEvaluation, rows, fields=("id", *SELF_EVALUATION_FIELDS))
        copy_insert(Review, reviews, fields=(*REVIEW_FIELDS, "self_evaluation_id"))
        self.counts["reports"] += len(rows)
        self.counts["reviews"] += len(reviews)
        self.pairs = []


def _subject(kind: str, org_id: int, member_id: int | None = None) -> dict:
    return {
        "subject_kind": kind,
        "organization_id": org_id,
        "member_id": member_id,
        "subject_key": subject_key_for(kind, org_id, member_id),
    }


# Shares of subjects reviewed (and reported before): most of them in a finished quarter, some
# in the current one; members a little less often than their branches.
BRANCH_REVIEWED = (1.0, 0.5)
MEMBER_REVIEWED = (0.85, 0.4)
REPORTED = 0.85
# Shares of reviews that raised rectification items.
BRANCH_ITEMS = 0.35
MEMBER_ITEMS = 0.05


@transaction.atomic
def bulk_reviews(rng: random.Random, root: Organization) -> dict:
    """Each branch reviewed by its linked leader (or the nearest secretary above) and each
    member by the branch secretary, per quarter of this year, with reports and items."""
    today = timezone.localdate()
    now = timezone.now()
    quarters = _quarters(today)
    branches = list(
        Organization.objects.filter(
            path__startswith=root.path, level=Organization.Level.BRANCH
        ).values("id", "path")
    )
    reviewer_of = _reviewer_by_branch(branches)
    secretary_of = dict(
        Position.objects.filter(
            organization__path__startswith=root.path,
            organization__level=Organization.Level.BRANCH,
            kind=Position.Kind.SECRETARY,
        ).values_list("organization_id", "user_id")
    )
    members = Member.objects.filter(organization_id__in=secretary_of.keys()).order_by("id")
    member_rows = list(members.values_list("id", "organization_id", "user_id"))
    writer = _Writer()
    for q in quarters:
        current = q == quarters[-1]
        for b in branches:
            reviewer = reviewer_of.get(b["id"])
            if reviewer is None or rng.random() >= BRANCH_REVIEWED[current]:
                continue
            subject = _subject(SubjectKind.ORGANIZATION, b["id"])
            author = secretary_of.get(b["id"], reviewer)
            self_evaluation = (
                _self_evaluation(rng, subject, q, author, now) if rng.random() < REPORTED else None
            )
            writer.add(
                self_evaluation, _review(rng, subject, q, reviewer, self_evaluation, current, now)
            )
        for member_id, org_id, user_id in member_rows:
            secretary = secretary_of[org_id]
            if user_id == secretary or rng.random() >= MEMBER_REVIEWED[current]:
                continue
            subject = _subject(SubjectKind.MEMBER, org_id, member_id)
            author = user_id or secretary
            self_evaluation = (
                _self_evaluation(rng, subject, q, author, now) if rng.random() < REPORTED else None
            )
            writer.add(
                self_evaluation, _review(rng, subject, q, secretary, self_evaluation, current, now)
            )
    writer.flush()
    counts = writer.counts
    counts["items"] = _bulk_items(rng, root, today, now)
    return counts


# A rectification item's row as _bulk_items builds it (for copy_insert: no model instance each).
ITEM_FIELDS = (
    "review_id",
    "subject_kind",
    "organization_id",
    "member_id",
    "subject_key",
    "problem",
    "target",
    "measures",
    "responsible",
    "deadline",
    "status",
    "measures_taken",
    "done_at",
    "confirmed_by_id",
    "confirmed_at",
)


def _bulk_items(rng: random.Random, root: Organization, today, now) -> int:
    rows = Review.objects.filter(
        organization__path__startswith=root.path, status__in=Review.LOCKED_STATUSES
    ).values_list(
        "pk", "subject_kind", "organization_id", "member_id", "subject_key", "date", "reviewer_id"
    )
    items, count = [], 0
    for review_id, kind, org_id, member_id, key, date, reviewer_id in rows.iterator(
        chunk_size=BATCH
    ):
        share = BRANCH_ITEMS if kind == SubjectKind.ORGANIZATION else MEMBER_ITEMS
        if rng.random() > share:
            continue
        for problem, measures in rng.sample(ITEMS, rng.choice([1, 1, 2])):
            deadline = date + datetime.timedelta(days=rng.randint(15, 75))
            roll = rng.random()
            status = RectificationItem.Status.OPEN
            if deadline < today:
                status = (
                    RectificationItem.Status.CONFIRMED
                    if roll < 0.87
                    else RectificationItem.Status.DONE
                    if roll < 0.93
                    else RectificationItem.Status.OPEN
                )
            elif roll < 0.3:
                status = RectificationItem.Status.DONE
            done = status in (RectificationItem.Status.DONE, RectificationItem.Status.CONFIRMED)
            confirmed = status == RectificationItem.Status.CONFIRMED
            items.append(
                (
                    review_id,
                    kind,
                    org_id,
                    member_id,
                    key,
                    problem,
                    DEMO_TARGET,
                    measures,
                    "支部书记" if kind == SubjectKind.ORGANIZATION else "本人",
                    deadline,
                    status,
                    "已按措施落实" if done else "",
                    now if done else None,
                    reviewer_id if confirmed else None,
                    now if confirmed else None,
                )
            )
        if len(items) >= BATCH:
            count += copy_insert(RectificationItem, items, fields=ITEM_FIELDS)
            items = []
    return count + copy_insert(RectificationItem, items, fields=ITEM_FIELDS)
