"""Reads of the public pages (三公开), no login: what anyone may see of an organization. Each runs
a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from pledges.models import Organization, Pledge
from reviews.models import (
    MIN_RESPONSES,
    AnnualAssessment,
    MassEvaluation,
    RectificationItem,
    Review,
)
from reviews.selectors.review import public_reviews

from ..models import Notice, NoticeItem, Opinion
from .notice import MassEvaluationFigures, mass_evaluation_figures

PAST_LIMIT = 30
REVIEW_LIMIT = 20
OPINION_LIMIT = 20
SEARCH_LIMIT = 50


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
