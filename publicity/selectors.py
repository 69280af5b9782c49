"""Reads shared by the public pages, the working pages and the dashboard. Each runs a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.models import Organization, Pledge
from pledges.models.position import roles_of
from reviews.models import (
    MIN_RESPONSES,
    AnnualAssessment,
    MassEvaluation,
    Quarter,
    RectificationItem,
    Review,
)
from reviews.selectors.dashboard import ExtraFigure
from reviews.selectors.review import public_reviews

from .compose import MassEvaluationFigures, mass_evaluation_figures
from .models import Notice, NoticeItem, Opinion

PAST_LIMIT = 30
REVIEW_LIMIT = 20
OPINION_LIMIT = 20
SEARCH_LIMIT = 50


def public_org(pk: int) -> Organization | None:
    return Organization.objects.filter(pk=pk).first()


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
    evaluations = list(
        MassEvaluation.objects.filter(MassEvaluation.ended_q(today=today), organization=org)
        .select_related("organization")
        .order_by("-year", "-half")
    )
    per_eval, _members = mass_evaluation_figures(evaluations, members=False)
    results = [
        EvaluationResult(e, per_eval[e.pk])
        for e in evaluations
        if per_eval[e.pk].total >= MIN_RESPONSES
    ]
    year = today.year
    return {
        "org": org,
        "breadcrumbs": org.breadcrumbs(),
        "children": list(children(org)),
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
        .select_related("owner_member", "owner_org")
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


# --- working pages ---------------------------------------------------------------------------


def notices_for(user) -> QuerySet[Notice]:
    return Notice.objects.visible_to(user).select_related("organization", "created_by")


def opinions_for(user) -> QuerySet[Opinion]:
    return Opinion.objects.visible_to(user).select_related(
        "organization", "notice", "pledge", "rectification_item"
    )


def composable_orgs(user) -> QuerySet[Organization]:
    """The organizations the user may compose notices for: his secretary and office seats."""
    roles = roles_of(user)
    return Organization.objects.filter(
        pk__in=roles.org_ids(roles.SECRETARY_KINDS + roles.OFFICE_KINDS)
    ).order_by("path")


def work_counts(user) -> dict[str, int]:
    """What waits for the user on the working list: opinions to moderate, notices to approve."""
    return {
        "pending_opinions": opinions_for(user).filter(status=Opinion.Status.PENDING).count(),
        "to_approve": notices_for(user)
        .filter(status=Notice.Status.SUBMITTED)
        .exclude(submitted_by=user)
        .count(),
    }


# --- the coverage dashboard ------------------------------------------------------------------


def dashboard_figures(root: Organization, quarter: Quarter) -> list[ExtraFigure]:
    """Opinions received in the quarter under `root`, and how they were answered: one query."""
    start = datetime.datetime.combine(quarter.start, datetime.time.min)
    end = datetime.datetime.combine(quarter.end, datetime.time.max)
    tz = timezone.get_current_timezone()
    row = Opinion.objects.filter(
        organization__path__startswith=root.path,
        created_at__gte=timezone.make_aware(start, tz),
        created_at__lte=timezone.make_aware(end, tz),
    ).aggregate(
        total=Count("id"),
        published=Count("id", filter=Q(status=Opinion.Status.PUBLISHED)),
        replied=Count(
            "id",
            filter=(Q(status=Opinion.Status.PUBLISHED) & ~Q(public_reply=""))
            | Q(status=Opinion.Status.ANSWERED),
        ),
        rectified=Count("id", filter=Q(rectification_item__isnull=False)),
    )
    return [
        ExtraFigure(_("群众意见"), row["total"], _("本季度收到")),
        ExtraFigure(_("已公开意见"), row["published"]),
        ExtraFigure(_("已答复意见"), row["replied"], _("公开答复或私下答复")),
        ExtraFigure(_("纳入整改"), row["rectified"]),
    ]
