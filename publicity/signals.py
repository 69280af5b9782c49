"""Refresh the cached public pages when the pledge book or the reviews change.

Publicity sits above pledges and reviews, so it listens to their saves rather than asking them
to call it. Bulk `update()` calls send no signal; the services that publish in bulk (notice
approval) refresh the pages themselves.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from pledges.models import Organization, Pledge, ProgressRecord
from reviews.models import (
    AnnualAssessment,
    MassEvaluation,
    MonthlyRatingSheet,
    RectificationItem,
    Review,
    SelectionRound,
)

from .cache import bump_organizations, bump_site


def _org_changed(sender, instance, **kwargs) -> None:
    org_id = getattr(instance, "owner_org_id", None) or getattr(instance, "organization_id", None)
    if org_id:
        # Now and after the commit (see publicity.services.notice.refresh_public).
        bump_organizations([org_id])
        transaction.on_commit(lambda: bump_organizations([org_id]))


def _record_changed(sender, instance, **kwargs) -> None:
    # A 记实 on a running pledge is saved without saving the pledge: its public page shows it.
    if ProgressRecord._meta.get_field("pledge").is_cached(instance):
        pledge = instance.pledge
    else:
        pledge = Pledge.objects.filter(pk=instance.pledge_id).only("owner_org_id").first()
    if pledge is not None:
        _org_changed(sender, pledge)


def _tree_changed(sender, instance, **kwargs) -> None:
    bump_site()
    transaction.on_commit(bump_site)


def connect() -> None:
    # A selection round's decision publishes its 表彰名单 on the organization's pages.
    for model in (
        Pledge,
        Review,
        RectificationItem,
        AnnualAssessment,
        MassEvaluation,
        MonthlyRatingSheet,
        SelectionRound,
    ):
        post_save.connect(_org_changed, sender=model, dispatch_uid=f"publicity-{model.__name__}")
        post_delete.connect(
            _org_changed, sender=model, dispatch_uid=f"publicity-del-{model.__name__}"
        )
    post_save.connect(_record_changed, sender=ProgressRecord, dispatch_uid="publicity-record")
    post_delete.connect(_record_changed, sender=ProgressRecord, dispatch_uid="publicity-record-del")
    post_save.connect(_tree_changed, sender=Organization, dispatch_uid="publicity-org")
    post_delete.connect(_tree_changed, sender=Organization, dispatch_uid="publicity-org-del")
