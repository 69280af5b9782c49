"""Reads of the public pages (三公开), no login: what anyone may see of an organization. Each runs
a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.links import site_url
from pledges import tallies
from pledges.models import Evidence, Organization, Pledge, PledgeEvent, ProgressRecord
from pledges.selectors.calendar import calendar_for
from reviews.models import (
    MIN_RESPONSES,
    AnnualAssessment,
    MassEvaluation,
    RectificationItem,
    Review,
)
from reviews.selectors.monthly_rating import published_standings
from reviews.selectors.review import public_reviews
from reviews.tallies import PUBLIC_ITEMS

from ..models import Notice, NoticeItem, Opinion
from .notice import MassEvaluationFigures, mass_evaluation_figures

PAST_LIMIT = 30
REVIEW_LIMIT = 20
OPINION_LIMIT = 20
SEARCH_LIMIT = 50


def absolute(path: str) -> str:
    return site_url() + path


def public_org(pk: int) -> Organization | None:
    return Organization.objects.filter(pk=pk).first()


def public_org_or_404(pk: int) -> Organization:
    """The organization of a public address (every organization has a public page)."""
    org = public_org(pk)
    if org is None:
        raise Http404
    return org


def children(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by(
        "path"
    )


def find_organizations(query: str) -> QuerySet[Organization]:
    query = query.replace("\x00", "").strip()[:50]
    if not query:
        return Organization.objects.none()
    return Organization.objects.filter(name__icontains=query).order_by("path")[:SEARCH_LIMIT]


@dataclass
class EvaluationResult:
    evaluation: MassEvaluation
    figures: MassEvaluationFigures


@dataclass
class ItemProgress:
    total: int = 0
    confirmed: int = 0
    done: int = 0

    @property
    def pending(self) -> int:
        return self.total - self.confirmed - self.done


def _review_queryset(org: Organization) -> QuerySet[Review]:
    return public_reviews(org=org).filter(organization=org)


@dataclass
class Figures:
    """Progress at a glance of one organization's subtree: its public pledges of the year,
    the satisfaction of its latest ended mass evaluation and its public rectification items."""

    org: Organization
    published: int = 0
    running: int = 0  # 已亮诺 or 践诺中, not yet ended
    fulfilled: int = 0  # 已销号
    overdue: int = 0  # still running past its deadline
    unfulfilled: int = 0
    carried: int = 0  # 再承诺 of the year: pledges that carry on an unfulfilled one
    due: int = 0  # ended, or running past the deadline
    satisfaction: EvaluationResult | None = None
    items_open: int = 0
    items_closed: int = 0
    items_on_time: int = 0

    @property
    def fulfilled_rate(self) -> str:
        return f"{self.fulfilled * 100 / self.due:.0f}%" if self.due else "—"

    @property
    def fulfilled_pct(self) -> int:
        return round(self.fulfilled * 100 / self.due) if self.due else 0

    def add(self, other: Figures) -> None:
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_SUMMED = (
    "published",
    "running",
    "fulfilled",
    "overdue",
    "unfulfilled",
    "carried",
    "due",
    "items_open",
    "items_closed",
    "items_on_time",
)
S = Pledge.Status
MONTHS = 12
STEP = Organization.steplen


def _pledge_figures(org: Organization, year: int, today: datetime.date) -> dict[str, dict]:
    """The year's public pledges per child, summed from the counter rows (pledges.tallies):
    two indexed queries over the subtree's counters, never a scan of its pledges."""
    public = {str(status) for status in Pledge.PUBLIC_STATUSES}
    running = {str(S.PUBLISHED), str(S.IN_PROGRESS)}
    rows = tallies.sums(org, [tallies.PLEDGES, tallies.CARRIED], q=Q(year=year), by_child=True)
    figures: dict[str, dict] = {}

    def of(bucket: str) -> dict:
        return figures.setdefault(bucket, dict.fromkeys(_PLEDGE_FIGURES, 0))

    for bucket, _year, _period, kind, key, n in rows:
        f = of(bucket)
        if kind == tallies.CARRIED:
            f["carried"] += n
            continue
        status = key.split(":")[0]
        if status in public:
            f["published"] += n
        if status in running:
            f["running"] += n
        elif status == S.CLOSED:
            f["fulfilled"] += n
        elif status == S.UNFULFILLED:
            f["unfulfilled"] += n
    for bucket, n in tallies.due_before_by_child(org, tallies.PUBLIC_DUE, today, year).items():
        of(bucket)["overdue"] += n
    for f in figures.values():
        f["due"] = f["overdue"] + f["fulfilled"] + f["unfulfilled"]
    return figures


_PLEDGE_FIGURES = ("published", "running", "fulfilled", "overdue", "unfulfilled", "carried")


def _item_figures(org: Organization) -> dict[str, dict]:
    """Rectification items of the reviews published to the people, per child: from the
    counter rows (reviews.tallies), one query."""
    names = {"open": "items_open", "closed": "items_closed", "on_time": "items_on_time"}
    figures: dict[str, dict] = {}
    for bucket, _year, _period, _kind, key, n in tallies.sums(
        org, [PUBLIC_ITEMS], q=Q(year=0, period=0), by_child=True
    ):
        figures.setdefault(bucket, dict.fromkeys(names.values(), 0))[names[key]] += n
    return figures


def _monthly_fulfilled(org: Organization, today: datetime.date) -> list[tuple[datetime.date, int]]:
    """销号 per month over the last twelve months, the months without any included: from the
    counter rows (pledges.tallies), one query."""
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    counts = Counter()
    for _bucket, _year, _period, _kind, key, n in tallies.sums(
        org, [tallies.CLOSED_MONTH], q=Q(key__gte=first.isoformat()[:7])
    ):
        counts[key] += n
    months, month = [], first
    while month <= today:
        months.append((month, counts[month.isoformat()[:7]]))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _evaluation_results(
    orgs: list[Organization], today: datetime.date
) -> dict[int, list[EvaluationResult]]:
    """The ended mass evaluations with enough answers of each organization, newest first:
    two queries for any number of organizations."""
    evaluations = list(
        MassEvaluation.objects.filter(
            MassEvaluation.ended_q(today=today), organization__in=[o.pk for o in orgs]
        )
        .select_related("organization")
        .order_by("-year", "-half")
    )
    per_eval, _members = mass_evaluation_figures(evaluations, members=False)
    results: dict[int, list[EvaluationResult]] = {o.pk: [] for o in orgs}
    for e in evaluations:
        if per_eval[e.pk].total >= MIN_RESPONSES:
            results[e.organization_id].append(EvaluationResult(e, per_eval[e.pk]))
    return results


def progress_at_a_glance(
    org: Organization, kids: list[Organization], today: datetime.date
) -> tuple[Figures, list[Figures], dict[int, list[EvaluationResult]], list]:
    """The figures of `org` and of each child (its whole subtree), the evaluations of each
    and the months of 销号: five queries whatever the size of the tree."""
    pledges = _pledge_figures(org, today.year, today)
    items = _item_figures(org)
    evaluations = _evaluation_results([org, *kids], today)
    total = Figures(org, **pledges.get(org.path, {}), **items.get(org.path, {}))
    per_child = []
    for child in kids:
        figures = Figures(child, **pledges.get(child.path, {}), **items.get(child.path, {}))
        latest = evaluations.get(child.pk)
        figures.satisfaction = latest[0] if latest else None
        total.add(figures)
        per_child.append(figures)
    own = evaluations.get(org.pk)
    total.satisfaction = own[0] if own else None
    return total, per_child, evaluations, _monthly_fulfilled(org, today)


def org_page(org: Organization, today: datetime.date | None = None) -> dict:
    """Everything the public page of an organization shows."""
    today = today or timezone.localdate()
    notices = Notice.objects.filter(organization=org)
    reviews = list(_review_queryset(org)[:REVIEW_LIMIT])  # items prefetched there
    progress = ItemProgress()
    for review in reviews:
        for item in review.items.all():
            progress.total += 1
            if item.status == RectificationItem.Status.CONFIRMED:
                progress.confirmed += 1
            elif item.status == RectificationItem.Status.DONE:
                progress.done += 1
    kids = list(children(org))
    figures, per_child, evaluations, months = progress_at_a_glance(org, kids, today)
    results = evaluations[org.pk]
    year = today.year
    rating_sheet, standings = published_standings(org)
    # The rhythm the public is told (一年一诺 · 一季一点评 · 好/中/差): also the calendar the
    # reviews' grade words are read in, so the page's queries do not depend on its reviews.
    calendar = calendar_for(org, year)
    return {
        "calendar_words": " · ".join(
            calendar.label(f)
            for f in ("pledge_period", "review_cadence", "mass_evaluation_cadence", "grade_scale")
        ),
        "org": org,
        "breadcrumbs": org.breadcrumbs(),
        "children": kids,
        "figures": figures,
        "child_figures": per_child,
        "months": months,
        "year": year,
        "live": list(notices.live(today).order_by("-starts_on", "-id")),
        "past": list(notices.past(today).order_by("-starts_on", "-id")[:PAST_LIMIT]),
        "pledges": list(
            Pledge.objects.filter(owner_org=org, status__in=Pledge.PUBLIC_STATUSES)
            .filter(year__gte=year - 1)
            .select_related("owner_member")
            .order_by("-year", "owner_member_id", "id")
        ),
        "reviews": reviews,
        "item_progress": progress,
        "evaluations": results,
        "rating_sheet": rating_sheet,
        "standings": standings,
        "assessments": list(
            AnnualAssessment.objects.published()
            .filter(organization=org)
            .select_related("organization", "member")
            .order_by("-year", "member_id")
        ),
        "opinions": list(
            Opinion.objects.public()
            .filter(organization=org)
            .select_related("rectification_item")
            .order_by("-created_at")[:OPINION_LIMIT]
        ),
    }


def public_notice(org: Organization, pk: int, today: datetime.date | None = None) -> Notice | None:
    return (
        Notice.objects.public(today)
        .filter(organization=org, pk=pk)
        .select_related("organization", "previous", "next_version")
        .first()
    )


def public_notice_or_404(org: Organization, pk: int) -> Notice:
    notice = public_notice(org, pk)
    if notice is None:
        raise Http404
    return notice


def notice_items(notice: Notice) -> list[NoticeItem]:
    # A withdrawn notice shows only that it was withdrawn and why.
    if notice.status == Notice.Status.WITHDRAWN:
        return []
    return list(notice.items.all())


def notice_opinions(notice: Notice) -> list[Opinion]:
    return list(
        Opinion.objects.public()
        .filter(notice=notice)
        .select_related("rectification_item")
        .order_by("-created_at")[:OPINION_LIMIT]
    )


def public_pledge(org: Organization, pk: int) -> Pledge | None:
    return (
        Pledge.objects.filter(owner_org=org, pk=pk, status__in=Pledge.PUBLIC_STATUSES)
        .select_related("owner_member", "owner_org", "carried_from")
        .first()
    )


def public_photo(org: Organization, pk: int) -> Evidence | None:
    """The public copy of a photo: of a public 记实 whose photos were made public, on a public
    pledge of this organization."""
    return (
        Evidence.objects.filter(
            pk=pk,
            record__pledge__owner_org=org,
            record__pledge__status__in=Pledge.PUBLIC_STATUSES,
            record__is_public=True,
            record__photos_public=True,
        )
        .exclude(public_image="")
        .first()
    )


def public_opinion(org: Organization, pk: int) -> Opinion | None:
    return (
        Opinion.objects.public()
        .filter(organization=org, pk=pk)
        .select_related("rectification_item", "notice", "pledge")
        .first()
    )


def live_notices_with_items(org: Organization, today: datetime.date | None = None) -> list[Notice]:
    """For the feed and the JSON: the live notices with their items, two queries."""
    return list(
        Notice.objects.filter(organization=org)
        .live(today)
        .prefetch_related("items")
        .order_by("-starts_on", "-id")
    )


@dataclass
class Step:
    """One dated move of a pledge's public timeline."""

    kind: str  # pledge, approve, publish, amend, progress, close, unfulfilled, carry
    label: str
    at: datetime.date | None
    by: str
    text: str = ""
    photos: list | None = None
    link: str = ""


Action = PledgeEvent.Action
_MOVES = {
    Action.SUBMIT: ("pledge", _("定诺")),
    Action.APPROVE: ("approve", _("审诺")),
    Action.PUBLISH: ("publish", _("亮诺")),
    Action.AMEND: ("amend", _("变更承诺")),
    Action.CLOSE: ("close", _("销号")),
    Action.UNFULFILLED: ("unfulfilled", _("未兑现")),
}


def pledge_timeline(pledge: Pledge, ancestors: list[Organization]) -> list[Step]:
    """定诺 → 审诺 → 亮诺 → each public 记实 → 销号 or 未兑现 → the 再承诺 that carries on, oldest
    first. Who acted is the organization; a member's name appears only as the owner of this
    (public) pledge, for what he did himself. Four queries whatever the number of moves."""
    org = pledge.owner_org
    owner = pledge.owner_member
    owner_user = owner.user_id if owner is not None else None
    # Whoever approves an organization's own pledge acts for the organization above it.
    above = ancestors[-2].name if len(ancestors) > 1 else org.name

    def who(user_id: int | None, kind: str) -> str:
        if owner is not None and user_id is not None and user_id == owner_user:
            return owner.name
        if kind == "approve" and owner is None:
            return above
        return org.name

    # The pledge's own dates are the ones it declares (a 销号 dated the day the work ended, an
    # imported book's approvals); an event's time only stands in where the pledge has none.
    declared = {
        "pledge": pledge.submitted_at,
        "approve": pledge.approved_at,
        "publish": pledge.published_at,
        "close": pledge.closed_on,
    }

    def day(kind: str, at: datetime.datetime) -> datetime.date:
        value = declared.get(kind) or at
        return timezone.localdate(value) if isinstance(value, datetime.datetime) else value

    steps: list[Step] = []
    events = PledgeEvent.objects.filter(pledge=pledge, action__in=list(_MOVES)).order_by("at", "id")
    seen_submit = False
    for event in events:
        kind, label = _MOVES[event.action]
        if kind == "pledge":
            if seen_submit:  # submitted again after a return: the pledge was fixed once
                continue
            seen_submit = True
        text = pledge.close_result if kind in ("close", "unfulfilled") else ""
        steps.append(Step(kind, str(label), day(kind, event.at), who(event.actor_id, kind), text))
    if not seen_submit:
        # Entered by the secretary (or imported) without a separate submission.
        steps.insert(
            0,
            Step(
                "pledge",
                str(_("定诺")),
                timezone.localdate(pledge.created_at),
                who(pledge.created_by_id, "pledge"),
            ),
        )
    records = ProgressRecord.objects.filter(pledge=pledge, is_public=True).order_by("date", "id")
    photos: dict[int, list[Evidence]] = {}
    for evidence in (
        Evidence.objects.filter(
            record__pledge=pledge, record__is_public=True, record__photos_public=True
        )
        .exclude(public_image="")
        .order_by("id")
    ):
        photos.setdefault(evidence.record_id, []).append(evidence)
    for record in records:
        steps.append(
            Step(
                "progress",
                str(_("记实")),
                record.date,
                who(record.author_id, "progress"),
                record.text,
                photos.get(record.pk, []),
            )
        )
    for later in pledge.carried_into.all():
        public = later.status in Pledge.PUBLIC_STATUSES
        steps.append(
            Step(
                "carry",
                str(_("再承诺")),
                later.published_at and timezone.localdate(later.published_at),
                org.name,
                later.title if public else str(_("已再承诺，待审核亮诺")),
                link=reverse("publicity:pledge", args=[later.owner_org_id, later.pk])
                if public
                else "",
            )
        )
    # In the order of the path, and by date within it: a record dated before the approval (or
    # a seeded book whose moves share one timestamp) still reads 定诺 → 审诺 → 亮诺 → 记实.
    phase = {"pledge": 0, "approve": 1, "publish": 2, "close": 4, "unfulfilled": 4, "carry": 5}
    far = datetime.date.max
    steps.sort(key=lambda s: (phase.get(s.kind, 3), s.at or far))
    return steps
