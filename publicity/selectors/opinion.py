"""Reads of the opinion box: the moderation queue and the dashboard's opinion figures."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.models import Organization
from reviews.models import Quarter
from reviews.selectors.dashboard import ExtraFigure

from ..models import Opinion


def opinions_for(user) -> QuerySet[Opinion]:
    return Opinion.objects.visible_to(user).select_related(
        "organization", "notice", "pledge", "rectification_item"
    )


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
