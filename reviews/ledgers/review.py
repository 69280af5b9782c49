"""点评情况登记表 (Excel) of a subtree for a period, built in the background (reviews/exports.py).

Rows start from `visible_to(user)` as tuples from `values_list(...).iterator()`, no model
instance per row; each batch of reviews reads its rectification items in one query, so the
queries grow with batches, never with rows, and memory stays flat. The workbook is
core.xlsx's (write-only, A4 landscape, repeated headers), as for every office ledger.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import stream
from core.periods import Period, progress_of
from core.xlsx import write_ledger
from pledges.models import Organization
from pledges.selectors.calendar import YearCalendar, calendar_resolver

from ..models import RectificationItem, Review, SubjectKind
from ..rules.calendar import grade_label

REGISTER_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("点评对象"), 18),
    (gettext_lazy("类别"), 10),
    (gettext_lazy("所属党组织"), 20),
    (gettext_lazy("点评人"), 10),
    (gettext_lazy("点评时间"), 12),
    (gettext_lazy("点评方式"), 14),
    (gettext_lazy("肯定成绩"), 30),
    (gettext_lazy("指出问题"), 30),
    (gettext_lazy("努力方向"), 30),
    (gettext_lazy("点评等次"), 8),
    (gettext_lazy("整改事项及状态"), 40),
    (gettext_lazy("点评状态"), 10),
)
BATCH = 500

REVIEW_FIELDS = (
    "id",
    "subject_kind",
    "member__name",
    "organization__name",
    "reviewer__first_name",
    "reviewer__last_name",
    "reviewer__username",
    "date",
    "mode",
    "without_self_evaluation",
    "achievements",
    "problems",
    "direction",
    "grade",
    "status",
    # The calendar in force names the grade (好/中/差 or 好/较好/一般/差).
    "organization__path",
    "year",
)
ITEM_FIELDS = ("review_id", "problem", "target", "measures", "responsible", "deadline", "status")


def review_filter(period: Period, prefix: str = "") -> dict:
    """The rows of a period by their (year, quarter) columns."""
    f: dict = {f"{prefix}year": period.year}
    if period.quarter:
        f[f"{prefix}quarter"] = period.quarter
    elif period.half:
        f[f"{prefix}quarter__in"] = (1, 2) if period.half == 1 else (3, 4)
    return f


def register_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s点评情况登记表") % {"org": org.name, "period": period.label}


def register_reviews(user, org: Organization, period: Period) -> QuerySet:
    """Signed, published and returned reviews of the subtree (drafts are not yet records)."""
    return (
        Review.objects.visible_to(user)
        .filter(organization__path__startswith=org.path, **review_filter(period))
        .exclude(status=Review.Status.DRAFT)
        .order_by("year", "quarter", "organization__path", "subject_kind", "member_id", "id")
        .values_list(*REVIEW_FIELDS)
    )


def with_items(reviews: Iterable[tuple]) -> Iterator[tuple[tuple, list]]:
    """(review row, its items' rows) for each review: one items query per batch of reviews."""
    rows = iter(reviews)
    while batch := list(islice(rows, BATCH)):
        items = defaultdict(list)
        for item in (
            RectificationItem.objects.filter(review_id__in=[r[0] for r in batch])
            .order_by("id")
            .values_list(*ITEM_FIELDS)
        ):
            items[item[0]].append(item)
        for row in batch:
            yield row, items.get(row[0], [])


class Labels:
    """Choice labels looked up once per export, not per row."""

    def __init__(self, today: datetime.date | None = None):
        self.today = today or timezone.localdate()
        self.mode = {v: str(label) for v, label in Review.Mode.choices}
        self.grade = {v: str(label) for v, label in Review.Grade.choices}
        self.status = {v: str(label) for v, label in Review.Status.choices}
        self.item_status = {v: str(label) for v, label in RectificationItem.Status.choices}
        self.kind = {v: str(label) for v, label in SubjectKind.choices}
        self.without_self_evaluation = _("未先报后评")
        self.overdue = _("已逾期（%(status)s）")
        self.secretary = _("%(org)s书记")
        self.target = _("目标")
        self._calendars: dict[int, Callable[[str], YearCalendar]] = {}

    def grade_of(self, grade: str, path: str, year: int) -> str:
        """The grade in the words of the calendar in force (one query per year per export)."""
        if year not in self._calendars:
            self._calendars[year] = calendar_resolver(year)
        return grade_label(grade, self._calendars[year](path).grade_scale)

    def item_status_of(self, status: str, deadline: datetime.date) -> str:
        label = self.item_status.get(status, status)
        if is_overdue(status, deadline, self.today):
            return self.overdue % {"status": label}
        return label

    def subject_name(self, kind: str, org_name: str, member_name: str | None) -> str:
        """Subject.name, from the row's columns."""
        if kind == SubjectKind.MEMBER:
            return member_name or ""
        if kind == SubjectKind.SECRETARY:
            return self.secretary % {"org": org_name}
        return org_name


def is_overdue(status: str, deadline: datetime.date, today: datetime.date) -> bool:
    return status in RectificationItem.PENDING_STATUSES and deadline < today


def person(first_name: str, last_name: str, username: str) -> str:
    """User.get_full_name() or the username, from the row's columns."""
    return f"{first_name} {last_name}".strip() or username


def _target(target: str, labels: Labels) -> str:
    """ "目标：…；" before the measures, nothing for an item older than 四定's target."""
    return f"{labels.target}：{target}；" if target else ""


def register_row(index: int, row: tuple, items: list, labels: Labels) -> list:
    (_pk, kind, member, org, first, last, username, date, mode, without_self_evaluation) = row[:10]
    achievements, problems, direction, grade, status, path, year = row[10:]
    mode = labels.mode.get(mode, mode)
    if without_self_evaluation:
        mode = f"{mode}（{labels.without_self_evaluation}）"
    text = "\n".join(
        f"{n}. {problem}；{_target(target, labels)}{measures}（{responsible}，{deadline:%Y-%m-%d}）"
        f"〔{labels.item_status_of(item_status, deadline)}〕"
        for n, (_r, problem, target, measures, responsible, deadline, item_status) in enumerate(
            items, start=1
        )
    )
    return [
        index,
        labels.subject_name(kind, org, member),
        labels.kind.get(kind, kind),
        org,
        person(first, last, username),
        date,
        mode,
        achievements,
        problems,
        direction,
        labels.grade_of(grade, path, year),
        text,
        labels.status.get(status, status),
    ]


def write_register(
    out: IO[bytes], *, user, org: Organization, period: Period, progress=None
) -> int:
    """点评情况登记表 of the subtree for the period; returns the number of reviews."""
    labels = Labels()
    reviews = register_reviews(user, org, period)
    report = progress_of(progress, reviews.count()) if progress else None
    return write_ledger(
        out,
        sheet_name=_("点评情况登记表"),
        title=register_title(org, period),
        columns=REGISTER_COLUMNS,
        rows=with_items(stream(reviews, BATCH)),
        to_cells=lambda n, pair: register_row(n, pair[0], pair[1], labels),
        empty=_("没有可导出的点评"),
        progress=report,
        progress_every=BATCH,
    )


def build(job: Any, out: IO[bytes], progress) -> int:
    org = Organization.objects.get(pk=job.params["org"])
    period = Period.parse(job.params["period"])
    return write_register(out, user=job.requester, org=org, period=period, progress=progress)


def register_cells(
    user, org: Organization, period: Period, kinds: tuple[str, ...] | None = None
) -> Iterator[list]:
    """The register's rows as the workbook's cells (for a filing's PDF); `kinds` keeps the
    subjects of those kinds (附件四: organizations and secretaries; 附件五: members)."""
    labels = Labels()
    reviews = register_reviews(user, org, period)
    if kinds is not None:
        reviews = reviews.filter(subject_kind__in=kinds)
    for n, (row, items) in enumerate(with_items(stream(reviews, BATCH)), start=1):
        yield register_row(n, row, items, labels)
