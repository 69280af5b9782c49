"""The entry page's batch: all of one owner's items for a period, saved (and submitted) at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import TransitionError

from ..models import Member, Organization, Pledge
from ..rules import lifecycle
from ..rules.pledge_content import PledgeContent
from .pledge import pledge_create, pledge_submit, pledge_update

EDITABLE = lifecycle.states_allowing(lifecycle.Move.EDIT)


@dataclass(frozen=True)
class EntryRow:
    """One filled row of the entry page: an existing editable pledge (id, version) or a new one."""

    content: PledgeContent
    pledge_id: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class EntrySaved:
    """What a save did: every row is now in the chosen period; `moved` of them were saved
    drafts of another period before."""

    count: int
    moved: int


@transaction.atomic
def entry_save(
    *,
    by,
    org: Organization,
    member: Member | None,
    year: int,
    half: int,
    rows: Sequence[EntryRow],
    submit: bool = False,
) -> EntrySaved:
    """Create or update every row in the period chosen on the page, and submit them if asked;
    all or nothing."""
    ids = [row.pledge_id for row in rows if row.pledge_id]
    # Only the owner's still-editable items: one submitted or deleted meanwhile is refused.
    existing = Pledge.objects.filter(
        owner_org=org, owner_member=member, status__in=EDITABLE, pk__in=ids
    ).in_bulk()
    moved = 0
    for row in rows:
        if row.pledge_id:
            pledge = existing.get(row.pledge_id)
            if pledge is None:
                raise TransitionError(_("有承诺已被他人提交或删除，请刷新页面后重试"))
            moved += (pledge.year, pledge.half) != (year, half)
            pledge_update(
                pledge=pledge, by=by, content=row.content, version=row.version, year=year, half=half
            )
        else:
            pledge = pledge_create(
                by=by, owner_org=org, owner_member=member, content=row.content, year=year, half=half
            )
        if submit:
            pledge_submit(pledge=pledge, by=by)
    return EntrySaved(count=len(rows), moved=moved)
